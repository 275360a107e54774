import NIOCore
import NIOExtras
import NIOSOCKS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WebSocket.Failure {
    /// Names what went wrong while the proxy was opening the tunnel; `status` is the HTTP proxy's
    /// answer to `CONNECT`, if one came.
    static func proxy(_ error: any Error, status: Int?) -> WebSocket.Failure {
        if let status, !(200..<300).contains(status) {
            // Before the tunnel only the proxy answers, so a 401 is its own (tinyproxy's answer to
            // wrong credentials), not the origin server's.
            return [401, 407].contains(status) ? .proxyAuthenticationRequired : .proxyRefused(status: status)
        }
        switch error {
        case let failure as WebSocket.Failure:
            return failure
        case let error as NIOHTTP1ProxyConnectHandler.Error where [.remoteConnectionClosed(), .channelUnexpectedlyInactive()].contains(error):
            return .proxyTunnelClosed
        // A proxy that hangs up on a request it has not read resets the connection rather than closing it.
        case let error as IOError where [ECONNRESET, EPIPE].contains(error.errnoCode):
            return .proxyTunnelClosed
        case let error as NIOHTTP1ProxyConnectHandler.Error where error == .httpProxyHandshakeTimeout():
            return .connectTimedOut
        case let error as SOCKSError.ConnectionFailed:
            return .socksProxyRefused(reply: Int(error.reply.value))
        // We offer only "no authentication", which a proxy that wants credentials refuses with
        // "no acceptable methods" (RFC 1928 §3).
        case let error as SOCKSError.InvalidAuthenticationSelection where error.selection == .noneAcceptable:
            return .proxyAuthenticationRequired
        default:
            return .proxyConnectionFailed(String(describing: error))
        }
    }

    /// Names what went wrong while connecting to `proxy`; a timeout stays ``connectTimedOut``.
    static func connecting(_ error: any Error, to proxy: ProxyURL) -> WebSocket.Failure {
        if let failure = error as? WebSocket.Failure { return failure }
        let failure = connecting(error, host: proxy.host, port: proxy.port)
        return failure == .connectTimedOut ? failure : .proxyConnectionFailed(failure.description)
    }
}
