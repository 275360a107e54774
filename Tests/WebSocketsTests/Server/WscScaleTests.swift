import Foundation
import Testing

/// `wsc scale` against an in-process echo server: it holds every connection, checks every echo
/// and closes cleanly, and fails when the server drops connections.
@Suite("wsc scale")
struct WscScaleTests {
    struct Figures: Decodable {
        var connections: Int
        var opened: Int
        var messagesSent: Int
        var messagesEchoed: Int
        var messagesLost: Int
        var cleanCloses: Int
        var handshakesPerSecond: Double
        var p50: UInt64, p99: UInt64
    }

    @Test func holdsEveryConnectionChecksEveryEchoAndClosesCleanly() async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let scale = try WscTests.start([
            "scale", server.url("/"), "--connections", "40", "--hold", "1", "--interval", "0.25", "--idle", "0.2",
            "--json", "--quiet",
        ])
        try await scale.finished(timeout: .seconds(60))
        #expect(scale.process.termination == .exited(0), "\(scale.standardError)")
        let figures = try JSONDecoder().decode(Figures.self, from: Data(scale.standardOutput.utf8))
        #expect(figures.opened == 40)
        #expect(figures.messagesSent >= 40)
        #expect(figures.messagesEchoed == figures.messagesSent)
        #expect(figures.messagesLost == 0)
        #expect(figures.cleanCloses == 40)
        #expect(figures.handshakesPerSecond > 0)
        #expect(0 < figures.p50 && figures.p50 <= figures.p99)
        // Every client saw its close; the server lets go of each connection right after.
        let deadline = ContinuousClock.now + .seconds(10)
        while server.server.connectionCount > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.server.connectionCount == 0)
    }

    @Test func aServerThatDropsConnectionsFailsTheRun() async throws {
        // Each connection is closed with 4000 after its first message, unanswered.
        let server = try await RunningServer.start { _ in
            .accept { connection in
                var messages = connection.readable.makeAsyncIterator()
                _ = try await messages.next()
                try connection.close(closeCode: 4000)
                _ = try? await connection.closed
            }
        }
        defer { server.stop() }
        let scale = try WscTests.start([
            "scale", server.url("/"), "--connections", "5", "--hold", "1", "--interval", "0.2", "--idle", "0", "--quiet",
        ])
        try await scale.finished(timeout: .seconds(60))
        #expect(scale.process.termination != .exited(0), "\(scale.standardOutput)")
        #expect(scale.standardError.contains("connections closed by the server: [\"4000\": 5]"), "\(scale.standardError)")
    }
}
