public import HTTPTypes
public import NIOCore
import WebSocketCore

extension WebSocketServer {
    /// A client's opening handshake, as the server's handler sees it to decide.
    public struct Request: Sendable, Hashable {
        /// The request-target exactly as sent ("/chat?room=1").
        public let target: String
        /// The target's path, as sent (not percent-decoded).
        public let path: String
        /// The target's query after "?", as sent; `nil` without one.
        public let query: String?
        /// Every header field, in order.
        public let headers: HTTPFields
        /// The client's address; `nil` when the transport has none (a Unix socket client).
        public let remoteAddress: SocketAddress?
        /// The subprotocols the client offered, in its order of preference.
        public let protocols: [String]
        /// The `Sec-WebSocket-Extensions` offer, as sent ("" when none).
        public let extensions: String

        init(_ request: HandshakeRequest, remoteAddress: SocketAddress?) {
            let target = request.head.target
            self.target = target
            if let question = target.firstIndex(of: "?") {
                path = String(target[..<question])
                query = String(target[target.index(after: question)...])
            } else {
                path = target
                query = nil
            }
            var fields = HTTPFields()
            // Kept for the connection's life: no room to spare.
            fields.reserveCapacity(request.head.headers.count)
            for field in request.head.headers {
                if let name = HTTPField.Name(field.name) { fields.append(HTTPField(name: name, value: field.value)) }
            }
            headers = fields
            self.remoteAddress = remoteAddress
            protocols = request.protocols
            extensions = request.head.headers["Sec-WebSocket-Extensions"].joined(separator: ", ")
        }
    }

    /// The handler's answer to a ``Request``.
    public enum Decision: Sendable {
        /// Accepts the connection with `protocol` (one the client offered, or `nil` for none)
        /// and extra response headers, then runs `handler` with the connection. When the handler
        /// returns the connection is closed with 1000; when it throws, with 1011 — except for
        /// the `CancellationError` that cancelling ``WebSocketServer/run()`` brings it, which
        /// closes with 1001, as shutting down does.
        case accept(
            protocol: String? = nil, headers: HTTPFields = [:],
            handler: @Sendable (WebSocketConnection) async throws -> Void)
        /// Refuses with an HTTP status (4xx or 5xx), headers and a plain-text body.
        case reject(status: Int, headers: HTTPFields = [:], body: String = "")

        /// The code an accepted connection runs.
        public typealias Body = @Sendable (WebSocketConnection) async throws -> Void
    }
}
