import NIOCore

/// How big the buffers are that a connection reads into.
enum ReceiveBuffers {
    /// SwiftNIO keeps each channel's receive buffer for its next read, so the first size is
    /// memory every idle connection holds: 512 bytes rather than NIO's 2 KiB (a small message
    /// fits either way). Reads that fill the buffer double it, up to 64 KiB, so a large message
    /// reaches full-sized reads within a few of them.
    static let allocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 64 << 10)
}
