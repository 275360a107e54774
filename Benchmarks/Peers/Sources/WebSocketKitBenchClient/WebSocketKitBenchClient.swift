import ArgumentParser
import NIOPosix
import PeerBench
import WebSocketKit

/// `websocketkit-bench-client URL …`: the benchmark load on vapor/websocket-kit's client.
@main
struct WebSocketKitBenchClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "websocketkit-bench-client",
        abstract: "Load an echo server through websocket-kit's WebSocket and print one JSON line of results.")

    @OptionGroup var options: LoadOptions

    func run() async throws {
        guard !options.deflate else {
            Output.note("error: --deflate: websocket-kit 2.16.2 does not implement permessage-deflate")
            throw ExitCode.failure
        }
        let configuration = WebSocketClient.Configuration(maxFrameSize: options.maxMessageSize)
        let run = LoadRun(options: options)
        let group = MultiThreadedEventLoopGroup.singleton
        if options.churn {
            try await run.churn {
                try await WebSocketKitConnection.openAndClose(options.url, configuration: configuration, group: group)
            }
        } else {
            try await run.run {
                try await WebSocketKitConnection.open(options.url, configuration: configuration, group: group, run: run)
            }
        }
    }
}
