public import NIOCore

/// A whole frame with its payload unmasked (RFC 6455 §5.2).
public struct Frame: Sendable, Hashable {
    /// FIN: this frame is the last of its message (§5.2); control frames always have it (§5.5).
    public var fin: Bool
    /// RSV1–RSV3: zero unless a negotiated extension defines them (§5.2).
    public var reservedBits: ReservedBits
    /// How to interpret the payload: a data frame, a continuation or a control frame (§5.2).
    public var opcode: Opcode
    /// The application data, already unmasked if the frame was masked on the wire.
    public var payload: ByteBuffer

    /// Creates a frame; by default the final fragment, with no RSV bits and an empty payload.
    @inlinable
    public init(fin: Bool = true, reservedBits: ReservedBits = [], opcode: Opcode, payload: ByteBuffer = ByteBuffer()) {
        self.fin = fin
        self.reservedBits = reservedBits
        self.opcode = opcode
        self.payload = payload
    }

    /// Appends the frame to `buffer`, masking the payload with `maskingKey` if given (§5.3).
    ///
    /// The payload is copied and masked in one pass; it is never masked in place, so the
    /// caller's buffer is left as it was.
    @inlinable
    public func write(to buffer: inout ByteBuffer, maskingKey: MaskingKey?) {
        payload.withUnsafeReadableBytes { bytes in
            Frame.write(fin: fin, reservedBits: reservedBits, opcode: opcode, payload: bytes, maskingKey: maskingKey, to: &buffer)
        }
    }

    /// Appends one frame built from raw payload bytes; the single serialisation routine that
    /// every outgoing frame goes through.
    @inlinable
    public static func write(
        fin: Bool, reservedBits: ReservedBits = [], opcode: Opcode,
        payload: UnsafeRawBufferPointer, maskingKey: MaskingKey?, to buffer: inout ByteBuffer
    ) {
        let header = FrameHeader(
            fin: fin, reservedBits: reservedBits, opcode: opcode, maskingKey: maskingKey, payloadLength: payload.count)
        buffer.reserveCapacity(minimumWritableBytes: header.encodedLength + payload.count)
        header.write(to: &buffer)
        guard let maskingKey else {
            buffer.writeBytes(payload)
            return
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: payload.count) { destination in
            maskingKey.apply(from: payload, to: destination)
            return payload.count
        }
    }
}
