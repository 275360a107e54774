import NIOCore
import WebSocketCore

/// What the transport reports to its front end (`WebSocket`, a stream, a server connection),
/// on the event loop. `WebSocket` turns each into a task on its event queue (WHATWG WebSockets
/// §4 "Feedback from the protocol").
enum TransportEvent: Sendable {
    /// "_The WebSocket Connection is Established_", with the subprotocol and extensions in use.
    /// The driver now owns the channel; stream front ends talk to it (on the event loop).
    case established(subprotocol: String, extensions: String, driver: ConnectionDriver)
    /// A message arrived.
    case message(Message)
    /// "_The WebSocket Closing Handshake is Started_": the peer's close frame arrived.
    case closingHandshakeStarted(CloseFrame)
    /// Application bytes reached the network; `bufferedAmount` shrinks by this much.
    case transmitted(UInt64)
    /// "_The WebSocket Connection is Closed_". `failed` is true when the user agent was required
    /// to fail the connection (or it was flagged as full), which makes the socket fire `error`
    /// before `close` (WHATWG WebSockets §4). `failure` says what went wrong, also when the
    /// connection was merely lost, which is not a failure in the standard's sense.
    case closed(code: UInt16, reason: String, wasClean: Bool, failure: WebSocket.Failure?, failed: Bool)
}
