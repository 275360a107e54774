import NIOCore

/// Puts data frames together into messages (RFC 6455 §5.4), checking sequencing, limits
/// and UTF-8 as early as each can be checked.
///
/// Sequencing and size are checked from the header alone, before the payload is buffered;
/// text is validated fragment by fragment, and within a frame as its bytes arrive, so invalid
/// UTF-8 fails the connection at the first fragment that contains it (§8.1 fail-fast).
///
/// With permessage-deflate, a message whose first frame has RSV1 set is compressed
/// (RFC 7692 §6): its payload is decompressed as it arrives, within a frame too, and the
/// decompressed bytes are what is validated, limited and delivered.
public struct MessageAssembler: Sendable {
    private struct Partial: Sendable {
        var opcode: Opcode
        var fragments: Int
        var size: Int
        var payload: ByteBuffer?
        var validator = UTF8Validator()
        /// The payload holds the decompressed message, not the frames' payloads.
        var compressed = false
    }

    /// The message size and fragment count it enforces; `maxFrameSize` is the frame
    /// decoder's to check.
    public var limits: Limits
    /// Decompresses messages sent compressed; `nil` unless permessage-deflate was negotiated.
    private var decompressor: PerMessageDeflate.Decompressor?
    private var partial: Partial?
    /// Bytes of the current frame's payload already validated, or decompressed, while it was
    /// arriving.
    private var validatedCount = 0

    /// Creates an assembler; with a `decompressor`, RSV1 on a message's first frame means the
    /// message is compressed (RFC 7692 §6).
    public init(limits: Limits = Limits(), decompressor: PerMessageDeflate.Decompressor? = nil) {
        self.limits = limits
        self.decompressor = decompressor
    }

    /// Whether a message has started and not yet ended.
    public var isAssembling: Bool { partial != nil }

    /// Checks a data frame's header: continuation rules, fragment count, message size (of
    /// the payloads as sent, compressed or not) and where RSV1 may be set.
    public mutating func receiveHeader(_ header: FrameHeader) throws(ProtocolError) {
        validatedCount = 0
        let compressed = decompressor != nil && header.reservedBits.contains(.rsv1)
        switch header.opcode {
        case .text, .binary:
            guard partial == nil else { throw .expectedContinuation(header.opcode) }
            guard header.payloadLength <= limits.maxMessageSize else { throw .messageTooLarge(limit: limits.maxMessageSize) }
            partial = Partial(opcode: header.opcode, fragments: 1, size: header.payloadLength, compressed: compressed)
        case .continuation:
            guard let current = partial else { throw .unexpectedContinuation }
            guard !compressed else { throw .misplacedCompressionBit(.continuation) }
            guard current.fragments < limits.maxFragmentsPerMessage else {
                throw .tooManyFragments(limit: limits.maxFragmentsPerMessage)
            }
            guard header.payloadLength <= limits.maxMessageSize - current.size else {
                throw .messageTooLarge(limit: limits.maxMessageSize)
            }
            partial!.fragments += 1
            partial!.size += header.payloadLength
        case .close, .ping, .pong:
            preconditionFailure("control frames are not part of messages")
        }
    }

    /// Validates, or decompresses, the part of the current frame's payload that has arrived
    /// so far.
    public mutating func receivePartialPayload(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) {
        guard partial != nil, bytes.count > validatedCount else { return }
        let fresh = UnsafeRawBufferPointer(rebasing: bytes[validatedCount...])
        if partial!.compressed {
            try decompress(fresh, endingMessage: false)
        } else if partial!.opcode == .text {
            guard partial!.validator.validate(fresh) else { throw .invalidUTF8 }
        }
        validatedCount = bytes.count
    }

    /// Takes a complete data frame (its header already given to ``receiveHeader(_:)``);
    /// returns the message if this frame ends one.
    public mutating func receiveFrame(_ frame: Frame) throws(ProtocolError) -> Message? {
        precondition(partial != nil, "receiveHeader(_:) must accept the frame first")
        if partial!.compressed { return try receiveCompressedFrame(frame) }
        if partial!.opcode == .text {
            let valid = frame.payload.withUnsafeReadableBytes { bytes in
                partial!.validator.validate(UnsafeRawBufferPointer(rebasing: bytes[validatedCount...]))
            }
            guard valid else { throw .invalidUTF8 }
            guard !frame.fin || partial!.validator.isAtCharacterBoundary else { throw .invalidUTF8 }
        }
        validatedCount = 0
        let opcode = partial!.opcode
        if frame.fin, partial!.payload == nil {
            // The common case, a message in one frame: hand its payload on as it is.
            partial = nil
            return Self.message(opcode, frame.payload)
        }
        if partial!.payload == nil {
            partial!.payload = frame.payload
        } else {
            var fragment = frame.payload
            partial!.payload!.writeBuffer(&fragment)
        }
        guard frame.fin else { return nil }
        let payload = partial!.payload!
        partial = nil
        return Self.message(opcode, payload)
    }

    private mutating func receiveCompressedFrame(_ frame: Frame) throws(ProtocolError) -> Message? {
        try frame.payload.withUnsafeReadableBytes { bytes throws(ProtocolError) in
            try decompress(UnsafeRawBufferPointer(rebasing: bytes[validatedCount...]), endingMessage: frame.fin)
        }
        validatedCount = 0
        guard frame.fin else { return nil }
        let opcode = partial!.opcode
        guard opcode != .text || partial!.validator.isAtCharacterBoundary else { throw .invalidUTF8 }
        let payload = partial!.payload ?? ByteBuffer()
        partial = nil
        return Self.message(opcode, payload)
    }

    /// Decompresses the next bytes of the current message into its payload, validating text
    /// as it comes out; at the end of the message, restores the tail the sender removed
    /// (RFC 7692 §7.2.2).
    private mutating func decompress(_ bytes: UnsafeRawBufferPointer, endingMessage: Bool) throws(ProtocolError) {
        // Taken out of `partial` so that the buffer is uniquely referenced and grows in place.
        var payload = partial!.payload.take() ?? ByteBuffer()
        var validator = partial!.validator
        defer {
            partial!.payload = payload
            partial!.validator = validator
        }
        let isText = partial!.opcode == .text
        let limit = limits.maxMessageSize
        try decompressor!.decompress(bytes, into: &payload, limit: limit) { output throws(ProtocolError) in
            guard !isText || validator.validate(output) else { throw .invalidUTF8 }
        }
        guard endingMessage else { return }
        try decompressor!.finishMessage(into: &payload, limit: limit) { output throws(ProtocolError) in
            guard !isText || validator.validate(output) else { throw .invalidUTF8 }
        }
    }

    private static func message(_ opcode: Opcode, _ payload: ByteBuffer) -> Message {
        opcode == .text ? .text(String(buffer: payload)) : .binary(payload)
    }
}
