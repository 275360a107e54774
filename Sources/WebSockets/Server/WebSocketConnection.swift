/// One client's connection to a ``WebSocketServer``, handed to the handler that accepted it.
/// Its ``readable`` and ``writable`` are the very types of ``WebSocketStream``, with the same
/// behaviour, so code written for one role works in the other.
///
/// ```swift
/// for try await message in connection.readable {
///     try await connection.writable.write(message)
/// }
/// ```
///
/// A client's Close is answered with its code and reason, and the readable ends.
public final class WebSocketConnection: Sendable {
    /// The opening handshake the client sent.
    public let request: WebSocketServer.Request
    /// The subprotocol the server selected; "" for none.
    public let `protocol`: String
    /// The extensions in use, as the server's `Sec-WebSocket-Extensions` said; "" for none.
    public let extensions: String
    /// The messages the client sends.
    public let readable: WebSocketStream.Readable
    /// Where messages to the client go.
    public let writable: WebSocketStream.Writable
    private let endpoint: StreamEndpoint

    init(request: WebSocketServer.Request, protocol: String, extensions: String, endpoint: StreamEndpoint) {
        self.request = request
        self.protocol = `protocol`
        self.extensions = extensions
        self.endpoint = endpoint
        self.readable = WebSocketStream.Readable(endpoint)
        self.writable = WebSocketStream.Writable(endpoint)
    }

    /// How the connection closed: the client's code (1005 for a Close frame without one) and reason.
    ///
    /// - Throws: ``WebSocketError`` when it did not close cleanly (code 1006, or the client's code).
    public var closed: WebSocketStream.CloseInfo {
        get async throws { try await endpoint.closed }
    }

    /// Starts the closing handshake, validated as `WebSocketStream.close` is; does nothing once
    /// closing has started.
    ///
    /// - Throws: `InvalidAccessError` for a code other than 1000 or 3000–4999; `SyntaxError` for
    ///   a reason longer than 123 bytes of UTF-8.
    public func close(closeCode: UInt16? = nil, reason: String? = nil) throws(DOMException) {
        endpoint.closeTheWebSocket(try CloseRequest(code: closeCode, reason: reason))
    }

    /// Closes with a code a script may not send (1000 after the handler, 1011 when it threw, 1001 on shutdown).
    func close(_ request: CloseRequest) {
        endpoint.closeTheWebSocket(request)
    }
}
