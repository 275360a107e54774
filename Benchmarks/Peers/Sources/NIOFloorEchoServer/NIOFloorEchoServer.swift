import ArgumentParser
import NIOCore
import NIOPosix
import PeerBench

/// `nio-floor-echo-server [--port 0]`: the floor for the server workloads. Not a general
/// WebSocket server.
///
/// Why: the server figures (CPU per message, per MB, per connection) of `wsc serve` and of the
/// NIO peers include what SwiftNIO itself costs: the event loop, the reads and writes, the
/// buffers, the pipeline. This server spends only that, plus the least WebSocket work a server
/// must do: one handler per connection (no HTTP codec, no WebSocket library), a handshake that
/// only answers the key, every client frame unmasked once as it is copied into its echo, one
/// write and flush per read batch. Whatever a NIO server spends above it is its own.
///
/// What it leaves out, that a correct server may not: checking the request (method, `Upgrade`,
/// `Connection`, `Sec-WebSocket-Version`), checking RSV bits, opcodes, control frame sizes and
/// the order of fragments, validating text as UTF-8, and answering a protocol error with a Close
/// (it just closes). It echoes frame by frame (FIN, RSV and opcode as received, as the picows
/// peer does), which echoes each message whole for clients that send it in one frame or several.
///
/// It follows the server contract of `Benchmarks/EndToEnd/README.md` without `--deflate`
/// (which exits 1). bench.py could run it as one more server, e.g.
/// `"floor (SwiftNIO)": ([str(PEERS / "nio-floor-echo-server"), "--port", "0"], False)` in
/// `SERVERS`, so that every server workload shows it beside ours.
@main
struct NIOFloorEchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nio-floor-echo-server",
        abstract: "Echo every WebSocket frame with the least work on SwiftNIO, until SIGTERM or SIGINT.")

    @OptionGroup var options: EchoServerOptions

    func run() async throws {
        guard !options.deflate else {
            Output.note("error: --deflate: the floor has no permessage-deflate")
            throw ExitCode.failure
        }
        // The singleton group (System.coreCount loops), as websocketkit-echo-server uses.
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // No child options: ServerBootstrap sets TCP_NODELAY on the listening socket, and
            // accepted sockets inherit it, so no setsockopt per connection.
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FloorEchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: options.port)
            .get()
        Output.listening(on: server.localAddress?.port ?? 0)
        await Termination.wait()
        // Open connections end with the process.
        try await server.close()
    }
}
