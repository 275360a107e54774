import NIOCore

/// The client pipeline's handler during the opening handshake (after TLS, for `wss:`): it
/// passes what the channel reports to the transport, which replaces it with a
/// ``ConnectionDriver`` once the server accepts. Through a proxy it joins a channel that is
/// already active, once the tunnel is up.
final class ClientHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let transport: ClientTransport

    init(transport: ClientTransport) {
        self.transport = transport
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { transport.channelActive(context.channel) }
    }

    func channelActive(context: ChannelHandlerContext) {
        transport.channelActive(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        transport.receive(unwrapInboundIn(data), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        transport.channelInactive()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        transport.errorCaught(error)
    }
}
