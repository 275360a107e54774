import NIOCore

/// The one channel handler a client pipeline gets (after TLS, for `wss:`): it passes what the
/// channel reports to the transport, which owns the engine.
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let transport: ClientTransport

    init(transport: ClientTransport) {
        self.transport = transport
    }

    func channelActive(context: ChannelHandlerContext) {
        transport.channelActive(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        transport.receive(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        transport.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        transport.channelInactive()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        transport.errorCaught(error)
    }
}
