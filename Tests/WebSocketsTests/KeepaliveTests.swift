import Foundation
import Testing
@testable import WebSockets

/// `Options.keepalive`: pings to find out that the peer is gone (WHATWG WebSockets §5 allows
/// them; off by default, like browsers).
@Suite("Keepalive")
struct KeepaliveTests {
    @Test func aPeerThatAnswersPingsStaysConnected() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.keepalive = .enabled(interval: 0.05, timeout: 10)
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()
        let record = try await server.waitForConnection { $0.pings.count >= 3 }
        #expect(record.pings.count >= 3)
        #expect(recorder.socket.readyState == .open)
    }

    @Test func aPeerThatStopsAnsweringFailsTheConnection() async throws {
        let server = try await TestServer.start(.ignoreAfterHandshake)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.keepalive = .enabled(interval: 0.05, timeout: 0.2)
        let recorder = try SocketRecorder(server.url(), options: options)
        let events = try await recorder.waitForClose()
        #expect(Array(events.dropFirst()) == SocketRecorder.failed)
        #expect(recorder.socket.failure == .keepaliveTimedOut)
    }

    @Test func noPingsByDefault() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await server.waitForConnection().pings.isEmpty)
    }
}
