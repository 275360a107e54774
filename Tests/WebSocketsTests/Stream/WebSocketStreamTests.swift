import Foundation
import Testing
@testable import WebSockets

/// The WebSocketStream proposal's algorithms, each against our own server on 127.0.0.1.
@Suite("WebSocketStream")
struct WebSocketStreamTests {
    @Test func theConstructorThrowsSyntaxErrorAsWebSocketDoes() {
        for url in ["ftp://example.com/", "ws://example.com/#fragment", "not a url"] {
            #expect(throws: DOMException.self) { try WebSocketStream(url) }
        }
        #expect((try? WebSocketStream("ws://127.0.0.1:1/", protocols: ["a", "a"])) == nil)
        #expect((try? WebSocketStream("ws://127.0.0.1:1/", protocols: ["not a token"])) == nil)
        #expect(throws: Never.self) { try WebSocketStream("http://127.0.0.1:1/x?y=1").url == "ws://127.0.0.1:1/x?y=1" }
    }

    @Test func handleWebSocketStreamConnectionEstablishmentResolvesOpened() async throws {
        let server = try await RunningServer.echo(protocols: ["chat.v2"])
        defer { server.stop() }
        let stream = try WebSocketStream(server.url("/echo"), protocols: ["chat.v1", "chat.v2"])
        let opened = try await stream.opened
        #expect(opened.protocol == "chat.v2")
        #expect(opened.extensions.hasPrefix("permessage-deflate"))
        try await opened.writable.write("hello")
        try await opened.writable.write(Data([1, 2, 3]))
        try await opened.writable.write([UInt8](repeating: 7, count: 200_000))
        var iterator = opened.readable.makeAsyncIterator()
        #expect(try await iterator.next() == .text("hello"))
        #expect(try await iterator.next() == .binary(Data([1, 2, 3])))
        #expect(try await iterator.next() == .binary(Data(repeating: 7, count: 200_000)))
        try stream.close(closeCode: 1000, reason: "done")
        #expect(try await stream.closed == WebSocketStream.CloseInfo(closeCode: 1000, reason: "done"))
        #expect(try await iterator.next() == nil)
    }

