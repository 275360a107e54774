/// Why the engine refused something its own side asked it to send.
public enum SendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A close frame was already sent: no data frame may follow it (RFC 6455 §5.5.1).
    case closeAlreadySent
    /// Control frame payloads are at most 125 bytes (RFC 6455 §5.5); a close reason thus at
    /// most 123 bytes of UTF-8.
    case controlPayloadTooLong(Int)
    /// The close code may not be sent on the wire (RFC 6455 §7.4).
    case invalidCloseCode(UInt16)

    public var description: String {
        switch self {
        case .closeAlreadySent: "a close frame was already sent"
        case .controlPayloadTooLong(let length): "control frame payload of \(length) bytes exceeds 125"
        case .invalidCloseCode(let code): "close code \(code) may not be sent"
        }
    }
}
