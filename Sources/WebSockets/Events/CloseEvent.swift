/// The end of a ``WebSocket`` connection (WHATWG WebSockets §6 The `CloseEvent` interface).
///
/// The socket fires it with type `"close"` when the WebSocket connection is closed (§4). After a
/// failure — unreachable host, TLS error, bad handshake, protocol violation — it is always
/// `wasClean == false`, `code == 1006`, `reason == ""`: the standard forbids telling those cases
/// apart here; `WebSocket.failure` carries the diagnosis instead.
///
/// Immutable, hence safe to share between threads (see ``Event``).
public final class CloseEvent: Event, @unchecked Sendable {
    /// Whether the connection closed cleanly: the closing handshake completed and the TCP
    /// connection was closed after it (§6 `wasClean`, RFC 6455 §7.1.4).
    public let wasClean: Bool

    /// The WebSocket connection close code: the status code of the peer's close frame, 1005 when it
    /// had none, 1006 when the connection ended without one (§6 `code`, RFC 6455 §7.1.5).
    public let code: UInt16

    /// The WebSocket connection close reason, UTF-8 decoded without BOM (§6 `reason`, RFC 6455 §7.1.6).
    public let reason: String

    /// Creates a close event, mirroring `new CloseEvent(type, eventInitDict)` and the defaults of
    /// `CloseEventInit` (§6): not clean, code 0, empty reason.
    public init(type: String = "close", wasClean: Bool = false, code: UInt16 = 0, reason: String = "") {
        self.wasClean = wasClean
        self.code = code
        self.reason = reason
        super.init(type: type)
    }

    /// A short summary for logs, e.g. `CloseEvent(type: "close", wasClean: true, code: 1000, reason: "bye")`.
    public override var description: String {
        "CloseEvent(type: \(String(reflecting: type)), wasClean: \(wasClean), code: \(code), reason: \(String(reflecting: reason)))"
    }
}
