import Foundation
import Testing
@testable import WebSockets

extension FaultTests {
    /// The link goes dead in the middle of a message — nftables drops every packet each way, and
    /// neither end is told. Only the keepalive (`keepalive = .enabled(interval:timeout:)`) can find
    /// out: within one interval plus the timeout the connection is failed (WHATWG WebSockets §4:
    /// one `error`, one `close` with 1006), and nothing of it is left.
    ///
    /// An nftables quota lets 32 kB through after the handshake, then drops everything: the link
    /// dies inside the 64 KiB message sent at that moment. Detection, counted from that send, takes
    /// at least `timeout - interval` (a ping sent just before it whose pong was lost) and at most
    /// `interval + timeout`.
    @Suite("a dead link")
    struct DeadLinkFaultTests {
        static let interval = 1.0
        static let timeout = 2.0
        /// What detection may take beyond interval + timeout: timers and event delivery on a
        /// loaded machine (load averages of 15 on 2 cores were seen while other work ran), or,
        /// within the whole suite, event loops held by other tests (see ``FaultReport/runsAlone``).
        static var margin: Duration { FaultReport.runsAlone ? .seconds(2) : .seconds(20) }
        static var bound: Duration { .seconds(interval + timeout) + margin }
        static let earliest = Duration.seconds(timeout - interval)
        static let message = Data(count: 64 << 10)
        static let bytesBeforeTheCut = 32_000

        static var keepalive: WebSocket.Options {
            var options = WebSocket.Options()
            options.keepalive = .enabled(interval: interval, timeout: timeout)
            options.perMessageDeflate = nil
            return options
        }

        @Test func theBrowserAPIsKeepaliveFailsTheConnectionOnceAndLeavesNoSocket() async throws {
            let namespace = try await NetworkNamespace.create()
            defer { namespace.remove() }
            let server = try await WscServe.start(in: namespace)
            defer { server.stop() }
            let recorder = try SocketRecorder(server.url(), options: Self.keepalive)
            try await recorder.waitForOpen()
            #expect(ProcessResources.openSockets(to: server.host, port: server.port) == 1)

            try await namespace.dropEverything(afterBytes: Self.bytesBeforeTheCut)
            let cut = ContinuousClock.now
            try recorder.onQueue { try recorder.socket.send(Self.message) }
            try await waitUntil { ProcessResources.kernelSendQueue(to: server.host) > 0 }
            let unsent = ProcessResources.kernelSendQueue(to: server.host)
            let events = try await recorder.waitForClose(timeout: Self.bound + .seconds(5))
            let detection = ContinuousClock.now - cut
            #expect(Array(events.dropFirst()) == SocketRecorder.failed, "exactly one error, then one close 1006: \(events)")
            #expect(recorder.socket.failure == .keepaliveTimedOut)
            #expect(detection >= Self.earliest && detection <= Self.bound, "detected after \(detection)")
            try await waitUntil(timeout: .seconds(5)) { ProcessResources.openSockets(to: server.host, port: server.port) == 0 }
            FaultReport.figure(
                "dead link mid-message, WebSocket (keepalive \(Self.interval) s + \(Self.timeout) s)",
                "error + close 1006 once after \(FaultReport.milliseconds(detection)) ms, \(unsent / 1024) KiB of it never acknowledged; 0 sockets left")
        }

        @Test func theStreamsKeepaliveThrowsOneWebSocketError1006AndLeavesNoSocket() async throws {
            let namespace = try await NetworkNamespace.create()
            defer { namespace.remove() }
            let server = try await WscServe.start(in: namespace)
            defer { server.stop() }
            let stream = try WebSocketStream(server.url(), options: Self.keepalive)
            let opened = try await stream.opened
            #expect(ProcessResources.openSockets(to: server.host, port: server.port) == 1)
            try await namespace.dropEverything(afterBytes: Self.bytesBeforeTheCut)
            let cut = ContinuousClock.now
            try await opened.writable.write(Self.message)
            try await waitUntil { ProcessResources.kernelSendQueue(to: server.host) > 0 }  // the rest never leaves
            let result = await Result { try await within(Self.bound + .seconds(10), "closed") { try await stream.closed } }
            let detection = ContinuousClock.now - cut
            guard case .failure(let error as WebSocketError) = result else {
                Issue.record("closed: \(result)")
                return
            }
            #expect(error.closeCode == 1006)
            #expect(detection >= Self.earliest && detection <= Self.bound, "detected after \(detection)")
            await #expect(throws: WebSocketError.self) {
                try await within(.seconds(10), "the readable's end") { for try await _ in opened.readable {} }
            }
            try await waitUntil(timeout: .seconds(5)) { ProcessResources.openSockets(to: server.host, port: server.port) == 0 }
            FaultReport.figure(
                "dead link mid-message, WebSocketStream (keepalive \(Self.interval) s + \(Self.timeout) s)",
                "closed throws 1006 after \(FaultReport.milliseconds(detection)) ms; 0 sockets left")
        }

        @Test func theServersKeepaliveDropsTheConnectionAndItsCountReturnsToZero() async throws {
            let namespace = try await NetworkNamespace.create()
            defer { namespace.remove() }
            var configuration = WebSocketServer.Configuration(host: namespace.hostAddress, port: 0)
            configuration.keepalive = .enabled(interval: Self.interval, timeout: Self.timeout)
            let closed = LockedValue<Result<WebSocketStream.CloseInfo, any Error>?>(nil)
            let linkDying = LockedValue(false)
            let server = try await RunningServer.start(configuration) { _ in
                .accept { connection in
                    // Once the link is about to die, a message it dies in the middle of.
                    try await waitUntil { linkDying.current }
                    async let writing: Void = connection.writable.write(Self.message)
                    let result = await Result { try await connection.closed }
                    closed.withLock { $0 = result }
                    try? await writing
                }
            }
            defer { server.stop() }
            let client = try await PythonClient.start("ws://\(namespace.hostAddress):\(server.port)/", in: namespace)
            defer { client.kill() }
            try await waitUntil { server.server.connectionCount == 1 }
            try await namespace.dropEverything(afterBytes: Self.bytesBeforeTheCut)
            let cut = ContinuousClock.now
            linkDying.withLock { $0 = true }
            try await waitUntil(timeout: Self.bound + .seconds(5)) { closed.current != nil }
            let detection = ContinuousClock.now - cut
            guard case .failure(let error as WebSocketError)? = closed.current else {
                Issue.record("closed: \(String(describing: closed.current))")
                return
            }
            #expect(error.closeCode == 1006)
            #expect(detection >= Self.earliest && detection <= Self.bound, "detected after \(detection)")
            try await waitUntil(timeout: .seconds(5)) { server.server.connectionCount == 0 }
            FaultReport.figure(
                "dead link, our server (keepalive \(Self.interval) s + \(Self.timeout) s)",
                "connection closed 1006 after \(FaultReport.milliseconds(detection)) ms; connectionCount back to 0")
        }
    }
}
