import Foundation
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSOCKS

extension ProxyURL {
    /// The origin server as this proxy is to be told it: an address for an IP literal, and for
    /// `socks5:`, which resolves the host name here (on NIO's thread pool, as `getaddrinfo`
    /// blocks); the host name otherwise.
    func tunnelTarget(host: String, port: Int, eventLoop: any EventLoop) -> EventLoopFuture<SOCKSAddress> {
        if let address = try? SocketAddress(ipAddress: host, port: port) {
            return eventLoop.makeSucceededFuture(.address(address))
        }
        guard case .socks5(resolvesOriginLocally: true) = kind else {
            return eventLoop.makeSucceededFuture(.domain(host, port: port))
        }
        return NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            do {
                return .address(try SocketAddress.makeAddressResolvingHost(host, port: port))
            } catch {
                throw WebSocket.Failure.nameResolutionFailed(host: host)
            }
        }
    }

    /// Adds the handlers that ask this proxy for a tunnel to `target` and, last, the
    /// ``ProxyTunnelHandler`` that reports to `transport` and then hands the channel to
    /// `originHandlers`.
    ///
    /// - Parameter deadline: When the tunnel must be up.
    func addTunnelHandlers(
        to channel: any Channel, target: SOCKSAddress, deadline: NIODeadline, transport: ClientTransport,
        originHandlers: @escaping @Sendable () throws -> [any ChannelHandler]
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        switch kind {
        case .socks5:
            let socks = SOCKSClientHandler(targetAddress: target)
            let tunnel = ProxyTunnelHandler(
                transport: transport, deadline: deadline, proxyHandlers: [socks], statusObserver: nil, httpTunnelEstablished: nil,
                originHandlers: originHandlers)
            try pipeline.addHandlers([socks, tunnel])
        case .httpConnect:
            let (host, port) = target.hostAndPort
            let uriHost = host.contains(":") ? "[\(host)]" : host  // an IPv6 address
            // RFC 9112 §3.2: every HTTP/1.1 request has a Host; for CONNECT it is the authority.
            var headers = HTTPHeaders([("Host", "\(uriHost):\(port)")])
            if let credentials {
                let pair = Data("\(credentials.username):\(credentials.password)".utf8)
                headers.add(name: "Proxy-Authorization", value: "Basic " + pair.base64EncodedString())
            }
            let established = channel.eventLoop.makePromise(of: Void.self)
            let encoder = HTTPRequestEncoder()
            let decoder = ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes))
            let observer = ProxyResponseStatusObserver()
            let tunnel = ProxyTunnelHandler(
                transport: transport, deadline: deadline, proxyHandlers: [observer, decoder, encoder], statusObserver: observer,
                httpTunnelEstablished: established.futureResult, originHandlers: originHandlers)
            // The decoder sits after the encoder so that it sees the CONNECT go out: a response to
            // CONNECT has no body (RFC 9110 §9.3.6), and the bytes after it are the origin's.
            try pipeline.addHandlers([
                encoder, decoder, observer,
                NIOHTTP1ProxyConnectHandler(
                    targetHost: uriHost, targetPort: port, headers: headers,
                    deadline: deadline, promise: established),
                tunnel,
            ])
        }
    }
}

extension SOCKSAddress {
    /// The host (an address without brackets, or a name) and port, for an HTTP `CONNECT`.
    fileprivate var hostAndPort: (String, Int) {
        switch self {
        case .domain(let host, let port): (host, port)
        case .address(let address): (address.ipAddress ?? "", address.port ?? 0)
        }
    }
}
