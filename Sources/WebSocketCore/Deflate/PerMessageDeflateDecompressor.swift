import CZlib
public import NIOCore

extension PerMessageDeflate {
    /// Decompresses the compressed messages one endpoint receives (RFC 7692 §7.2.2), through
    /// zlib's raw DEFLATE, piece by piece as their frames arrive.
    ///
    /// Output goes straight into the message's buffer, at most 64 KiB per step, and each
    /// step is handed to an `inspect` closure (UTF-8 validation) as it is produced; the
    /// moment the message would exceed `limit`, decompression stops with
    /// ``ProtocolError/messageTooLarge(limit:)``, so a small message that would inflate to
    /// gigabytes costs at most `limit` bytes.
    ///
    /// The window used is the peer's negotiated one, but never below 9 bits: zlib turns a
    /// request for an 8-bit window into 9 bits (before 1.2.9, for raw DEFLATE too), so peers
    /// built on it may reach 512 bytes back while announcing 8. zlib's state, about
    /// `1 << windowBits` bytes plus 7 KiB, is allocated with the first compressed message and
    /// kept. Copies of a decompressor share it until one of them decompresses, which then
    /// works on its own copy.
    public struct Decompressor: Sendable {
        /// The window the peer compresses with, as negotiated: 8...15.
        public let windowBits: Int
        /// Whether the peer empties its window after each message, so this side may too.
        public let noContextTakeover: Bool
        private var stream: InflateStream?
        /// A DEFLATE block with BFINAL set ended the stream within the current message.
        private var streamEnded = false
        /// Some of the current message's payload has been decompressed.
        private var messageStarted = false

        /// Creates a decompressor; zlib's state is allocated with the first compressed message.
        public init(windowBits: Int, noContextTakeover: Bool = false) {
            precondition(windowBitsRange.contains(windowBits), "windowBits must be in 8...15")
            self.windowBits = windowBits
            self.noContextTakeover = noContextTakeover
        }

        /// Decompresses the next bytes of a compressed message, as they arrive, appending the
        /// output to `output`.
        ///
        /// - Parameters:
        ///   - input: The next payload bytes of the message, as received.
        ///   - output: The message decompressed so far; it holds only this message.
        ///   - limit: The largest the message may get; one byte more fails.
        ///   - inspect: Called with each piece of output as it is produced, before the next.
        /// - Throws: ``ProtocolError/messageTooLarge(limit:)`` as soon as the output would
        ///   exceed `limit`; ``ProtocolError/invalidCompressedData(_:)`` for data that is not
        ///   DEFLATE; whatever `inspect` throws.
        public mutating func decompress(
            _ input: UnsafeRawBufferPointer, into output: inout ByteBuffer, limit: Int,
            inspect: (UnsafeRawBufferPointer) throws(ProtocolError) -> Void
        ) throws(ProtocolError) {
            guard let base = input.baseAddress, !input.isEmpty else { return }
            let stream = uniqueStream()
            messageStarted = true
            var offset = 0
            // Data after a final block is not part of the DEFLATE stream (RFC 1951 §3.2.3).
            while offset < input.count, !streamEnded {
                let piece = min(input.count - offset, Int(Int32.max))  // avail_in is 32 bits wide
                streamEnded = try stream.decompress(
                    UnsafeRawBufferPointer(start: base + offset, count: piece), into: &output, limit: limit, inspect: inspect)
                offset += piece
            }
        }

        /// Ends the current message: decompresses the `00 00 FF FF` the sender removed
        /// (RFC 7692 §7.2.2), then empties the window if the peer does not take its context
        /// over, or starts a new DEFLATE stream on the same window if a final block ended the
        /// old one (RFC 7692 §7.2.3.4), ready for the next message.
        ///
        /// A message with no payload at all is taken as the empty message, although the
        /// smallest valid one is `00` (RFC 7692 §7.2.3.6): some senders produce it, and it
        /// leaves the window as it was.
        ///
        /// - Throws: as ``decompress(_:into:limit:inspect:)``, and
        ///   ``ProtocolError/invalidCompressedData(_:)`` if the data, tail restored, does not
        ///   end where a DEFLATE block ends: the message was cut short.
        public mutating func finishMessage(
            into output: inout ByteBuffer, limit: Int, inspect: (UnsafeRawBufferPointer) throws(ProtocolError) -> Void
        ) throws(ProtocolError) {
            guard messageStarted else { return }
            let tail = (UInt8(0x00), UInt8(0x00), UInt8(0xFF), UInt8(0xFF))
            try withUnsafeBytes(of: tail) { bytes throws(ProtocolError) in
                try decompress(bytes, into: &output, limit: limit, inspect: inspect)
            }
            // A compliant sender's data ends with an empty stored block once the tail is back
            // (RFC 7692 §7.2.1), unless a final block ended the stream earlier.
            guard streamEnded || stream!.isAtBlockBoundary else {
                throw .invalidCompressedData("message ends inside a DEFLATE block")
            }
            if noContextTakeover || streamEnded { stream!.restart(keepingWindow: !noContextTakeover) }
            streamEnded = false
            messageStarted = false
        }

