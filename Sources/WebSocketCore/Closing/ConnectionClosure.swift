/// How a connection ended: RFC 6455's "WebSocket Connection Close Code" and "Close Reason"
/// (§7.1.5, §7.1.6) and whether it "closed cleanly" (§7.1.4).
public struct ConnectionClosure: Sendable, Hashable {
    /// The code of the first close frame received; 1005 if that frame had no code; 1006 if
    /// no close frame was received before the transport closed (or the connection was failed).
    public var code: UInt16
    /// The reason of the first close frame received, or empty.
    public var reason: String
    /// Both close frames were exchanged before the TCP connection closed.
    public var wasClean: Bool
    /// Set when this side failed the connection because of the peer's protocol violation.
    public var failure: ProtocolError?

    /// Creates an outcome from its parts; the engine builds one in
    /// ``Connection/transportClosed()``.
    public init(code: UInt16, reason: String, wasClean: Bool, failure: ProtocolError? = nil) {
        self.code = code
        self.reason = reason
        self.wasClean = wasClean
        self.failure = failure
    }
}
