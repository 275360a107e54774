import NIOCore

/// How big the buffers are that a connection reads into: SwiftNIO's adaptive policy (a read
/// that fills the buffer doubles the next one, two reads in a row that fit in half of it halve
/// it), from 256 bytes to 64 KiB, in two bytes of state.
///
/// SwiftNIO keeps each channel's receive buffer for its next read, and keeps its allocator as an
/// existential: so the first size is memory every idle connection holds (256 bytes rather than
/// NIO's 2 KiB; a small message or handshake fits either way, and a large message reaches full
/// reads within a few of them), and NIO's own adaptive allocator, too big to be stored inline,
/// would cost each connection a heap box as well.
struct ReceiveBuffers: RecvByteBufferAllocator {
    static let minimumShift: UInt8 = 6  // 64 bytes
    static let initialShift: UInt8 = 8  // 256 bytes
    static let maximumShift: UInt8 = 16  // 64 KiB

    /// The next buffer's size is `1 << shift`.
    private(set) var shift = Self.initialShift
    /// The last read fitted in half the buffer.
    private var decreaseNow = false

    static let allocator = ReceiveBuffers()

    func buffer(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(capacity: 1 << Int(shift))
    }

    func nextBufferSize() -> Int? {
        1 << Int(shift)
    }

    mutating func record(actualReadBytes: Int) -> Bool {
        let size = 1 << Int(shift)
        if actualReadBytes <= size >> 1 && shift > Self.minimumShift {
            if decreaseNow { shift -= 1 }
            decreaseNow.toggle()
            return false
        }
        decreaseNow = false
        guard actualReadBytes >= size, shift < Self.maximumShift else { return false }
        shift += 1
        return true
    }
}
