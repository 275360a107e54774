import Foundation
import Testing
@testable import WebSockets

/// WHATWG WebSockets §4: `error` fires only when the connection was *failed* (or flagged as
/// full). An established connection whose TCP ends without the closing handshake was closed,
/// uncleanly — `close` with 1006 and no `error`, as browsers do. The failures that still fire
/// `error` once open are tested where they arise: protocol violations (MessageTests), a full
/// buffer (SendTests), a keepalive timeout (KeepaliveTests).
@Suite("Lost connections (§4)")
struct LostConnectionTests {
    static let lost: [SocketRecorder.Seen] = [.close(code: 1006, reason: "", wasClean: false, readyState: .closed)]

    @Test(arguments: [("TCP closed right after the handshake", TestServer.Behavior.closeAfterHandshake),
                      ("TCP closed in the middle of a frame", .closeMidFrame)])
    func tcpEndingAfterOpenClosesWithoutAnError(_ name: String, _ behavior: TestServer.Behavior) async throws {
        let server = try await TestServer.start(behavior)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        let events = try await recorder.waitForClose()
        #expect(events == [.open(protocol: "", extensions: "", readyState: .open)] + Self.lost, "\(name)")
        #expect(recorder.socket.failure == .connectionLost(nil), "\(name)")
    }

    @Test func aResetAfterOpenClosesWithoutAnError() async throws {
        let peer = try await PeerProcess.start(.raw, extraArguments: ["--mode", "reset"])
        defer { peer.stop() }
        let recorder = try SocketRecorder(peer.url("/"))
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.send("go") }
        let events = try await recorder.waitForClose()
        #expect(Array(events.dropFirst()) == Self.lost)
        guard case .connectionLost(let detail?) = recorder.socket.failure else {
            Issue.record("expected the reset as the failure detail, got \(String(describing: recorder.socket.failure))")
            return
        }
        #expect(detail.contains("reset"), "\(detail)")
    }

    @Test func aCloseLeftUnansweredClosesWithoutAnError() async throws {
        let server = try await TestServer.start(.ignoreAfterHandshake)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.closeTimeout = 0.3
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.close(code: 1000) }
        let events = try await recorder.waitForClose()
        #expect(Array(events.dropFirst()) == Self.lost)
        #expect(recorder.socket.failure == .connectionLost(nil))
    }
}
