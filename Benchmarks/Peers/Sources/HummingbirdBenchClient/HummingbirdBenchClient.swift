import ArgumentParser
import Logging
import PeerBench
import WSClient
import WSCompression

/// `hummingbird-bench-client URL …`: the benchmark load on hummingbird-project/swift-websocket's
/// `WebSocketClient`, the client that hummingbird-websocket re-exports.
@main
struct HummingbirdBenchClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hummingbird-bench-client",
        abstract: "Load an echo server through Hummingbird's WebSocketClient and print one JSON line of results.")

    @OptionGroup var options: LoadOptions

    func run() async throws {
        var configuration = WebSocketClientConfiguration(
            maxFrameSize: options.maxMessageSize,
            // Offered only on request, so that bytes rather than zlib are what is measured.
            extensions: options.deflate ? [.perMessageDeflate(maxDecompressedFrameSize: options.maxMessageSize)] : [],
            closeTimeout: .seconds(LoadRun.drainSeconds))
        // Text is not validated on either side (the library's default): the run checks sizes only.
        configuration.validateUTF8 = false
        var logger = Logger(label: "hummingbird-bench-client", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .error

        let run = LoadRun(options: options)
        let setup = HummingbirdConnection.Setup(
            url: options.url, configuration: configuration, logger: logger, run: run)
        if options.churn {
            try await run.churn { try await HummingbirdConnection.openAndClose(setup) }
        } else {
            try await run.run { try await HummingbirdConnection.open(setup) }
        }
    }
}
