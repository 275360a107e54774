import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WebSocket.Failure {
    /// Names what went wrong while obtaining the TCP connection (WHATWG WebSockets §2.1).
    static func connecting(_ error: any Error, host: String, port: Int) -> WebSocket.Failure {
        switch error {
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return .nameResolutionFailed(host: host)
            }
            let refused = error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
            if refused { return .connectionRefused(host: host, port: port) }
            if error.connectionErrors.isEmpty { return .nameResolutionFailed(host: host) }
            return .connectFailed(String(describing: error))
        case ChannelError.connectTimeout:
            return .connectTimedOut
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return .connectionRefused(host: host, port: port)
        case is NIOSSLError, is BoringSSLError:
            return .tlsFailed(String(describing: error))
        default:
            return .connectFailed(String(describing: error))
        }
    }
}

extension WebSocket.Failure {
    /// Names an error the channel reported once connected: TLS, or the connection breaking.
    static func caught(_ error: any Error) -> WebSocket.Failure {
        if error is NIOSSLError || error is BoringSSLError { return .tlsFailed(String(describing: error)) }
        return .connectionLost(String(describing: error))
    }
}
