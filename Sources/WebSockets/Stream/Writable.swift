public import Foundation
import NIOCore
import NIOFoundationCompat
import WebSocketCore

extension WebSocketStream {
    /// Where messages are sent (the proposal's writable stream).
    ///
    /// A write returns once the bytes the library holds unsent — its own included — are at most
    /// ``WebSocket/Options/writeBufferLimit``, so a peer that reads slowly makes writers wait.
    /// A write still waiting when the closing handshake starts throws `InvalidStateError`, and so
    /// does every later write; with none waiting, later writes throw the ``WebSocketError`` after
    /// an unclean close and `InvalidStateError` after a clean one. Cancelling a waiting write
    /// ends the wait with `CancellationError`; the message is still sent.
    public struct Writable: Sendable, Hashable {
        let endpoint: StreamEndpoint

        init(_ endpoint: StreamEndpoint) {
            self.endpoint = endpoint
        }

        /// Sends a message: text as a text message, bytes as a binary one.
        public func write(_ message: WebSocketMessage) async throws {
            switch message {
            case .text(let text): try await write(text)
            case .binary(let data): try await write(data)
            }
        }

        /// Sends a text message.
        public func write(_ text: String) async throws {
            try await endpoint.write(.text(text))
        }

        /// Sends a binary message.
        public func write(_ data: Data) async throws {
            try await endpoint.write(.binary(data))
        }

        /// Sends a binary message.
        public func write(_ bytes: [UInt8]) async throws {
            try await endpoint.write(.bytes(bytes))
        }

        /// The proposal's close: sends a Close frame without a code and returns when the closing
        /// handshake completes.
        ///
        /// - Throws: The ``WebSocketError`` if the connection did not close cleanly.
        public func close() async throws {
            endpoint.closeTheWebSocket(CloseRequest(trusted: nil))
            _ = try await endpoint.closed
        }

        /// The proposal's abort: closes the connection, with the reason's code and reason when it
        /// is given, else with a Close frame without a body. It does not wait.
        public func abort(_ reason: WebSocketError? = nil) {
            endpoint.closeUsingReason(reason)
        }

        public static func == (lhs: Writable, rhs: Writable) -> Bool { lhs.endpoint === rhs.endpoint }
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(endpoint)) }
    }
}
