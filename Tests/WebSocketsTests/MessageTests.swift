import Foundation
import NIOCore
import Testing
@testable import WebSockets

/// WHATWG WebSockets §4, the message task, and §3.1 `binaryType`.
@Suite("Messages (§4)")
struct MessageTests {
    @Test func theMessageTaskDeliversTextAndBinaryAsTheBinaryTypeSays() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        let origin = "ws://127.0.0.1:\(server.port)"
        try recorder.onQueue {
            try recorder.socket.send("héllo")
            try recorder.socket.send([1, 2, 3])
        }
        try await recorder.waitUntil { $0.count == 3 }
        recorder.socket.binaryType = .arraybuffer
        try recorder.onQueue { try recorder.socket.send(Data([4, 5])) }
        try await recorder.waitUntil { $0.count == 4 }
        try recorder.onQueue { try recorder.socket.send(Blob("blob")) }
        try await recorder.waitUntil { $0.count == 5 }
        #expect(Array(recorder.events.dropFirst()) == [
            .message(.text("héllo"), origin: origin),
            .message(.blob(Blob(Data([1, 2, 3]))), origin: origin),
            .message(.arrayBuffer(Data([4, 5])), origin: origin),
            .message(.arrayBuffer(Data("blob".utf8)), origin: origin),
        ])
    }

    @Test func binaryTypeIsReadWhenTheTaskRunsNotWhenTheMessageArrives() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        // Hold the event queue so the echo's task waits; switch the type before it runs. The
        // blocker is queued before the send, so the echo's task cannot overtake it.
        let release = DispatchSemaphore(value: 0)
        try recorder.onQueue {
            recorder.queue.async { release.wait() }
            try recorder.socket.send([9])
        }
        _ = try await server.waitForConnection { $0.messages.count == 1 }
        try await Task.sleep(for: .milliseconds(50))
        recorder.socket.binaryType = .arraybuffer
        release.signal()
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.arrayBuffer(Data([9])), origin: "ws://127.0.0.1:\(server.port)"))
    }

    @Test func messagesAreDeliveredInOrder() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        try recorder.onQueue { for index in 0..<200 { try recorder.socket.send("\(index)") } }
        let events = try await recorder.waitUntil { $0.count == 201 }
        #expect(Array(events.dropFirst()) == (0..<200).map { .message(.text("\($0)"), origin: "ws://127.0.0.1:\(server.port)") })
    }

    @Test func protocolViolationsFailTheConnectionWithTheRFCsCode() async throws {
        let cases: [(TestServer.Behavior, UInt16, WebSocket.Failure)] = [
            (.maskedFrame, 1002, .protocolViolation(.maskedFrameFromServer)),
            (.invalidUTF8, 1007, .protocolViolation(.invalidUTF8)),
        ]
        for (behavior, code, failure) in cases {
            let server = try await TestServer.start(behavior)
            defer { server.stop() }
            let recorder = try SocketRecorder(server.url())
            let events = try await recorder.waitForClose()
            #expect(Array(events.dropFirst()) == SocketRecorder.failed)
            #expect(recorder.socket.failure == failure)
            #expect(try await server.waitForClose().closeFrame?.code?.rawValue == code)
        }
    }

    @Test func anOversizedMessageFailsWith1009() async throws {
        let server = try await TestServer.start(.oversizedMessage(size: 2000))
        defer { server.stop() }
        var options = WebSocket.Options()
        options.maxMessageSize = 1000
        let recorder = try SocketRecorder(server.url(), options: options)
        let events = try await recorder.waitForClose()
        #expect(Array(events.dropFirst()) == SocketRecorder.failed)
        #expect(recorder.socket.failure == .protocolViolation(.frameTooLarge(length: 2000, limit: 1000)))
        #expect(try await server.waitForClose().closeFrame?.code == .messageTooBig)
    }

    @Test func aFourMebibyteMessageIn65537FramesIsReceivedAsBrowsersDo() async throws {
        // One data frame, 65 535 continuations of 64 bytes, and an empty final one: Autobahn 9.3.1's shape.
        var frames = ByteBuffer()
        let chunk = [UInt8](repeating: 0x61, count: 64)
        for index in 0..<65_536 {
            frames.writeImmutableBuffer(TestServer.frameBytes(index == 0 ? .binary : .continuation, chunk, fin: false))
        }
        frames.writeImmutableBuffer(TestServer.frameBytes(.continuation, [UInt8](), fin: true))
        let server = try await TestServer.start(.init(onOpen: [.raw(frames)]))
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        recorder.onQueue { recorder.socket.binaryType = .arraybuffer }
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.arrayBuffer(Data(repeating: 0x61, count: 4 << 20)), origin: "ws://127.0.0.1:\(server.port)"))
        #expect(recorder.socket.failure == nil)
    }
}
