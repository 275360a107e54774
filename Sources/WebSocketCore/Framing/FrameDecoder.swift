public import NIOCore

/// Turns a stream of bytes, in chunks of any size, into frames (RFC 6455 §5.2).
///
/// Each frame is reported twice: first its header, the moment the header is complete, so
/// the caller can apply its own rules (message size, fragment sequencing) before any payload
/// is buffered; then the whole frame, payload unmasked. While a frame's payload is still
/// arriving, ``withPendingPayload(_:)`` shows the part received so far, for fail-fast checks.
///
/// A payload that arrives in one piece is handed out as a slice of the received buffer (or,
/// when masked, unmasked into one new buffer); a payload spread over many reads is gathered
/// into one buffer sized from the header, unmasked there as it arrives, and handed out as is.
/// Either way a frame is never held twice.
public struct FrameDecoder: Sendable {
    /// What ``next()`` found.
    public enum Output: Sendable, Hashable {
        /// A frame header was parsed; its frame follows once the payload is complete.
        case header(FrameHeader)
        /// A complete frame.
        case frame(Frame)
    }

    /// Which end this decoder reads for: a server requires masked frames, a client refuses
    /// them (§5.1).
    public let role: Role
    /// The RSV bits the negotiated extensions define; any other set bit fails the frame.
    public var allowedReservedBits: ReservedBits
    /// The largest payload a frame may announce.
    public var maxFrameSize: Int

    private var buffer = ByteBuffer()
    /// The header of the frame whose payload is being received.
    private var pending: FrameHeader?
    /// How many bytes of the pending payload are already unmasked in place.
    private var unmaskedCount = 0

    /// Creates a decoder for `role` that accepts the RSV bits in `allowedReservedBits` and
    /// payloads of at most `maxFrameSize` bytes.
    public init(role: Role, allowedReservedBits: ReservedBits = [], maxFrameSize: Int = Limits().maxFrameSize) {
        self.role = role
        self.allowedReservedBits = allowedReservedBits
        self.maxFrameSize = maxFrameSize
    }

    /// Bytes received but not yet handed out as part of a frame.
    public var bufferedByteCount: Int { buffer.readableBytes }

    /// Adds received bytes.
    public mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        if buffer.readableBytes == 0 {
            buffer = bytes  // the common case: take the chunk as it is, no copy
        } else if buffer.readerIndex == 0 {
            buffer.writeBuffer(&bytes)  // gathering a frame into storage that is ours alone
        } else {
            // Frames already sliced out may share this storage: copy only the unread tail,
            // rather than letting copy-on-write duplicate everything before it too.
            var joined = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + bytes.readableBytes)
            joined.writeBuffer(&buffer)
            joined.writeBuffer(&bytes)
            buffer = joined
        }
    }

    /// The next header or frame, or `nil` when more bytes are needed.
    public mutating func next() throws(ProtocolError) -> Output? {
        guard let header = pending else {
            guard let (header, length) = try FrameHeader.parse(
                buffer, role: role, allowedReservedBits: allowedReservedBits, maxFrameSize: maxFrameSize)
            else { return nil }
            buffer.moveReaderIndex(forwardBy: length)
            pending = header
            unmaskedCount = 0
            return .header(header)
        }
        let length = header.payloadLength
        guard buffer.readableBytes >= length else {
            prepareToGather(length)
            return nil
        }
        let payload: ByteBuffer
        if let key = header.maskingKey, unmaskedCount == 0 {
            payload = buffer.withUnsafeReadableBytes { bytes in
                Self.unmaskedCopy(of: UnsafeRawBufferPointer(rebasing: bytes.prefix(length)), key: key)
            }
            buffer.moveReaderIndex(forwardBy: length)
        } else {
            unmaskPending(upTo: length)
            payload = buffer.readSlice(length: length)!
        }
        pending = nil
        if buffer.readableBytes == 0 { buffer = ByteBuffer() }  // let go of storage handed out in slices
        return .frame(Frame(fin: header.fin, reservedBits: header.reservedBits, opcode: header.opcode, payload: payload))
    }

    /// Calls `body` with the header and the unmasked payload bytes received so far of a
    /// frame that is not complete yet; returns `nil` if no frame is in progress.
    public mutating func withPendingPayload<Result>(
        _ body: (FrameHeader, UnsafeRawBufferPointer) throws(ProtocolError) -> Result
    ) throws(ProtocolError) -> Result? {
        guard let header = pending else { return nil }
        let available = min(buffer.readableBytes, header.payloadLength)
        unmaskPending(upTo: available)
        return try buffer.withUnsafeReadableBytes { bytes throws(ProtocolError) in
            try body(header, UnsafeRawBufferPointer(rebasing: bytes.prefix(available)))
        }
    }

    /// Gives a payload spread over several reads its own buffer, sized from the header, so
    /// that later chunks are appended without regrowing and unmasked in place without
    /// disturbing slices handed out earlier from the same storage.
    private mutating func prepareToGather(_ length: Int) {
        guard buffer.readerIndex != 0 || buffer.capacity < length else { return }
        var gathered = ByteBufferAllocator().buffer(capacity: length)
        gathered.writeBuffer(&buffer)
        buffer = gathered
    }

    private mutating func unmaskPending(upTo end: Int) {
        guard let key = pending?.maskingKey, unmaskedCount < end else { return }
        let start = unmaskedCount
        buffer.withUnsafeMutableReadableBytes { bytes in
            key.apply(to: UnsafeMutableRawBufferPointer(rebasing: bytes[start..<end]), offset: start)
        }
        unmaskedCount = end
    }

    private static func unmaskedCopy(of source: UnsafeRawBufferPointer, key: MaskingKey) -> ByteBuffer {
        var payload = ByteBufferAllocator().buffer(capacity: source.count)
        payload.writeWithUnsafeMutableBytes(minimumWritableBytes: source.count) { destination in
            key.apply(from: source, to: destination)
            return source.count
        }
        return payload
    }
}