        /// The zlib state, created on first use and copied first if another decompressor shares it.
        private mutating func uniqueStream() -> InflateStream {
            if stream == nil {
                stream = InflateStream(windowBits: max(windowBits, 9))
            } else if !isKnownUniquelyReferenced(&stream) {
                stream = InflateStream(copying: stream!)
            }
            return stream!
        }
    }
}

/// One zlib inflate stream, at a fixed address as zlib requires.
///
/// `@unchecked Sendable`: only a `Decompressor` holds it, and a decompressor copies it before
/// changing it unless it is the only holder, so it is never changed from two places.
private final class InflateStream: @unchecked Sendable {
    /// The most output one zlib call produces, so that text is validated, and the caller
    /// sees progress, at least every 64 KiB.
    private static let chunkSize = 1 << 16

    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let windowBits: Int

    init(windowBits: Int) {
        self.windowBits = windowBits
        stream.initialize(to: z_stream())
        // Negative window bits select raw DEFLATE, without zlib's header and checksum (RFC 7692 §7.2.2).
        let status = CZlib_inflateInit2(stream, -Int32(windowBits))
        // Only running out of memory gets here, which Swift's own allocations treat as fatal too.
        precondition(status == Z_OK, "inflateInit2 failed with \(status)")
    }

    init(copying other: InflateStream) {
        windowBits = other.windowBits
        stream.initialize(to: z_stream())
        let status = inflateCopy(stream, other.stream)
        precondition(status == Z_OK, "inflateCopy failed with \(status)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decompresses all of `input` into `output` within `limit` (see
    /// ``PerMessageDeflate/Decompressor/decompress(_:into:limit:inspect:)``); returns whether
    /// a final block ended the DEFLATE stream.
    func decompress(
        _ input: UnsafeRawBufferPointer, into output: inout ByteBuffer, limit: Int,
        inspect: (UnsafeRawBufferPointer) throws(ProtocolError) -> Void
    ) throws(ProtocolError) -> Bool {
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(input.count)
        defer { stream.pointee.next_in = nil }
        while true {
            let room = limit - output.readableBytes
            guard room > 0 else {
                // At the limit: any further byte of output makes the message too large.
                var spare: UInt8 = 0
                let (status, produced) = withUnsafeMutableBytes(of: &spare) { inflate(into: $0) }
                guard produced == 0 else { throw .messageTooLarge(limit: limit) }
                return try check(status)
            }
            if output.writableBytes == 0 {
                // Start from a guess at the ratio, then double, never past the limit.
                let wanted = output.capacity == 0 ? max(256, 4 * input.count) : output.readableBytes
                output.reserveCapacity(minimumWritableBytes: min(room, wanted))
            }
            var status = Z_OK
            var filled = false
            try output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { space throws(ProtocolError) in
                let space = UnsafeMutableRawBufferPointer(rebasing: space.prefix(min(room, Self.chunkSize)))
                let result = inflate(into: space)
                status = result.status
                filled = result.produced == space.count
                if status != Z_DATA_ERROR { try inspect(UnsafeRawBufferPointer(rebasing: space.prefix(result.produced))) }
                return result.produced
            }
            if try check(status) { return true }
            // Room left over means zlib took all the input and wrote all it could.
            if !filled { return false }
        }
    }

    /// Whether the last call stopped between DEFLATE blocks: zlib adds 128 to `data_type`
    /// then (zlib.h, `inflate`).
    var isAtBlockBoundary: Bool {
        stream.pointee.data_type & 128 != 0
    }

    /// Runs zlib on the pending input into `space`; its status and the bytes written.
    private func inflate(into space: UnsafeMutableRawBufferPointer) -> (status: Int32, produced: Int) {
        stream.pointee.next_out = space.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(space.count)
        let status = CZlib.inflate(stream, Z_SYNC_FLUSH)
        let produced = space.count - Int(stream.pointee.avail_out)
        stream.pointee.next_out = nil
        return (status, produced)
    }

    /// Whether `status` says the DEFLATE stream ended; throws for data zlib cannot decode.
    private func check(_ status: Int32) throws(ProtocolError) -> Bool {
        switch status {
        case Z_OK, Z_BUF_ERROR: return false  // Z_BUF_ERROR: nothing to do, no input left
        case Z_STREAM_END: return true
        case Z_DATA_ERROR: throw .invalidCompressedData(stream.pointee.msg.map { String(cString: $0) } ?? "invalid data")
        default: preconditionFailure("inflate failed with \(status)")  // out of memory, or misuse
        }
    }

    /// Starts a new DEFLATE stream. With `keepingWindow`, the bytes already decompressed stay
    /// available to the next message, as context takeover requires.
    func restart(keepingWindow: Bool) {
        guard keepingWindow else {
            inflateReset(stream)
            return
        }
        var window = [UInt8](repeating: 0, count: 1 << windowBits)
        var length = uInt(0)
        inflateGetDictionary(stream, &window, &length)
        inflateReset(stream)
        inflateSetDictionary(stream, window, length)
    }
}
