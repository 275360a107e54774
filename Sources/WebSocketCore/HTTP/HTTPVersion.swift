/// The protocol version of an HTTP message's start line (RFC 9112 §2.3).
///
/// The head parser accepts any `HTTP/DIGIT.DIGIT` so that the handshake validators can give the
/// precise reason for a refusal: a WebSocket handshake needs HTTP/1.1 (RFC 6455 §4.1, §4.2.1).
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    /// The digit before the dot.
    public var major: Int
    /// The digit after the dot.
    public var minor: Int

    /// Creates a version from its two digits.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.1, the only version the WebSocket opening handshake runs on (RFC 6455 §4.1).
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// The version as it appears on the wire, for example `HTTP/1.1`.
    public var description: String { "HTTP/\(major).\(minor)" }
}
