public import WebSocketCore

extension WebSocket {
    /// Why a connection failed or was lost, in detail. Events never show this — as the
    /// standard requires (WHATWG WebSockets §4), every failure looks the same to them, an
    /// `error` event then a `close` event with code 1006 — but ``WebSocket/failure`` does.
    ///
    /// A connection that was established and then lost (``connectionLost(_:)``, or
    /// ``tlsFailed(_:)`` once open) was closed, not failed: it gets only the `close` event,
    /// unclean with code 1006, as browsers do.
    // `indirect`: one word wherever it is kept, as every connection's driver keeps one, and
    // failing is rare enough to box its details.
    public indirect enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The host name could not be resolved.
        case nameResolutionFailed(host: String)
        /// The server refused the TCP connection.
        case connectionRefused(host: String, port: Int)
        /// Connecting did not succeed within ``Options/connectTimeout``.
        case connectTimedOut
        /// Connecting failed for another reason, described.
        case connectFailed(String)
        /// The proxy (``Options/proxy``) could not be reached, or did not speak its protocol as
        /// expected; described.
        case proxyConnectionFailed(String)
        /// The HTTP proxy answered `CONNECT` with this status rather than 2xx: it would not open
        /// the tunnel (RFC 9110 §9.3.6), for instance 403 for a port it does not allow or 502 for
        /// an origin server it could not reach. 401 and 407 are ``proxyAuthenticationRequired``.
        case proxyRefused(status: Int)
        /// The SOCKS5 proxy answered the `CONNECT` request with this reply code rather than 0,
        /// "succeeded" (RFC 1928 §6): 1 general failure, 2 not allowed by its rules, 3 network
        /// unreachable, 4 host unreachable, 5 connection refused, 6 TTL expired, 7 command not
        /// supported, 8 address type not supported.
        case socksProxyRefused(reply: Int)
        /// The proxy wants credentials, or refused the ones given: an HTTP proxy's 407 (or 401,
        /// which some proxies answer to wrong credentials), or a SOCKS5 proxy that accepts none
        /// of the methods offered (only "no authentication" is).
        case proxyAuthenticationRequired
        /// The proxy closed the connection before the tunnel was open.
        case proxyTunnelClosed
        /// The proxy URL, given or from the environment, is not one (see ``Proxy``) or asks for
        /// what is not supported; described.
        case invalidProxy(String)
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
            case .proxyConnectionFailed(let detail): "could not use the proxy: \(detail)"
            case .proxyRefused(let status): "the proxy refused to open the tunnel: HTTP status \(status)"
            case .socksProxyRefused(let reply): "the SOCKS5 proxy refused to open the tunnel: reply \(reply)"
            case .proxyAuthenticationRequired: "the proxy requires authentication, or refused the credentials"
            case .proxyTunnelClosed: "the proxy closed the connection before the tunnel was open"
            case .invalidProxy(let detail): "invalid proxy: \(detail)"
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
