import NIOCore
import NIOHTTP1

/// Notes the status of an HTTP proxy's answer to `CONNECT` on its way to
/// `NIOHTTP1ProxyConnectHandler`, so that a refusal can name it (``WebSocket/Failure/proxyRefused(status:)``).
final class ProxyResponseStatusObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    /// The status code, once the head arrived.
    private(set) var status: Int?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { status = Int(head.status.code) }
        context.fireChannelRead(data)
    }
}
