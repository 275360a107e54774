public import WebSocketCore

extension WebSocket {
    /// Why a connection failed or was lost, in detail. Events never show this — as the
    /// standard requires (WHATWG WebSockets §4), every failure looks the same to them, an
    /// `error` event then a `close` event with code 1006 — but ``WebSocket/failure`` does.
    ///
    /// A connection that was established and then lost (``connectionLost(_:)``, or
    /// ``tlsFailed(_:)`` once open) was closed, not failed: it gets only the `close` event,
    /// unclean with code 1006, as browsers do.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The host name could not be resolved.
        case nameResolutionFailed(host: String)
        /// The server refused the TCP connection.
        case connectionRefused(host: String, port: Int)
        /// Connecting did not succeed within ``Options/connectTimeout``.
        case connectTimedOut
        /// Connecting failed for another reason, described.
        case connectFailed(String)
        /// The TLS handshake failed (for instance the certificate could not be verified).
        case tlsFailed(String)
        /// The server did not answer the opening handshake within ``Options/handshakeTimeout``.
        case handshakeTimedOut
        /// The server's handshake response was refused: a status other than 101, a wrong
        /// `Sec-WebSocket-Accept`, a subprotocol or extension that was not offered, …
        case handshakeFailed(HandshakeError)
        /// The server accepted permessage-deflate with parameters RFC 7692 §7.1 does not allow,
        /// or that the client did not offer.
        case extensionNegotiationFailed(PerMessageDeflate.NegotiationError)
        /// The server broke RFC 6455 after the handshake; the connection was failed with the
        /// error's close code.
        case protocolViolation(ProtocolError)
        /// The TCP connection closed (or broke) before the closing handshake completed.
        case connectionLost(String?)
        /// No pong arrived within the keepalive timeout.
        case keepaliveTimedOut
        /// More than ``Options/maxBufferedAmount`` bytes were waiting to be sent: the socket was
        /// "flagged as full" and closed (WHATWG WebSockets §3.1 `send()`).
        case bufferFull
        /// `close()` was called before the connection was established.
        case closedBeforeEstablished

        public var description: String {
            switch self {
            case .nameResolutionFailed(let host): "could not resolve host \(host)"
            case .connectionRefused(let host, let port): "connection to \(host):\(port) refused"
            case .connectTimedOut: "connecting timed out"
            case .connectFailed(let detail): "connecting failed: \(detail)"
            case .tlsFailed(let detail): "TLS handshake failed: \(detail)"
            case .handshakeTimedOut: "the server did not answer the opening handshake in time"
            case .handshakeFailed(let error): "opening handshake failed: \(error)"
            case .extensionNegotiationFailed(let error): "permessage-deflate negotiation failed: \(error)"
            case .protocolViolation(let error): "the server broke the protocol: \(error)"
            case .connectionLost(let detail): "the connection was lost" + (detail.map { ": \($0)" } ?? "")
            case .keepaliveTimedOut: "no pong arrived in time"
            case .bufferFull: "too much data waiting to be sent"
            case .closedBeforeEstablished: "closed before the connection was established"
            }
        }
    }
}