    @Test func closeValidatesTheCodeAndReasonLikeWebSocketClose() throws {
        let stream = try WebSocketStream("ws://127.0.0.1:1/")
        for code: UInt16 in [0, 999, 1001, 1005, 1006, 2999, 5000] {
            #expect { try stream.close(closeCode: code) } throws: { ($0 as? DOMException)?.name == .invalidAccessError }
        }
        #expect { try stream.close(closeCode: 1000, reason: String(repeating: "é", count: 62)) } throws: {
            ($0 as? DOMException)?.name == .syntaxError
        }
    }

    @Test func closeWithoutCodeOrReasonSendsACloseFrameWithoutBody() async throws {
        let (server, seen) = try await RunningServer.recordingClose()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        _ = try await stream.opened
        try stream.close()
        let info = try await stream.closed
        #expect(info.closeCode == 1005)
        #expect(info.reason == "")
        try await waitUntil { seen.current != nil }
        #expect(seen.current == WebSocketStream.CloseInfo(closeCode: 1005, reason: ""))
    }

    @Test func aReasonWithoutACodeSends1000() async throws {
        let (server, seen) = try await RunningServer.recordingClose()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        _ = try await stream.opened
        try stream.close(reason: "bye")
        #expect(try await stream.closed == .init(closeCode: 1000, reason: "bye"))
        try await waitUntil { seen.current != nil }
        #expect(seen.current == WebSocketStream.CloseInfo(closeCode: 1000, reason: "bye"))
    }

    @Test func aFailedHandshakeRejectsOpenedAndClosedWithWebSocketError1006() async throws {
        let server = try await RunningServer.start { _ in .reject(status: 404) }
        defer { server.stop() }
        let stream = try WebSocketStream(server.url("/missing"))
        await #expect { _ = try await stream.opened } throws: { ($0 as? WebSocketError)?.closeCode == 1006 }
        await #expect { _ = try await stream.closed } throws: { ($0 as? WebSocketError)?.closeCode == 1006 }
    }

    @Test func closeDuringTheHandshakeRejectsOpenedAndClosedWith1006() async throws {
        // The server holds the handshake until the client has closed, however slowly either runs.
        let (requested, closed) = (LockedValue(false), LockedValue(false))
        let server = try await RunningServer.start { _ in
            requested.withLock { $0 = true }
            while !closed.current { try? await Task.sleep(for: .milliseconds(5)) }
            return .accept { _ in }
        }
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        try await waitUntil { requested.current }
        try stream.close(closeCode: 4000, reason: "ignored")
        closed.withLock { $0 = true }
        await #expect { _ = try await stream.opened } throws: { ($0 as? WebSocketError)?.closeCode == 1006 }
        await #expect { _ = try await stream.closed } throws: { ($0 as? WebSocketError)?.closeCode == 1006 }
    }

    @Test func aSignalAbortedBeforeConstructionMakesNoConnection() async throws {
        let requests = LockedValue(0)
        let server = try await RunningServer.start { _ in
            requests.withLock { $0 += 1 }
            return .accept { _ in }
        }
        defer { server.stop() }
        let controller = AbortController()
        controller.abort()
        #expect(controller.signal.aborted)
        let stream = try WebSocketStream(server.url(), signal: controller.signal)
        await #expect { _ = try await stream.opened } throws: { ($0 as? DOMException)?.name == .abortError }
        await #expect { _ = try await stream.closed } throws: { ($0 as? DOMException)?.name == .abortError }
        // A connection made anyway would have reached the handler by now.
        let probe = try WebSocketStream(server.url())
        _ = try await probe.opened
        #expect(requests.current == 1)
    }

    // A regression would leave the stream waiting for a handshake that never comes.
    @Test(.timeLimit(.minutes(1))) func abortDuringTheHandshakeRejectsWithAbortErrorAndAfterItDoesNothing() async throws {
        // The server answers "/slow" only once the test has seen the abort: under load, a sleep
        // on either side can outlast the other.
        let (answerSlow, allowAnswer) = AsyncStream.makeStream(of: Never.self)
        let server = try await RunningServer.start { request in
            if request.path == "/slow" { for await _ in answerSlow {} }
            return .accept { connection in
                for try await message in connection.readable { try await connection.writable.write(message) }
            }
        }
        defer { server.stop() }
        let early = AbortController()
        let slow = try WebSocketStream(server.url("/slow"), signal: early.signal)
        try await Task.sleep(for: .milliseconds(100))
        early.abort()
        await #expect { _ = try await slow.opened } throws: { ($0 as? DOMException)?.name == .abortError }
        await #expect { _ = try await slow.closed } throws: { ($0 as? DOMException)?.name == .abortError }
        allowAnswer.finish()

        let late = AbortController()
        let stream = try WebSocketStream(server.url("/fast"), signal: late.signal)
        let opened = try await stream.opened
        late.abort()
        try await opened.writable.write("still open")
        var iterator = opened.readable.makeAsyncIterator()
        #expect(try await iterator.next() == .text("still open"))
    }

    @Test func cancelClosesWithTheWebSocketErrorsCodeAndReason() async throws {
        let (server, seen) = try await RunningServer.recordingClose()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        opened.readable.cancel(try WebSocketError(closeCode: 4001, reason: "cancelled"))
        #expect(try await stream.closed == .init(closeCode: 4001, reason: "cancelled"))
        var iterator = opened.readable.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
        try await waitUntil { seen.current != nil }
        #expect(seen.current == WebSocketStream.CloseInfo(closeCode: 4001, reason: "cancelled"))
    }

    @Test func abortWithoutAWebSocketErrorClosesWithoutACode() async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        opened.writable.abort()
        #expect(try await stream.closed == .init(closeCode: 1005, reason: ""))
    }

    @Test func writableCloseReturnsWhenTheClosingHandshakeCompletes() async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        try await opened.writable.write("last")
        try await opened.writable.close()
        #expect(try await stream.closed == .init(closeCode: 1005, reason: ""))
        // Messages that arrived before the clean close are still delivered, then the iteration ends.
        var received: [WebSocketMessage] = []
        for try await message in opened.readable { received.append(message) }
        #expect(received == [.text("last")] || received.isEmpty)
        await #expect { try await opened.writable.write("late") } throws: { ($0 as? DOMException)?.name == .invalidStateError }
    }

    @Test func messagesThatArrivedBeforeACleanCloseAreStillDelivered() async throws {
        let server = try await RunningServer.start { _ in
            .accept { connection in
                for index in 1...3 { try await connection.writable.write("message \(index)") }
                try connection.close(closeCode: 4002, reason: "server done")
                _ = try? await connection.closed
            }
        }
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        #expect(try await stream.closed == .init(closeCode: 4002, reason: "server done"))
        var received: [WebSocketMessage] = []
        for try await message in opened.readable { received.append(message) }
        #expect(received == [.text("message 1"), .text("message 2"), .text("message 3")])
        await #expect { try await opened.writable.write("late") } throws: { ($0 as? DOMException)?.name == .invalidStateError }
    }

    @Test func cancellingTheTaskWaitingInNextThrowsCancellationErrorAndKeepsTheConnection() async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        let waiting = Task { () -> WebSocketMessage? in
            var iterator = opened.readable.makeAsyncIterator()
            return try await iterator.next()
        }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        try await opened.writable.write("after")
        var iterator = opened.readable.makeAsyncIterator()
        #expect(try await iterator.next() == .text("after"))
    }

    @Test func readersTakingTurnsGetEveryMessageExactlyOnceAndInOrderThroughCancellations() async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        let count = 3000
        // Each reader's messages, by the index written in them.
        let received = LockedValue([[Int]](repeating: [], count: 4))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for reader in 0..<3 {
                group.addTask {
                    for try await message in opened.readable {
                        guard case .text(let text) = message, let index = Int(text) else { continue }
                        received.withLock { $0[reader].append(index) }
                    }
                }
            }
            // A fourth reader whose waits are cancelled again and again, some just as a message
            // was handed over to it: what it was given must reach another reader, or itself.
            // Bounded, and sleeping between waits, so as not to starve the rest of the suite.
            group.addTask {
                for _ in 0..<300 where received.withLock({ $0.joined().count }) < count {
                    let waiting = Task { () -> WebSocketMessage? in
                        var iterator = opened.readable.makeAsyncIterator()
                        return try await iterator.next()
                    }
                    try await Task.sleep(for: .microseconds(Int.random(in: 20...400)))
                    waiting.cancel()
                    if case .text(let text)? = try? await waiting.value, let index = Int(text) {
                        received.withLock { $0[3].append(index) }
                    }
                }
            }
            for index in 0..<count { try await opened.writable.write(String(index)) }
            try await waitUntil(timeout: .seconds(30)) { received.withLock { $0.joined().count } >= count }
            try stream.close()
            try await group.waitForAll()
        }
        let byReader = received.current
        #expect(byReader.joined().sorted() == Array(0..<count))
        for messages in byReader {
            #expect(messages == messages.sorted())
        }
    }

    // A regression would leave the stream waiting for a handshake that never comes.
    @Test(.timeLimit(.minutes(1))) func cancellingTheTaskWaitingInOpenedThrowsCancellationErrorAndLeavesTheConnection() async throws {
        // The server answers once the test has seen the cancellation, however late that is.
        let (answer, allowAnswer) = AsyncStream.makeStream(of: Never.self)
        let server = try await RunningServer.start { _ in
            for await _ in answer {}
            return .accept(handler: { connection in
                for try await message in connection.readable { try await connection.writable.write(message) }
            })
        }
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let waiting = Task { try await stream.opened }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        allowAnswer.finish()
        let opened = try await stream.opened
        try await opened.writable.write("still connecting, then open")
        var iterator = opened.readable.makeAsyncIterator()
        #expect(try await iterator.next() == .text("still connecting, then open"))
    }

    @Test func aWritePendingWhenWeStartTheClosingHandshakeThrowsInvalidStateError() async throws {
        let peer = try await PeerProcess.start(.raw, extraArguments: ["--mode", "stall", "--stall", "30"])
        defer { peer.stop() }
        var options = WebSocket.Options()
        options.perMessageDeflate = nil
        let stream = try WebSocketStream(peer.url("/"), options: options)
        let opened = try await stream.opened
        let pending = Task { try await opened.writable.write(Data(count: 8 << 20)) }
        try await Task.sleep(for: .milliseconds(200))
        try stream.close(closeCode: 4000)
        await #expect { try await pending.value } throws: { ($0 as? DOMException)?.name == .invalidStateError }
        await #expect { try await opened.writable.write("after") } throws: { ($0 as? DOMException)?.name == .invalidStateError }
    }

    @Test func webSocketErrorValidatesAndDefaultsTo1000ForAReason() throws {
        #expect(try WebSocketError("m", reason: "why").closeCode == 1000)
        #expect(try WebSocketError().closeCode == nil)
        #expect(try WebSocketError().name == "WebSocketError")
        #expect { try WebSocketError(closeCode: 1001) } throws: { ($0 as? DOMException)?.name == .invalidAccessError }
        #expect { try WebSocketError(closeCode: 4000, reason: String(repeating: "x", count: 124)) } throws: {
            ($0 as? DOMException)?.name == .syntaxError
        }
    }
}

/// Polls `condition` every 10 ms for at most `timeout`.
func waitUntil(timeout: Duration = .seconds(10), _ condition: @Sendable () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut() }
        try await Task.sleep(for: .milliseconds(10))
    }
}

struct WaitTimedOut: Error {}
