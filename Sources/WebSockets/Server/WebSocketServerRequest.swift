public import HTTPTypes
public import NIOCore
import WebSocketCore

extension WebSocketServer {
    /// A client's opening handshake, as the server's handler sees it to decide.
    public struct Request: Sendable, Hashable {
        /// The request-target exactly as sent ("/chat?room=1").
        public let target: String
        /// The target's path, as sent (not percent-decoded).
        public var path: String {
            target.firstIndex(of: "?").map { String(target[..<$0]) } ?? target
        }
        /// The target's query after "?", as sent; `nil` without one.
        public var query: String? {
            target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
        }
        /// Every header field, in order.
        ///
        /// Built from the field lines each time it is read: a connection keeps its request for
        /// its whole life, and one string of field lines costs it less than `HTTPFields`.
        public var headers: HTTPFields {
            var fields = HTTPFields()
            for line in fieldLines.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon])) else { continue }
                fields.append(HTTPField(name: name, value: String(line[line.index(after: colon)...])))
            }
            return fields
        }
        /// The client's address; `nil` when the transport has none (a Unix socket client).
        public let remoteAddress: SocketAddress?
        /// The subprotocols the client offered, in its order of preference.
        public let protocols: [String]
        /// The `Sec-WebSocket-Extensions` offer, as sent ("" when none).
        public let extensions: String
        private let fieldLines: String

        init(_ request: HandshakeRequest, remoteAddress: SocketAddress?) {
            // Only the target is kept, `path` and `query` are read from it: a connection keeps
            // its request for its whole life.
            target = request.head.target
            // "name:value\n" per field: the parser let no line break into a name or value, nor a
            // colon into a name. Names `HTTPField.Name` refuses are left out, as `headers` would.
            var fieldLines = ""
            for field in request.head.headers where HTTPField.Name(field.name) != nil {
                fieldLines += field.name + ":" + field.value + "\n"
            }
            self.fieldLines = fieldLines
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
