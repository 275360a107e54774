import Foundation
import Testing
@testable import WebSockets

/// WHATWG WebSockets §3.1, `send()` and `bufferedAmount`.
@Suite("send() and bufferedAmount (§3.1)")
struct SendTests {
    @Test func sendWhileConnectingThrowsInvalidStateError() async throws {
        let server = try await TestServer.start(.neverRespond)  // stays CONNECTING
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        recorder.onQueue {
            let error = #expect(throws: DOMException.self) { try recorder.socket.send("x") }
            #expect(error?.name == .invalidStateError)
            #expect(recorder.socket.bufferedAmount == 0)
        }
    }

    @Test func bufferedAmountGrowsBySendAndShrinksAsBytesAreWritten() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        let amounts = try recorder.onQueue { () throws -> [UInt64] in
            try recorder.socket.send("héllo")  // 6 bytes of UTF-8
            let afterText = recorder.socket.bufferedAmount
            try recorder.socket.send([1, 2, 3])
            try recorder.socket.send(Blob("ab"))
            return [afterText, recorder.socket.bufferedAmount]
        }
        // Within one task nothing has been taken off yet.
        #expect(amounts == [6, 11])
        try await recorder.waitUntil { $0.count == 4 }
        #expect(recorder.socket.bufferedAmount == 0)
    }

    @Test func afterCloseSendOnlyGrowsBufferedAmount() async throws {
        let server = try await TestServer.start(.silent)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        try recorder.onQueue {
            try recorder.socket.close()
            try recorder.socket.send("late")
            #expect(recorder.socket.bufferedAmount == 4)
        }
        let record = try await server.waitForConnection { $0.closeFrame != nil }
        #expect(record.messages.isEmpty)
        try await recorder.waitForClose()
        #expect(recorder.socket.bufferedAmount == 4)  // never sent, never taken off (§3.1)
        try recorder.onQueue { try recorder.socket.send([1]) }
        #expect(recorder.socket.bufferedAmount == 5)
    }

    @Test func beyondMaxBufferedAmountTheSocketIsFlaggedAsFullAndClosed() async throws {
        let server = try await TestServer.start(.silent)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.maxBufferedAmount = 10
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.send(String(repeating: "x", count: 11)) }
        let events = try await recorder.waitForClose()
        #expect(Array(events.dropFirst()) == SocketRecorder.failed)
        #expect(recorder.socket.failure == .bufferFull)
    }

    @Test func sixteenMebibytesRoundTrip() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        let payload = Data((0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        recorder.socket.binaryType = .arraybuffer
        try recorder.onQueue { try recorder.socket.send(payload) }
        let events = try await recorder.waitUntil(timeout: .seconds(60)) { $0.count == 2 }
        #expect(events.last == .message(.arrayBuffer(payload), origin: "ws://127.0.0.1:\(server.port)"))
    }
}
