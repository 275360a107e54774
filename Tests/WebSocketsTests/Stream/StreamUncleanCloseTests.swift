import Foundation
import NIOCore
import Testing
@testable import WebSockets
import WebSocketCore

/// "Handle WebSocketStream connection close" when the connection did not close cleanly: one
/// `WebSocketError` for `closed` and the readable, and the writable's rule from DESIGN.md.
@Suite("WebSocketStream unclean closes")
struct StreamUncleanCloseTests {
    @Test func tcpLostWithoutACloseThrowsOneWebSocketError1006Everywhere() async throws {
        let server = try await TestServer.start(.init(onMessage: { _, _ in [.closeTransport] }))
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        try await opened.writable.write("drop me")
        let error = try await #require(throws: WebSocketError.self) { _ = try await stream.closed }
        #expect(error.closeCode == 1006)
        var iterator = opened.readable.makeAsyncIterator()
        await #expect(throws: error) { _ = try await iterator.next() }
        await #expect(throws: error) { try await opened.writable.write("late") }
    }

    @Test func anUnansweredCloseIsUnclean() async throws {
        let server = try await TestServer.start(.init(onMessage: { _, _ in [.ignoreEverything] }))
        defer { server.stop() }
        var options = WebSocket.Options()
        options.closeTimeout = 0.3
        let stream = try WebSocketStream(server.url(), options: options)
        let opened = try await stream.opened
        try await opened.writable.write("from now on the server ignores us")
        try await Task.sleep(for: .milliseconds(100))
        try stream.close(closeCode: 1000)
        let error = try await #require(throws: WebSocketError.self) { _ = try await stream.closed }
        #expect(error.closeCode == 1006)
    }

    @Test func aProtocolViolationIsUncleanAndTheReadableDropsWhatItHeld() async throws {
        let masked = TestServer.frameBytes(.text, "masked", maskingKey: MaskingKey(rawValue: 0x0102_0304))
        let server = try await TestServer.start(.init(onOpen: [.send(.text("held")), .raw(masked)]))
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        let error = try await #require(throws: WebSocketError.self) { _ = try await stream.closed }
        #expect(error.closeCode == 1006)
        var iterator = opened.readable.makeAsyncIterator()
        await #expect(throws: error) { _ = try await iterator.next() }
    }

    @Test func thePeersCloseWithUnsentDataPendingIsUncleanWithThePeersCode() async throws {
        let peer = try await PeerProcess.start(.raw, extraArguments: ["--mode", "close-then-stall", "--close-after", "0.5", "--stall", "1"])
        defer { peer.stop() }
        var options = WebSocket.Options()
        options.perMessageDeflate = nil
        options.closeTimeout = 1
        let stream = try WebSocketStream(peer.url("/"), options: options)
        let opened = try await stream.opened
        // The write waits (the peer reads nothing); the peer's Close arrives meanwhile.
        await #expect { try await opened.writable.write(Data(count: 8 << 20)) } throws: {
            ($0 as? DOMException)?.name == .invalidStateError
        }
        let error = try await #require(throws: WebSocketError.self) { _ = try await stream.closed }
        #expect(error.closeCode == 4000)
        #expect(error.reason == "bye")
        await #expect { try await opened.writable.write("later") } throws: { ($0 as? DOMException)?.name == .invalidStateError }
    }

    @Test func aResetAfterTheClosingHandshakeIsStillACleanClose() async throws {
        let peer = try await PeerProcess.start(.raw, extraArguments: ["--mode", "close-then-reset"])
        defer { peer.stop() }
        let stream = try WebSocketStream(peer.url("/"))
        let opened = try await stream.opened
        try await opened.writable.write("go")
        #expect(try await stream.closed == .init(closeCode: 1000, reason: "done"))

        let socketPeer = try await PeerProcess.start(.raw, extraArguments: ["--mode", "close-then-reset"])
        defer { socketPeer.stop() }
        let recorder = try SocketRecorder(socketPeer.url("/"))
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.send("go") }
        let events = try await recorder.waitForClose()
        // No error event: RFC 6455 §7.1.4 calls it clean, and so do browsers.
        #expect(Array(events.dropFirst()) == [.close(code: 1000, reason: "done", wasClean: true, readyState: .closed)])
    }

    @Test func droppingEveryReferenceToAnOpenStreamClosesItWithoutACode() async throws {
        let (server, seen) = try await RunningServer.recordingClose()
        defer { server.stop() }
        do {
            let stream = try WebSocketStream(server.url())
            let opened = try await stream.opened
            try await opened.writable.write("bye")
        }
        try await waitUntil { seen.current != nil }
        #expect(seen.current == WebSocketStream.CloseInfo(closeCode: 1005, reason: ""))
    }
}
