import CZlib
public import NIOCore

extension PerMessageDeflate {
    /// Compresses the messages one endpoint sends (RFC 7692 §7.2.1), through zlib's raw
    /// DEFLATE.
    ///
    /// Each message is compressed whole and flushed with `Z_SYNC_FLUSH`, which ends it on a
    /// byte boundary with an empty stored block, `00 00 FF FF`; those four octets are removed,
    /// and the receiver puts them back. The LZ77 window carries over from one message to the
    /// next (context takeover) unless `noContextTakeover`, which resets it after each message
    /// (RFC 7692 §7.2.1 "context takeover").
    ///
    /// zlib's state, about `(1 << (windowBits + 2)) + (1 << (memoryLevel + 9))` bytes plus
    /// 6 KiB, is allocated with the first message and kept. Copies of a compressor share it
    /// until one of them compresses, which then works on its own copy.
    public struct Compressor: Sendable {
        /// The window compressed with, as a base-2 logarithm: 9...15.
        public let windowBits: Int
        /// Whether the window is emptied after each message.
        public let noContextTakeover: Bool
        /// zlib's compression level, 0...9.
        public let level: Int
        /// zlib's `memLevel`, 1...9.
        public let memoryLevel: Int
        private var stream: DeflateStream?

        /// Creates a compressor; zlib's state is allocated when the first message is compressed.
        ///
        /// - Parameters:
        ///   - windowBits: 9...15. zlib cannot compress with the 8-bit window RFC 7692 §7.1.2
        ///     also allows: a sender limited to 8 bits sends uncompressed.
        ///   - noContextTakeover: Empty the window after each message (RFC 7692 §7.1.1).
        ///   - level: zlib's compression level, 0...9.
        ///   - memoryLevel: zlib's `memLevel`, 1...9.
        public init(windowBits: Int, noContextTakeover: Bool = false, level: Int = 6, memoryLevel: Int = 8) {
            precondition((9...15).contains(windowBits), "zlib compresses with windows of 9 to 15 bits")
            precondition((0...9).contains(level), "level must be in 0...9")
            precondition((1...9).contains(memoryLevel), "memoryLevel must be in 1...9")
            self.windowBits = windowBits
            self.noContextTakeover = noContextTakeover
            self.level = level
            self.memoryLevel = memoryLevel
        }

        /// Compresses one whole message into the payload its frames carry: DEFLATE blocks
        /// without the final `00 00 FF FF` (RFC 7692 §7.2.1).
        public mutating func compress(_ message: UnsafeRawBufferPointer) -> ByteBuffer {
            // One empty stored block, tail removed (RFC 7692 §7.2.3.6). zlib would refuse a
            // second flush with no input in between, so an empty message never reaches it.
            guard let base = message.baseAddress, !message.isEmpty else { return ByteBuffer(bytes: [0x00]) }
            let stream = uniqueStream()
            // Most messages shrink; doubling covers the rest.
            var output = ByteBufferAllocator().buffer(capacity: message.count / 4 + 64)
            var offset = 0
            while offset < message.count {
                let piece = min(message.count - offset, Int(Int32.max))  // avail_in is 32 bits wide
                let flush = offset + piece == message.count ? Z_SYNC_FLUSH : Z_NO_FLUSH
                stream.compress(UnsafeRawBufferPointer(start: base + offset, count: piece), flush: flush, into: &output)
                offset += piece
            }
            let end = output.writerIndex
            precondition(output.getBytes(at: end - 4, length: 4) == PerMessageDeflate.tail, "Z_SYNC_FLUSH ends with 00 00 FF FF")
            output.moveWriterIndex(to: end - 4)
            if noContextTakeover { stream.reset() }
            return output
        }

        /// The zlib state, created on first use and copied first if another compressor shares it.
        private mutating func uniqueStream() -> DeflateStream {
            if stream == nil {
                stream = DeflateStream(windowBits: windowBits, level: level, memoryLevel: memoryLevel)
            } else if !isKnownUniquelyReferenced(&stream) {
                stream = DeflateStream(copying: stream!)
            }
            return stream!
        }
    }
}

/// One zlib deflate stream, at a fixed address as zlib requires.
///
/// `@unchecked Sendable`: only a `Compressor` holds it, and a compressor copies it before
/// changing it unless it is the only holder, so it is never changed from two places.
private final class DeflateStream: @unchecked Sendable {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init(windowBits: Int, level: Int, memoryLevel: Int) {
        stream.initialize(to: z_stream())
        // Negative window bits select raw DEFLATE, without zlib's header and checksum (RFC 7692 §7.2.1).
        let status = CZlib_deflateInit2(stream, Int32(level), -Int32(windowBits), Int32(memoryLevel))
        // Only running out of memory gets here, which Swift's own allocations treat as fatal too.
        precondition(status == Z_OK, "deflateInit2 failed with \(status)")
    }

    init(copying other: DeflateStream) {
        stream.initialize(to: z_stream())
        let status = deflateCopy(stream, other.stream)
        precondition(status == Z_OK, "deflateCopy failed with \(status)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` into `output`, growing it as needed, until zlib has taken all of
    /// the input and, for `Z_SYNC_FLUSH`, written everything out.
    func compress(_ input: UnsafeRawBufferPointer, flush: Int32, into output: inout ByteBuffer) {
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(input.count)
        repeat {
            // zlib asks for more than 6 bytes of room when flushing, to avoid repeated markers.
            if output.writableBytes < 64 { output.reserveCapacity(minimumWritableBytes: max(output.capacity, 64)) }
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { space in
                let room = min(space.count, Int(UInt32.max))
                stream.pointee.next_out = space.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(room)
                let status = deflate(stream, flush)
                precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed with \(status)")
                return room - Int(stream.pointee.avail_out)
            }
        } while stream.pointee.avail_out == 0
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
    }

    /// Empties the window, keeping the memory (RFC 7692 §7.2.1, no context takeover).
    func reset() {
        deflateReset(stream)
    }
}
