import ArgumentParser
import Foundation
import WebSockets

/// `wsc soak URL`: connection churn with verified traffic against an echo server, for as long
/// as asked. Each slot opens a connection, exchanges random messages whose echoes are checked
/// (number, size, kind, checksum), closes with a random code and reason, and starts over.
struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Churn connections with checksummed messages against an echo server; exit non-zero on any lost or corrupted message or unexpected close.",
        discussion: """
            Prints a JSON line of its own figures every --stats-interval seconds on standard error \
            (t_ms, rss_kib, fds, lag_max_us, lag_p99_us, connections, sent, verified, lost, corrupted, \
            failures, rtt_p50_us, rtt_p99_us) and a JSON summary on standard output at the end.
            """)

    /// Which client API each connection uses.
    enum APIChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
        case websocket, stream, mixed
    }

    /// Whether connections offer permessage-deflate.
    enum DeflateChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
        case on, off, random
    }

    /// What every session of the run needs.
    struct Settings: Sendable {
        var maxMessages: Int
        var maxSize: Int
        var maxPause: Duration
    }

    @Argument(help: "The ws: URL of a server that echoes every message and answers a Close with the same code and reason.")
    var url: String

    @Option(help: "Connection slots running at once.")
    var connections = 8

    @Option(help: "Seconds during which slots start new connections; the last ones then finish.")
    var duration: Double = 60

    @Option(help: "Which client API: websocket, stream, or mixed (alternating).")
    var api = APIChoice.mixed

    @Option(help: "Offer permessage-deflate: on, off, or random per connection.")
    var deflate = DeflateChoice.random

    @Option(help: "The most messages one connection sends.")
    var maxMessages = 40

    @Option(help: "The largest message, in bytes.")
    var maxSize = 1 << 20

    @Option(help: "The longest pause after each message, in milliseconds.")
    var maxPause = 20

    @Option(help: "Seconds between JSON lines of figures on standard error.")
    var statsInterval: Double = 10

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard duration > 0, statsInterval > 0 else { throw ValidationError("--duration and --stats-interval must be positive") }
        guard maxMessages >= 1 else { throw ValidationError("--max-messages must be at least 1") }
        guard maxSize >= SoakMessage.headerSize else { throw ValidationError("--max-size must be at least \(SoakMessage.headerSize)") }
        guard maxPause >= 0 else { throw ValidationError("--max-pause must not be negative") }
    }

    func run() async throws {
        let tally = SoakTally()
        let settings = Settings(maxMessages: maxMessages, maxSize: maxSize, maxPause: .milliseconds(maxPause))
        let stats = Task { await ProcessStats.report(every: statsInterval) { tally.interval() } }
        let start = ContinuousClock.now
        let deadline = start + .seconds(duration)
        await withTaskGroup(of: Void.self) { group in
            for slot in 0..<connections {
                group.addTask {
                    var turn = slot
                    while ContinuousClock.now < deadline {
                        await session(turn, settings: settings, tally: tally).run()
                        turn += 1
                    }
                }
            }
        }
        stats.cancel()
        let summary = tally.summary(seconds: (ContinuousClock.now - start) / .seconds(1))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Terminal.line(String(decoding: try encoder.encode(summary), as: UTF8.self))
        if !summary.isClean { throw ExitCode.failure }
    }

    private func session(_ turn: Int, settings: Settings, tally: SoakTally) -> SoakSession {
        let api: Bench.API = switch self.api {
        case .websocket: .websocket
        case .stream: .stream
        case .mixed: turn.isMultiple(of: 2) ? .websocket : .stream
        }
        let deflate = switch self.deflate {
        case .on: true
        case .off: false
        case .random: Bool.random()
        }
        return SoakSession(url: url, api: api, deflate: deflate, settings: settings, tally: tally)
    }
}
