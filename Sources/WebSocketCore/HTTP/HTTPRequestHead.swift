import NIOCore

/// The head of an HTTP/1.1 request: request line and header fields (RFC 9112 §3).
///
/// A WebSocket client sends one as its opening handshake (RFC 6455 §4.1); a server parses one
/// with ``HTTPHeadParser`` and validates it with ``ServerHandshake``.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method token, for example `GET` (RFC 9110 §9).
    public var method: String
    /// The request-target exactly as sent, for example `/chat?room=1` (RFC 9112 §3.2).
    public var target: String
    /// The protocol version of the request line.
    public var version: HTTPVersion
    /// The header fields, in order.
    public var headers: HTTPHeaders

    /// Creates a request head.
    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// Appends the head's wire form, CRLF CRLF included, to `buffer`. The caller vouches that
    /// every part is valid syntax; the handshake builders check before calling.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeString("\(method) \(target) \(version)\r\n")
        headers.write(into: &buffer)
        buffer.writeStaticString("\r\n")
    }
}
