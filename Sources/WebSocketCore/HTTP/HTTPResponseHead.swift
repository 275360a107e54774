import NIOCore

/// The head of an HTTP/1.1 response: status line and header fields (RFC 9112 §4).
///
/// A WebSocket server answers the opening handshake with one (RFC 6455 §4.2.2); a client parses
/// it with ``HTTPHeadParser`` and validates it with ``ClientHandshake``.
public struct HTTPResponseHead: Sendable, Hashable {
    /// The protocol version of the status line.
    public var version: HTTPVersion
    /// The three-digit status code, for example 101 (RFC 9110 §15).
    public var statusCode: Int
    /// The reason phrase, possibly empty; carries no meaning (RFC 9112 §4).
    public var reasonPhrase: String
    /// The header fields, in order.
    public var headers: HTTPHeaders

    /// Creates a response head.
    public init(version: HTTPVersion = .http1_1, statusCode: Int, reasonPhrase: String, headers: HTTPHeaders = [:]) {
        self.version = version
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase
        self.headers = headers
    }

    /// Appends the head's wire form, CRLF CRLF included, to `buffer`. The caller vouches that
    /// every part is valid syntax; the handshake builders check before calling.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeString("\(version) \(statusCode) \(reasonPhrase)\r\n")
        headers.write(into: &buffer)
        buffer.writeStaticString("\r\n")
    }
}
