import Foundation
import NIOPosix
import Testing
@testable import WebSockets

/// Client code on the connection's own event loop: `WebSocket.Options.deliversEventsOnEventLoop`
/// and `WebSocketStream.taskExecutor`.
@Suite("Client code on the event loop")
struct EventLoopDeliveryTests {
    /// Where a piece of client code ran: an event loop's identity, or `nil` off every loop.
    private static func currentLoop() -> ObjectIdentifier? {
        MultiThreadedEventLoopGroup.currentEventLoop.map { ObjectIdentifier($0) }
    }

    @Test func everyEventRunsInOrderOnTheConnectionsEventLoop() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.deliversEventsOnEventLoop = true
        let seen = LockedValue<[(event: String, loop: ObjectIdentifier?)]>([])
        let count = 200
        // Created on an event loop, with its handlers attached in the same turn: none can miss
        // an event, however late this thread runs.
        let creator = MultiThreadedEventLoopGroup.singleton.next()
        let socket = try await creator.submit { [options] in
            let socket = try WebSocket(server.url(), options: options)
            Self.attachHandlers(to: socket, count: count, seen: seen)
            return socket
        }.get()
        try await waitUntil { seen.current.count == count + 2 }
        let events = seen.current
        #expect(events.map(\.event) == ["open"] + (0..<count).map { "\($0)" } + ["close 1000 true"])
        #expect(Set(events.map(\.loop)) == [ObjectIdentifier(creator)])
        #expect(socket.readyState == .closed)
    }

    /// Records each event and where it ran; opening sends `count` messages, the last echo closes.
    private static func attachHandlers(
        to socket: WebSocket, count: Int, seen: LockedValue<[(event: String, loop: ObjectIdentifier?)]>
    ) {
        socket.onopen = { _ in
            seen.withLock { $0.append(("open", Self.currentLoop())) }
            // Sent from the event loop: they leave in the same turn, in order.
            for number in 0..<count { try? socket.send("\(number)") }
        }
        socket.onmessage = { event in
            guard case .text(let text) = event.data else { return }
            let last = seen.withLock {
                $0.append((text, Self.currentLoop()))
                return $0.count == count + 1
            }
            if last { try? socket.close(code: 1000) }
        }
        socket.onclose = { event in seen.withLock { $0.append(("close \(event.code) \(event.wasClean)", Self.currentLoop())) } }
    }

    @Test func aTaskPreferringTheStreamsExecutorReadsAndWritesOnItsEventLoop() async throws {
        guard #available(macOS 15, iOS 18, tvOS 18, watchOS 11, *) else { return }
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        let count = 200
        let (received, loops) = try await Task(executorPreference: stream.taskExecutor) {
            var loops: Set<ObjectIdentifier?> = [Self.currentLoop()]
            for number in 0..<count {
                try await opened.writable.write("\(number)")
                loops.insert(Self.currentLoop())
            }
            var received: [WebSocketMessage] = []
            for try await message in opened.readable {
                received.append(message)
                loops.insert(Self.currentLoop())
                if received.count == count { break }
            }
            return (received, loops)
        }.value
        #expect(received == (0..<count).map { .text("\($0)") })
        #expect(loops.count == 1)
        #expect(loops.first! != nil)
        try stream.close(closeCode: 1000)
        #expect(try await stream.closed.closeCode == 1000)
    }

    @Test func aStreamCreatedOnAnEventLoopRunsOnIt() async throws {
        guard #available(macOS 15, iOS 18, tvOS 18, watchOS 11, *) else { return }
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let first = try WebSocketStream(server.url())
        // Two, since the shared group hands its loops out in turn: without the rule, two streams
        // in a row never share one.
        let (second, third, loop) = try await Task(executorPreference: first.taskExecutor) {
            (try WebSocketStream(server.url()), try WebSocketStream(server.url()), Self.currentLoop())
        }.value
        #expect(loop == ObjectIdentifier(first.endpoint.eventLoop))
        #expect(ObjectIdentifier(second.endpoint.eventLoop) == ObjectIdentifier(first.endpoint.eventLoop))
        #expect(ObjectIdentifier(third.endpoint.eventLoop) == ObjectIdentifier(first.endpoint.eventLoop))
        let message = try await Task(executorPreference: second.taskExecutor) {
            let opened = try await second.opened
            try await opened.writable.write("on its loop")
            return try await opened.readable.first(where: { _ in true })
        }.value
        #expect(message == .text("on its loop"))
        for stream in [first, second, third] { try stream.close(closeCode: 1000) }
    }
}
