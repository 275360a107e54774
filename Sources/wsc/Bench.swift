import ArgumentParser
import Foundation
import WebSockets

/// `wsc bench URL`: a load generator against an echo server. Each connection keeps
/// `--in-flight` messages on their way and sends the next one as each echo returns; the round
/// trip of every message goes into an HDR histogram.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load an echo server: throughput, client CPU per message and round-trip latency percentiles.")

    /// Which of the library's client APIs carries the load.
    enum API: String, ExpressibleByArgument, CaseIterable, Sendable {
        case websocket, stream
    }

    @Argument(help: "The ws: or wss: URL of a server that echoes every message.")
    var url: String

    @Option(help: "Connections opened and loaded at once.")
    var connections = 1

    @Option(help: "Bytes per message.")
    var size = 16

    @Option(help: "Messages each connection keeps on their way.")
    var inFlight = 1

    @Option(help: "Seconds of load, after every connection is open.")
    var duration: Double = 10

    @Flag(help: "Send binary messages instead of text.")
    var binary = false

    @Flag(help: "Offer permessage-deflate (off by default here, so that bytes are what is measured).")
    var deflate = false

    @Option(help: "The client API that carries the load: websocket (the browser API) or stream (WebSocketStream).")
    var api = API.websocket

    @Flag(help: "Run each connection's client code on the connection's event loop (WebSocket.Options.deliversEventsOnEventLoop, WebSocketStream.taskExecutor): no thread hop per message.")
    var onEventLoop = false

    @Option(help: "A PEM file of certificates to trust besides the system's.")
    var cacert: String?

    @Flag(help: "Print the results as one JSON object instead of a table.")
    var json = false

    @Flag(help: "Measure connection churn instead: each connection slot opens, closes with 1000 and starts over; no messages.")
    var churn = false

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard size >= 0 else { throw ValidationError("--size must not be negative") }
        guard inFlight >= 1 else { throw ValidationError("--in-flight must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        var options = WebSocket.Options()
        options.perMessageDeflate = deflate ? PerMessageDeflate.Configuration() : nil
        options.maxMessageSize = max(options.maxMessageSize, size)
        options.deliversEventsOnEventLoop = onEventLoop
        if let cacert { options.tls.additionalTrustRootsPEM = [try String(contentsOfFile: cacert, encoding: .utf8)] }
        let tally = BenchTally()
        let load = BenchLoad(
            url: url, api: api, options: options, payload: BenchPayload(size: size, binary: binary), inFlight: inFlight,
            tally: tally)

        if churn { return try await runChurn(load, tally: tally) }
        let opening = ContinuousClock.now
        let clients: [any BenchClient]
        do {
            clients = try await load.open(connections)
        } catch {
            Terminal.note("error: \(error)")
            throw ExitCode.failure
        }
        let openedIn = ContinuousClock.now - opening
        if !quiet { Terminal.note("\(connections) connection(s) open in \(openedIn.formatted(.units(allowed: [.seconds, .milliseconds])))") }

        let progress = quiet ? nil : BenchProgress(tally: tally)
        tally.setRecording(true)
        let start = BenchSample.now(tally)
        clients.forEach { $0.start() }
        try await Task.sleep(for: .seconds(duration))
        let end = BenchSample.now(tally)
        tally.setRecording(false)
        progress?.stop()
        let failures = await load.finish(clients)

        try report(BenchResults(configuration: self, start: start, end: end, roundTrips: tally.latencies), failures: failures)
    }

    private func runChurn(_ load: BenchLoad, tally: BenchTally) async throws {
        let progress = quiet ? nil : BenchProgress(tally: tally)
        tally.setRecording(true)
        let start = BenchSample.now(tally)
        let failures = await load.churn(connections, until: .now + .seconds(duration))
        let end = BenchSample.now(tally)
        progress?.stop()
        try report(BenchResults(configuration: self, start: start, end: end, roundTrips: tally.latencies), failures: failures)
    }

    private func report(_ results: BenchResults, failures: [String]) throws {
        Terminal.line(json ? try results.json() : results.table())
        for failure in failures { Terminal.note("error: \(failure)") }
        if failures.isEmpty, results.messages == 0 { Terminal.note("error: nothing came back within the load's duration") }
        if !failures.isEmpty || results.messages == 0 { throw ExitCode.failure }
    }
}
