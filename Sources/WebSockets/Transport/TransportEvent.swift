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
    /// "_The WebSocket Connection is Closed_". `failure` is set when the connection was failed
    /// (or flagged as full), which makes the socket fire `error` before `close`.
    case closed(code: UInt16, reason: String, wasClean: Bool, failure: WebSocket.Failure?)
}
