extension WebSocketStream {
    /// What `opened` gives: the two halves of the connection and what the handshake agreed on
    /// (the proposal's `WebSocketOpenInfo`).
    public struct OpenInfo: Sendable, Hashable {
        /// The messages that arrive.
        public let readable: Readable
        /// Where messages are sent.
        public let writable: Writable
        /// The extensions in use, as the server's `Sec-WebSocket-Extensions` said; "" for none.
        public let extensions: String
        /// The subprotocol in use; "" for none.
        public let `protocol`: String
    }

    /// How a connection closed cleanly (the proposal's `WebSocketCloseInfo`).
    public struct CloseInfo: Sendable, Hashable {
        /// The peer's close code; 1005 when its Close frame had none.
        public let closeCode: UInt16?
        /// The peer's close reason.
        public let reason: String

        /// Creates a close info.
        public init(closeCode: UInt16?, reason: String) {
            self.closeCode = closeCode
            self.reason = reason
        }
    }
}
