/// A violation of RFC 6455 by the peer, found by the engine.
///
/// Each case maps to the close code sent when the engine fails the connection; that mapping
/// lives in ``closeCode`` and nowhere else.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A client sent an unmasked frame (RFC 6455 §5.1).
    case unmaskedFrameFromClient
    /// A server sent a masked frame (RFC 6455 §5.1).
    case maskedFrameFromServer
    /// RSV bits set that no negotiated extension defines (RFC 6455 §5.2).
    case reservedBitsSet(ReservedBits)
    /// An opcode RFC 6455 reserves for future use (§5.2).
    case reservedOpcode(UInt8)
    /// A 64-bit payload length with its most significant bit set (RFC 6455 §5.2).
    case payloadLengthTooLarge
    /// A length not in its shortest encoding (16-bit below 126, 64-bit below 65536) (RFC 6455 §5.2).
    case nonMinimalPayloadLength
    /// A control frame with more than 125 bytes of payload (RFC 6455 §5.5).
    case controlFrameTooLong(Int)
    /// A control frame without the FIN bit (RFC 6455 §5.5).
    case fragmentedControlFrame
    /// A continuation frame with no message in progress (RFC 6455 §5.4).
    case unexpectedContinuation
    /// A text or binary frame while a fragmented message was in progress (RFC 6455 §5.4).
    case expectedContinuation(Opcode)
    /// A close frame whose payload is a single byte (RFC 6455 §5.5.1).
    case closePayloadTooShort
    /// A close frame with a code that may not be sent (RFC 6455 §7.4).
    case invalidCloseCode(UInt16)
    /// A text message, or a close reason, that is not valid UTF-8 (RFC 6455 §5.6, §8.1).
    case invalidUTF8
    /// A frame longer than the configured maximum.
    case frameTooLarge(length: Int, limit: Int)
    /// A message longer than the configured maximum.
    case messageTooLarge(limit: Int)
    /// A message split into more frames than the configured maximum.
    case tooManyFragments(limit: Int)
    /// RSV1, permessage-deflate's "Per-Message Compressed" bit, on a control or continuation
    /// frame: only the first frame of a data message may carry it (RFC 7692 §6).
    case misplacedCompressionBit(Opcode)
    /// A compressed message whose data is not valid DEFLATE (RFC 7692 §7.2.2, RFC 1951),
    /// with zlib's description of what was wrong.
    case invalidCompressedData(String)

    /// The status code to send when failing the connection for this error (RFC 6455 §7.4.1).
    public var closeCode: CloseCode {
        switch self {
        // Undecodable DEFLATE data is a payload that does not match its message's type, as
        // invalid UTF-8 is: the frames themselves are well formed. Node's ws sends 1007 too;
        // python-websockets sends 1002.
        case .invalidUTF8, .invalidCompressedData: .invalidFramePayloadData
        case .frameTooLarge, .messageTooLarge, .tooManyFragments: .messageTooBig
        case .unmaskedFrameFromClient, .maskedFrameFromServer, .reservedBitsSet, .reservedOpcode,
             .payloadLengthTooLarge, .nonMinimalPayloadLength, .controlFrameTooLong, .fragmentedControlFrame,
             .unexpectedContinuation, .expectedContinuation, .closePayloadTooShort, .invalidCloseCode,
             .misplacedCompressionBit:
            .protocolError
        }
    }

    public var description: String {
        switch self {
        case .unmaskedFrameFromClient: "client sent an unmasked frame"
        case .maskedFrameFromServer: "server sent a masked frame"
        case .reservedBitsSet(let bits): "reserved bits 0x\(String(bits.rawValue, radix: 16)) set without an extension that defines them"
        case .reservedOpcode(let opcode): "reserved opcode 0x\(String(opcode, radix: 16))"
        case .payloadLengthTooLarge: "64-bit payload length has its most significant bit set"
        case .nonMinimalPayloadLength: "payload length not in its shortest encoding"
        case .controlFrameTooLong(let length): "control frame with \(length) bytes of payload (at most 125 allowed)"
        case .fragmentedControlFrame: "fragmented control frame"
        case .unexpectedContinuation: "continuation frame without a message in progress"
        case .expectedContinuation(let opcode): "\(opcode) frame while a fragmented message was in progress"
        case .closePayloadTooShort: "close frame with a 1-byte payload"
        case .invalidCloseCode(let code): "close code \(code) may not be sent"
        case .invalidUTF8: "invalid UTF-8 in text"
        case .frameTooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit)"
        case .messageTooLarge(let limit): "message exceeds the limit of \(limit) bytes"
        case .tooManyFragments(let limit): "message split into more than \(limit) frames"
        case .misplacedCompressionBit(let opcode): "compressed bit (RSV1) set on a \(opcode) frame"
        case .invalidCompressedData(let reason): "invalid compressed data: \(reason)"
        }
    }
}
