extension WebSocket {
    /// The state of the connection (WHATWG WebSockets §3.1 "ready state").
    public enum ReadyState: UInt16, Sendable, Hashable, CustomStringConvertible {
        /// The connection has not yet been established.
        case connecting = 0
        /// The connection is established and communication is possible.
        case open = 1
        /// The connection is going through the closing handshake, or `close()` was called.
        case closing = 2
        /// The connection has been closed or could not be opened.
        case closed = 3

        public var description: String {
            switch self {
            case .connecting: "CONNECTING"
            case .open: "OPEN"
            case .closing: "CLOSING"
            case .closed: "CLOSED"
            }
        }
    }

    /// How binary messages are exposed (WHATWG WebSockets §3.1 "binary type").
    public enum BinaryType: String, Sendable, Hashable {
        /// As a ``Blob`` (the default).
        case blob
        /// As Foundation `Data`, the analogue of an `ArrayBuffer`.
        case arraybuffer
    }
}
