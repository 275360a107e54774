import NIOCore

/// Puts data frames together into messages (RFC 6455 §5.4), checking sequencing, limits
/// and UTF-8 as early as each can be checked.
///
/// Sequencing and size are checked from the header alone, before the payload is buffered;
/// text is validated fragment by fragment, and within a frame as its bytes arrive, so invalid
/// UTF-8 fails the connection at the first fragment that contains it (§8.1 fail-fast).
public struct MessageAssembler: Sendable {
    private struct Partial: Sendable {
        var opcode: Opcode
        var fragments: Int
        var size: Int
        var payload: ByteBuffer?
        var validator = UTF8Validator()
    }

    public var limits: Limits
    private var partial: Partial?
    /// Bytes of the current frame's payload already validated while it was arriving.
    private var validatedCount = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether a message has started and not yet ended.
    public var isAssembling: Bool { partial != nil }

    /// Checks a data frame's header: continuation rules, fragment count and message size.
    public mutating func receiveHeader(_ header: FrameHeader) throws(ProtocolError) {
        validatedCount = 0
        switch header.opcode {
        case .text, .binary:
            guard partial == nil else { throw .expectedContinuation(header.opcode) }
            guard header.payloadLength <= limits.maxMessageSize else { throw .messageTooLarge(limit: limits.maxMessageSize) }
            partial = Partial(opcode: header.opcode, fragments: 1, size: header.payloadLength)
        case .continuation:
            guard let current = partial else { throw .unexpectedContinuation }
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

    /// Validates the part of the current frame's payload that has arrived so far.
    public mutating func receivePartialPayload(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) {
        guard partial?.opcode == .text, bytes.count > validatedCount else { return }
        guard partial!.validator.validate(UnsafeRawBufferPointer(rebasing: bytes[validatedCount...])) else {
            throw .invalidUTF8
        }
        validatedCount = bytes.count
    }

    /// Takes a complete data frame (its header already given to ``receiveHeader(_:)``);
    /// returns the message if this frame ends one.
    public mutating func receiveFrame(_ frame: Frame) throws(ProtocolError) -> Message? {
        precondition(partial != nil, "receiveHeader(_:) must accept the frame first")
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

    private static func message(_ opcode: Opcode, _ payload: ByteBuffer) -> Message {
        opcode == .text ? .text(String(buffer: payload)) : .binary(payload)
    }
}
