import Foundation
import Testing
import WebSockets

/// `WebSocketServer.Configuration.idleTimeout`: a connection is closed with 1001 once nothing
/// arrived from the client for that long, and never while the client keeps talking.
@Suite("Server idle timeout")
struct IdleTimeoutTests {
    @Test func aClientThatKeepsSendingStaysAndOneThatFallsSilentIsClosedWith1001() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.idleTimeout = 5
        configuration.keepalive = .disabled
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        let stream = try WebSocketStream(server.url("/"))
        let opened = try await stream.opened
        var messages = opened.readable.makeAsyncIterator()
        // More than one idle timeout's worth of talking, a message every fifth of a second: the
        // timeout is long so that a machine busy with other tests (the whole suite runs in
        // parallel on two cores) does not starve the client for that long between two messages.
        let talking = ContinuousClock.now
        var lastWrite = talking
        for index in 0..<30 {
            if index > 0 { try await Task.sleep(for: .milliseconds(200)) }
            lastWrite = .now
            try await opened.writable.write("\(index)")
            #expect(try await messages.next() == .text("\(index)"))
        }
        #expect(lastWrite - talking >= .seconds(5.8))
        // Then silence: the server closes once the timeout has passed since the last message.
        #expect(try await stream.closed == .init(closeCode: 1001, reason: "idle"))
        let silence = ContinuousClock.now - lastWrite
        #expect(silence >= .seconds(5) && silence < .seconds(60), "closed after \(silence) of silence")
    }
}
