import NIOCore
import NIOSOCKS

/// The client pipeline's last handler while a proxy opens the tunnel to the origin server. It
/// reports to the transport what the channel reports; once the tunnel is up it removes the
/// handlers that speak to the proxy, puts the origin's handlers (TLS for `wss:`, then the opening
/// handshake) after itself, and leaves, passing on any origin bytes that came with the proxy's answer.
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let transport: ClientTransport
    private let deadline: NIODeadline
    /// The handlers that speak to the proxy and do not leave by themselves once the tunnel is up.
    private let proxyHandlers: [any RemovableChannelHandler]
    /// Succeeds when an HTTP proxy's tunnel is up; nil for SOCKS, which sends an event instead.
    private let httpTunnelEstablished: EventLoopFuture<Void>?
    private let originHandlers: @Sendable () throws -> [any ChannelHandler]
    /// Notes the status of an HTTP proxy's answer, which the error `NIOHTTP1ProxyConnectHandler`
    /// reports for a refusal does not expose.
    private let statusObserver: ProxyResponseStatusObserver?
    /// What the proxy's handlers passed on as they left: the origin server's first bytes.
    private var earlyBytes: [NIOAny] = []
    /// Whether TCP to the proxy is up. Before, errors are the proxy handlers' reaction to a
    /// failed connect, which the transport learns from the bootstrap.
    private var isConnected = false

    /// - Parameters:
    ///   - deadline: When the tunnel must be up, or the connection fails with ``WebSocket/Failure/connectTimedOut``.
    ///   - originHandlers: Makes the handlers that speak to the origin server through the tunnel.
    init(
        transport: ClientTransport, deadline: NIODeadline, proxyHandlers: [any RemovableChannelHandler],
        statusObserver: ProxyResponseStatusObserver?, httpTunnelEstablished: EventLoopFuture<Void>?,
        originHandlers: @escaping @Sendable () throws -> [any ChannelHandler]
    ) {
        self.transport = transport
        self.deadline = deadline
        self.proxyHandlers = proxyHandlers
        self.statusObserver = statusObserver
        self.httpTunnelEstablished = httpTunnelEstablished
        self.originHandlers = originHandlers
    }

    func handlerAdded(context: ChannelHandlerContext) {
        httpTunnelEstablished?.assumeIsolated().whenSuccess { self.tunnelEstablished(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        isConnected = true
        transport.proxyConnected(context.channel, deadline: deadline)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        earlyBytes.append(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is SOCKSProxyEstablishedEvent {
            tunnelEstablished(context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        transport.channelInactive()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard isConnected else { return }
        transport.fail(.proxy(error, status: statusObserver?.status))
    }

    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        for data in earlyBytes { context.fireChannelRead(data) }
        earlyBytes.removeAll()
        context.leavePipeline(removalToken: removalToken)
    }

    /// The proxy's handlers must be gone before TLS starts: the HTTP decoder watches every write
    /// as an HTTP request part, and leaves only on a later event-loop turn.
    private func tunnelEstablished(context: ChannelHandlerContext) {
        let removals = proxyHandlers.map { context.pipeline.syncOperations.removeHandler($0) }
        EventLoopFuture.andAllSucceed(removals, on: context.eventLoop).assumeIsolated().whenComplete { result in
            do {
                try result.get()
                // In order, one by one: the handshake handler writes as soon as it is added, so TLS
                // must be in place before it.
                var previous: any ChannelHandler = self
                for handler in try self.originHandlers() {
                    try context.pipeline.syncOperations.addHandler(handler, position: .after(previous))
                    previous = handler
                }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            } catch {
                self.transport.fail(.proxyConnectionFailed("could not switch to the tunnel: \(error)"))
            }
        }
    }
}
