import Foundation
import Testing

/// `wsc bench` against an in-process echo server: it loads it with each client API, reports
/// figures that hang together, and fails when the server stops echoing.
@Suite("wsc bench")
struct WscBenchTests {
    struct Figures: Decodable {
        var api: String
        var onEventLoop: Bool
        var connections: Int
        var messages: UInt64
        var messagesPerSecond: Double
        var cpuMicrosecondsPerMessage: Double
        var p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64, max: UInt64
    }

    @Test(arguments: ["websocket", "stream"], [false, true])
    func loadsAnEchoServerAndReportsConsistentFigures(_ api: String, onEventLoop: Bool) async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let bench = try WscTests.start([
            "bench", server.url("/"), "--api", api, "--connections", "3", "--in-flight", "4", "--size", "100",
            "--binary", "--duration", "1", "--json", "--quiet",
        ] + (onEventLoop ? ["--on-event-loop"] : []))
        try await bench.finished(timeout: .seconds(60))
        #expect(bench.process.termination == .exited(0), "\(bench.standardError)")
        let figures = try JSONDecoder().decode(Figures.self, from: Data(bench.standardOutput.utf8))
        #expect(figures.api == api)
        #expect(figures.onEventLoop == onEventLoop)
        #expect(figures.connections == 3)
        #expect(figures.messages > 0)
        #expect(figures.messagesPerSecond > 0)
        #expect(figures.cpuMicrosecondsPerMessage > 0)
        #expect(0 < figures.p50 && figures.p50 <= figures.p90 && figures.p90 <= figures.p99)
        #expect(figures.p99 <= figures.p999 && figures.p999 <= figures.max)
    }

    // The stream sees the close either as the readable's end or as a refused write.
    @Test(arguments: [
        ("websocket", ["error: closed with 1000"]),
        ("stream", ["error: the server closed the connection", "error: InvalidStateError"]),
    ])
    func aServerThatStopsEchoingFailsTheRun(_ api: String, _ expected: [String]) async throws {
        // The first message is never echoed: whenever the close comes, an echo is missing.
        let server = try await RunningServer.start { _ in
            .accept { connection in
                var messages = connection.readable.makeAsyncIterator()
                _ = try await messages.next()
            }  // returning closes with 1000 in the middle of the load
        }
        defer { server.stop() }
        let bench = try WscTests.start(["bench", server.url("/"), "--api", api, "--duration", "1", "--quiet"])
        try await bench.finished(timeout: .seconds(60))
        #expect(bench.process.termination != .exited(0), "\(bench.standardOutput)")
        #expect(expected.contains { bench.standardError.contains($0) }, "\(bench.standardError)")
    }
}
