import ArgumentParser
import Foundation
import WebSockets

/// `wsc scale URL`: opens many connections to an echo server and holds them: first each
/// sending a small message every `--interval` seconds, then idle (connections that have been
/// used, so that whatever they allocate on first use, such as compression state, is counted),
/// and finally closes them all with 1000. It reports how fast they opened, the round trips, and every message or close that went
/// wrong; `scripts/scale` reads memory and CPU from outside at the instants it reports.
struct Scale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hold many connections to an echo server: handshakes per second, round trips under a light load, clean closes.")

    @Argument(help: "The ws: or wss: URL of a server that echoes every message.")
    var url: String

    @Option(help: "Connections to open and hold.")
    var connections = 1000

    @Option(help: "Seconds to wait before opening anything, so that the process can be measured at rest.")
    var settle: Double = 0

    @Option(help: "Seconds during which every connection sends a message each --interval seconds, once all are open.")
    var hold: Double = 30

    @Option(help: "Seconds to hold the connections with no messages after that.")
    var idle: Double = 10

    @Option(help: "Seconds between two messages of one connection.")
    var interval: Double = 5

    @Option(help: "Bytes per message (text; each echo is compared with what was sent).")
    var size = 32

    @Flag(help: "Offer permessage-deflate.")
    var deflate = false

    @Option(help: "A PEM file of certificates to trust besides the system's.")
    var cacert: String?

    @Flag(help: "Print the results as one JSON object instead of a table.")
    var json = false

    @Flag(help: "No progress line.")
    var quiet = false

    /// At most this many opening handshakes at once, so that the ramp does not overflow the
    /// server's accept backlog.
    private static let openingAtOnce = 64
    /// How long the last messages may take to come back once sending stops.
    private static let drainTimeout = 10.0

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard settle >= 0, idle >= 0, hold >= 0 else { throw ValidationError("--settle, --idle and --hold must not be negative") }
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
        guard size >= 1 else { throw ValidationError("--size must be at least 1") }
    }

    func run() async throws {
        var options = WebSocket.Options()
        options.perMessageDeflate = deflate ? PerMessageDeflate.Configuration() : nil
        options.deliversEventsOnEventLoop = true
        if let cacert { options.tls.additionalTrustRootsPEM = [try String(contentsOfFile: cacert, encoding: .utf8)] }
        let tally = ScaleTally()
        var results = ScaleResults(connections: connections, deflate: deflate, interval: interval, size: size)

        try await Task.sleep(for: .seconds(settle))
        results.phases.rampStart = Date().timeIntervalSince1970
        let progress = quiet ? nil : ScaleProgress()
        let (clients, failures) = await open(options: options, tally: tally, progress: progress)
        results.phases.rampEnd = Date().timeIntervalSince1970
        results.opened = clients.count
        results.openFailures = failures.count
        results.openFailureSamples = Array(Set(failures).prefix(5))

        for client in clients { client.start(interval: .nanoseconds(Int64(interval * 1e9)), size: size) }
        let loadEnd = ContinuousClock.now + .seconds(hold)
        while ContinuousClock.now < loadEnd {
            try await Task.sleep(for: min(.seconds(1), loadEnd - .now))
            let counts = tally.snapshot.counts
            progress?.show("\(clients.count) open; \(counts.echoed) echoed, \(counts.unexpectedCloses.values.reduce(0, +)) closed by the server")
        }
        await withTaskGroup { group in
            for client in clients { group.addTask { await client.stop() } }
        }
        // Once the client closes, an echo still on its way is dropped unseen (WHATWG
        // WebSockets §4), so every echo must be in first.
        await drain(tally)
        results.phases.loadEnd = Date().timeIntervalSince1970

        progress?.show("\(clients.count) open; idle")
        try await Task.sleep(for: .seconds(idle))
        results.phases.idleEnd = Date().timeIntervalSince1970

        progress?.show("closing")
        let closes = await withTaskGroup(of: CloseEvent?.self) { group in
            for client in clients { group.addTask { await client.close() } }
            return await group.reduce(into: [CloseEvent?]()) { $0.append($1) }
        }
        results.phases.closeEnd = Date().timeIntervalSince1970
        progress?.stop()
        results.cleanCloses = closes.count { $0?.wasClean == true && $0?.code == 1000 }
        let (counts, roundTrips) = tally.snapshot
        results.record(counts, roundTrips: roundTrips)

        Terminal.line(json ? try results.json() : results.table())
        if !results.problems.isEmpty {
            for problem in results.problems { Terminal.note("error: \(problem)") }
            throw ExitCode.failure
        }
    }

    /// Opens every connection, a bounded number at a time; returns those that opened and why
    /// the others did not.
    private func open(options: WebSocket.Options, tally: ScaleTally, progress: ScaleProgress?) async
        -> (clients: [ScaleClient], failures: [String])
    {
        await withTaskGroup(of: Result<ScaleClient, any Error>.self) { group in
            var clients: [ScaleClient] = []
            var failures: [String] = []
            var started = 0
            while clients.count + failures.count < connections {
                while started < connections, started - clients.count - failures.count < Self.openingAtOnce {
                    group.addTask {
                        do { return .success(try await ScaleClient.open(url, options: options, tally: tally)) } catch { return .failure(error) }
                    }
                    started += 1
                }
                switch await group.next() {
                case .success(let client): clients.append(client)
                case .failure(let error): failures.append("\(error)")
                case nil: break
                }
                if (clients.count + failures.count) % 100 == 0 || clients.count + failures.count == connections {
                    progress?.show("opening: \(clients.count) open, \(failures.count) failed, of \(connections)")
                }
            }
            return (clients, failures)
        }
    }

    /// Waits, bounded, until every message sent has come back.
    private func drain(_ tally: ScaleTally) async {
        let deadline = ContinuousClock.now + .seconds(Self.drainTimeout)
        while ContinuousClock.now < deadline, tally.snapshot.counts.lost > 0 {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
