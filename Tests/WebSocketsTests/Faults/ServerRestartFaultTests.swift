import Foundation
import Glibc
import Testing
@testable import WebSockets

extension FaultTests {
    /// `wsc serve` restarted under many clients (200 here, 1 000 with `WEBSOCKETS_FAULTS_FULL=1`):
    /// SIGTERM shuts it down gracefully, so every client sees a clean close with 1001 (going away);
    /// SIGKILL drops every TCP connection, so every client sees an unclean close with 1006. Either
    /// way each client gets exactly one `close` event, none hangs, and a server started again on
    /// the same port takes every client back.
    @Suite("server restart under many clients")
    struct ServerRestartFaultTests {
        static var clientCount: Int { FaultReport.isFull ? 1000 : 200 }

        @Test(arguments: [SIGTERM, SIGKILL])
        func everyClientSeesExactlyOneCloseAndNoneHangs(_ signal: Int32) async throws {
            let server = try await WscServe.start()
            defer { server.stop() }
            let clients = try await Clients.connect(Self.clientCount, to: server.url())
            server.process.send(signal)
            let sent = ContinuousClock.now
            try await clients.waitUntil(timeout: .seconds(60)) { $0.closes.count == Self.clientCount }
            let allClosed = ContinuousClock.now - sent
            let seen = clients.seenAfterDraining()
            let expected: Clients.Close = signal == SIGTERM ? .init(code: 1001, wasClean: true) : .init(code: 1006, wasClean: false)
            #expect(seen.closes.allSatisfy { $0.value == [expected] }, "\(seen.closes.filter { $0.value != [expected] }.prefix(5))")
            #expect(seen.errors == 0, "an established connection that is closed or lost fires no error (§4)")
            #expect(try await server.process.finished(within: .seconds(10)), "\(server.process)")
            #expect(server.process.termination == (signal == SIGTERM ? .exited(0) : .signaled(SIGKILL)))

            let restarted = try await WscServe.start(port: server.port)
            defer { restarted.stop() }
            let again = try await Clients.connect(Self.clientCount, to: restarted.url())
            again.closeAll()
            try await again.waitUntil(timeout: .seconds(60)) { $0.closes.count == Self.clientCount }
            FaultReport.figure(
                "server restart, \(signal == SIGTERM ? "SIGTERM" : "SIGKILL") under \(Self.clientCount) clients",
                "every client: exactly one close \(expected.code), last after \(FaultReport.milliseconds(allClosed)) ms; all \(Self.clientCount) reconnected after the restart")
        }

        /// Many `WebSocket`s on one event queue, recording each one's `close` events.
        final class Clients: Sendable {
            struct Close: Hashable, Sendable, CustomStringConvertible {
                let code: UInt16
                let wasClean: Bool
                var description: String { "\(code)\(wasClean ? "" : " unclean")" }
            }

            struct Seen: Sendable {
                var opened = 0
                var errors = 0
                var closes: [Int: [Close]] = [:]
            }

            let queue: DispatchQueue
            let sockets: [WebSocket]
            private let seen: LockedValue<Seen>

            private init(queue: DispatchQueue, sockets: [WebSocket], seen: LockedValue<Seen>) {
                self.queue = queue
                self.sockets = sockets
                self.seen = seen
            }

            /// Opens `count` sockets to `url` and waits (at most 60 s) until every one is open.
            static func connect(_ count: Int, to url: String) async throws -> Clients {
                let seen = LockedValue(Seen())
                let queue = DispatchQueue(label: "test.restart.clients")
                var options = WebSocket.Options()
                options.eventQueue = queue
                let sockets = try queue.sync {
                    try (0..<count).map { index in
                        let socket = try WebSocket(url, options: options)
                        socket.onopen = { _ in seen.withLock { $0.opened += 1 } }
                        socket.onerror = { _ in seen.withLock { $0.errors += 1 } }
                        socket.onclose = { event in
                            seen.withLock { $0.closes[index, default: []].append(Close(code: event.code, wasClean: event.wasClean)) }
                        }
                        return socket
                    }
                }
                let clients = Clients(queue: queue, sockets: sockets, seen: seen)
                try await clients.waitUntil(timeout: .seconds(60)) { $0.opened == count || !$0.closes.isEmpty }
                let opened = seen.current
                guard opened.opened == count else {
                    throw HostCommand.Failed(description: "\(opened.opened) of \(count) clients opened; closes: \(opened.closes.prefix(5))")
                }
                return clients
            }

            func closeAll() {
                queue.sync { for socket in sockets { try? socket.close() } }
            }

            /// What was seen once every event already queued has run.
            func seenAfterDraining() -> Seen {
                queue.sync {}
                return seen.current
            }

            func waitUntil(timeout: Duration, _ condition: (Seen) -> Bool) async throws {
                let deadline = ContinuousClock.now + timeout
                while !condition(seen.current) {
                    guard ContinuousClock.now < deadline else {
                        let current = seen.current
                        throw HostCommand.Failed(description: "timed out: \(current.opened) opened, \(current.closes.count) closed, \(current.errors) errors")
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
    }
}
