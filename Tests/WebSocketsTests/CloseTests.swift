import Foundation
import Testing
@testable import WebSockets

/// WHATWG WebSockets §3.1 `close()`, and the closing and closed tasks of §4.
@Suite("close() and closing (§3.1, §4)")
struct CloseTests {
    @Test func closeValidatesTheCode() async throws {
        let server = try await TestServer.start(.neverRespond)  // stays CONNECTING
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        for code: UInt16 in [0, 999, 1001, 1005, 1006, 2999, 5000] {
            do {
                try recorder.socket.close(code: code)
                Issue.record("close(code: \(code)) did not throw")
            } catch {
                #expect(error.name == .invalidAccessError)
            }
        }
        #expect(recorder.socket.readyState == .connecting)
    }

    @Test func closeValidatesTheReasonLength() async throws {
        let server = try await TestServer.start(.neverRespond)  // stays CONNECTING
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        do {
            try recorder.socket.close(code: 1000, reason: String(repeating: "é", count: 62))  // 124 bytes
            Issue.record("a 124-byte reason was accepted")
        } catch {
            #expect(error.name == .syntaxError)
        }
        // On the event queue, so that the closing's own task cannot run before the check.
        try recorder.onQueue {
            try recorder.socket.close(code: 4999, reason: String(repeating: "a", count: 123))
            #expect(recorder.socket.readyState == .closing)
        }
    }

    @Test func closeWhileConnectingFailsTheConnection() async throws {
        let server = try await TestServer.start(.neverRespond)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try recorder.onQueue {
            try recorder.socket.close()
            #expect(recorder.socket.readyState == .closing)  // set at once, not in a task
        }
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        #expect(recorder.socket.failure == .closedBeforeEstablished)
    }

    @Test func closeStartsTheClosingHandshakeWithCodeAndReason() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        try recorder.onQueue {
            try recorder.socket.send("first")
            try recorder.socket.close(code: 3001, reason: "bye")
            #expect(recorder.socket.readyState == .closing)
            try recorder.socket.close(code: 1000)  // already closing: nothing happens
        }
        let events = try await recorder.waitForClose()
        // The echo of "first" arrives after close(): the message task drops it (§4).
        // The server's answer echoes the code and the reason.
        #expect(Array(events.dropFirst()) == [.close(code: 3001, reason: "bye", wasClean: true, readyState: .closed)])
        let record = try await server.waitForClose()
        #expect(record.messages == [.text("first")])  // close() does not discard what was sent before
        #expect(record.closeFrame == CloseFrame(code: CloseCode(3001), reason: "bye"))
        #expect(recorder.socket.failure == nil)
    }

    @Test func closeWithoutArgumentsSendsACloseFrameWithoutBody() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.close() }
        let events = try await recorder.waitForClose()
        #expect(events.last == .close(code: 1005, reason: "", wasClean: true, readyState: .closed))
        #expect(try await server.waitForClose().closeFrame == CloseFrame(code: nil))
    }

    @Test func theServerClosingRunsTheClosingThenTheClosedTask() async throws {
        let server = try await TestServer.start(.close(afterMessages: 1, code: 4001, reason: "done", echo: false))
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        let states = LockedValue<[WebSocket.ReadyState]>([])
        recorder.onQueue {
            recorder.socket.addEventListener("close") { _ in states.withLock { $0.append(recorder.socket.readyState) } }
            try? recorder.socket.send("go")
        }
        let events = try await recorder.waitForClose()
        #expect(Array(events.dropFirst()) == [.close(code: 4001, reason: "done", wasClean: true, readyState: .closed)])
        #expect(states.current == [.closed])
        #expect(try await server.waitForClose().closeFrame == CloseFrame(code: CloseCode(4001), reason: "done"))
    }
}
