import ArgumentParser
import Hummingbird
import HummingbirdWSCompression
import HummingbirdWebSocket
import Logging
import PeerBench

/// `hummingbird-echo-server [--port 0] [--deflate]`: an echo server on hummingbird-websocket.
///
/// It upgrades every request with the closure form of `http1WebSocketUpgrade` rather than a
/// `Router`: the benchmark has one endpoint, so route matching would only add work per handshake.
@main
struct HummingbirdEchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hummingbird-echo-server",
        abstract: "Echo every WebSocket message through Hummingbird until SIGTERM or SIGINT.")

    @OptionGroup var options: EchoServerOptions

    func run() async throws {
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: PeerLimits.maxMessageSize,
            extensions: options.deflate ? [.perMessageDeflate(maxDecompressedFrameSize: PeerLimits.maxMessageSize)] : [])
        // Standard output belongs to the `PORT` line; the library's logs go to standard error.
        var logger = Logger(label: "hummingbird-echo-server", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning

        let app = Application(
            // Plain HTTP requests get the router's 404: only upgrades are served.
            router: Router(),
            server: .http1WebSocketUpgrade(configuration: .init(ws: webSocket)) { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in
                    try await echo(inbound, outbound)
                }
            },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: options.port)),
            onServerRunning: { channel in
                Output.listening(on: channel.localAddress?.port ?? 0)
            },
            logger: logger)
        // runService installs the SIGTERM and SIGINT handlers and returns after a graceful
        // shutdown, so the process then exits 0.
        try await app.runService()
    }
}
