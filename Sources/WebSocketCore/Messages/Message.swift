public import NIOCore

/// A complete data message (RFC 6455 §5.6), whether it came in one frame or many.
public enum Message: Sendable, Hashable {
    /// A text message; its bytes were validated as UTF-8.
    case text(String)
    /// A binary message.
    case binary(ByteBuffer)
}
