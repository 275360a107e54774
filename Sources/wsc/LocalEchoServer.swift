import NIOCore
import NIOPosix
import WebSockets

/// A WebSocket echo server on 127.0.0.1, built on the engine, so that `wsc demo` needs no
/// outside server.
final class LocalEchoServer: Sendable {
    let port: Int
    private let channel: any Channel

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start() throws -> LocalEchoServer {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .wait()
        return LocalEchoServer(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    func stop() {
        try? channel.close().wait()
    }
}

/// One connection: the opening handshake (RFC 6455 §4.2), then every message sent back.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var handshake: ServerHandshake? = ServerHandshake()
    private var connection: Connection?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var handshake {
            switch handshake.receive(bytes) {
            case .needMoreData:
                self.handshake = handshake
                return
            case .rejected(_, let response):
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in channel.close(promise: nil) }
                self.handshake = nil
                return
            case .accepted(let request, let leftover):
                self.handshake = nil
                guard let response = try? request.acceptingResponse() else { return context.close(promise: nil) }
                context.write(wrapOutboundOut(response), promise: nil)
                connection = Connection(role: .server)
                bytes = leftover
            }
        }
        guard var connection else { return }
        connection.receiveData(bytes)
        var closeTransport = false
        while let action = connection.nextAction() {
            switch action {
            case .deliverMessage(let message): try? connection.send(message)
            case .closeTransport: closeTransport = true
            case .deliverPing, .deliverPong, .closeFrameReceived, .startCloseTimer: break
            }
        }
        while let output = connection.nextBytesToSend() { context.write(wrapOutboundOut(output), promise: nil) }
        self.connection = connection
        context.flush()
        if closeTransport { context.close(promise: nil) }
    }
}
