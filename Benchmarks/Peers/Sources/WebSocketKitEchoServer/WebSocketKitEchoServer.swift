import ArgumentParser
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import PeerBench
import WebSocketKit

/// `websocketkit-echo-server [--port 0]`: an echo server on vapor/websocket-kit.
///
/// websocket-kit has no server of its own: it turns an upgraded NIO channel into a `WebSocket`.
/// So this is a plain `ServerBootstrap` whose HTTP/1 pipeline upgrades every request with
/// `NIOWebSocketServerUpgrader` and hands the channel to `WebSocket.server(on:onUpgrade:)`, as
/// websocket-kit's own tests and Vapor do.
@main
struct WebSocketKitEchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "websocketkit-echo-server",
        abstract: "Echo every WebSocket message through websocket-kit until SIGTERM or SIGINT.")

    @OptionGroup var options: EchoServerOptions

    func run() async throws {
        guard !options.deflate else {
            Output.note("error: --deflate: websocket-kit 2.16.2 does not implement permessage-deflate")
            throw ExitCode.failure
        }
        // One upgrader serves every connection: it holds only its configuration.
        let upgrader = NIOWebSocketServerUpgrader(
            // The frame limit is the message limit too: websocket-kit's aggregator, which joins
            // fragments, is unlimited by default.
            maxFrameSize: PeerLimits.maxMessageSize,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture([:]) },
            upgradePipelineHandler: { channel, _ in WebSocket.server(on: channel, onUpgrade: Echo.attach) })
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(
                    withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
            .bind(host: "127.0.0.1", port: options.port)
            .get()
        Output.listening(on: server.localAddress?.port ?? 0)
        await Termination.wait()
        // Open connections end with the process: the driver stops a server only after its
        // clients have closed.
        try await server.close()
    }
}
