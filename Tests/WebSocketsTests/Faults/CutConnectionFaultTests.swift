import Foundation
import Testing
@testable import WebSockets

extension FaultTests {
    /// TCP cut in the middle of a frame by the fault proxy — a reset (RST) or an orderly close (FIN)
    /// — towards our client and towards our server; a proxy that stops forwarding (a half-open
    /// connection); a server that accepts TCP and never answers. Each must end in the close the
    /// standard gives, once, with nothing left open.
    @Suite("connections cut, stalled, never answered")
    struct CutConnectionFaultTests {
        /// Past the opening handshake (about 200 bytes each way), inside the 64 KiB message.
        static let cutOffset = "2000"
        static let message = Data((0..<(64 << 10)).map { UInt8(truncatingIfNeeded: $0) })

        static var plain: WebSocket.Options {
            var options = WebSocket.Options()
            options.perMessageDeflate = nil  // so that the cut falls inside the frame as sent
            return options
        }

        @Test(arguments: ["--rst-after", "--fin-after"])
        func aCutMidFrameTowardsOurClientClosesWith1006AndLeavesNoSocket(_ fault: String) async throws {
            let server = try await RunningServer.echo()
            defer { server.stop() }
            let proxy = try await FaultProxy.start(target: "127.0.0.1:\(server.port)", [fault, Self.cutOffset, "--direction", "down"])
            defer { proxy.stop() }

            // The browser API: an established connection lost is closed, not failed (§4): no error.
            let recorder = try SocketRecorder(proxy.url(), options: Self.plain)
            try await recorder.waitForOpen()
            try recorder.onQueue { try recorder.socket.send(Self.message) }
            let events = try await recorder.waitForClose()
            #expect(Array(events.dropFirst()) == LostConnectionTests.lost, "\(events); proxy: \(proxy.log)")
            guard case .connectionLost(let detail) = recorder.socket.failure else {
                Issue.record("failure: \(String(describing: recorder.socket.failure))")
                return
            }
            if fault == "--rst-after" { #expect(detail?.contains("reset") == true, "\(String(describing: detail))") }

            // The stream: one WebSocketError 1006 from `closed` and from the readable.
            let stream = try WebSocketStream(proxy.url(), options: Self.plain)
            let opened = try await stream.opened
            try await opened.writable.write(Self.message)
            await #expect(throws: WebSocketError.self) {
                try await within(.seconds(10), "the readable's end") { for try await _ in opened.readable {} }
            }
            let closed = await Result { try await within(.seconds(10), "closed") { try await stream.closed } }
            #expect((try? closed.get()) == nil && (closed.failureAsWebSocketError?.closeCode == 1006), "\(closed)")
            try await waitUntil(timeout: .seconds(5)) { ProcessResources.openSockets(to: "127.0.0.1", port: proxy.port) == 0 }
            FaultReport.figure("\(fault == "--rst-after" ? "RST" : "FIN") mid-frame towards our client", "WebSocket: close 1006, no error; WebSocketStream: 1006 thrown; 0 sockets left")
        }

        @Test(arguments: ["--rst-after", "--fin-after"])
        func aCutMidFrameTowardsOurServerEndsTheConnectionWith1006(_ fault: String) async throws {
            var configuration = WebSocketServer.Configuration()
            configuration.perMessageDeflate = nil
            let closed = LockedValue<Result<WebSocketStream.CloseInfo, any Error>?>(nil)
            let server = try await RunningServer.start(configuration) { _ in
                .accept { connection in
                    let result = await Result {
                        for try await _ in connection.readable {}
                        return try await connection.closed
                    }
                    closed.withLock { $0 = result }
                }
            }
            defer { server.stop() }
            let proxy = try await FaultProxy.start(target: "127.0.0.1:\(server.port)", [fault, Self.cutOffset, "--direction", "up"])
            defer { proxy.stop() }
            let stream = try WebSocketStream(proxy.url(), options: Self.plain)
            let opened = try await stream.opened
            try? await opened.writable.write(Self.message)
            try await waitUntil { closed.current != nil }
            #expect(closed.current?.failureAsWebSocketError?.closeCode == 1006, "\(String(describing: closed.current)); proxy: \(proxy.log)")
            await #expect(throws: WebSocketError.self) { _ = try await within(.seconds(10), "closed") { try await stream.closed } }
            try await waitUntil(timeout: .seconds(5)) { server.server.connectionCount == 0 }
            FaultReport.figure("\(fault == "--rst-after" ? "RST" : "FIN") mid-frame towards our server", "server: readable and closed throw 1006, connectionCount back to 0; client: 1006")
        }

        @Test func aProxyThatStopsForwardingIsFoundByTheKeepaliveOfBothEnds() async throws {
            var configuration = WebSocketServer.Configuration()
            configuration.keepalive = .enabled(interval: 0.5, timeout: 1)
            let closed = LockedValue<Result<WebSocketStream.CloseInfo, any Error>?>(nil)
            let server = try await RunningServer.start(configuration) { _ in
                .accept { connection in
                    let result = await Result { try await connection.closed }
                    closed.withLock { $0 = result }
                }
            }
            defer { server.stop() }
            let proxy = try await FaultProxy.start(target: "127.0.0.1:\(server.port)", ["--stall-after", "1000", "--direction", "up"])
            defer { proxy.stop() }
            var options = Self.plain
            options.keepalive = .enabled(interval: 0.5, timeout: 1)
            let recorder = try SocketRecorder(proxy.url(), options: options)
            try await recorder.waitForOpen()
            let stalled = ContinuousClock.now
            try recorder.onQueue { try recorder.socket.send(Self.message) }  // crosses 1000 bytes: the proxy stalls
            let events = try await recorder.waitForClose(timeout: .seconds(10))
            let clientDetection = ContinuousClock.now - stalled
            #expect(Array(events.dropFirst()) == SocketRecorder.failed, "\(events); proxy: \(proxy.log)")
            #expect(recorder.socket.failure == .keepaliveTimedOut)
            try await waitUntil(timeout: .seconds(10)) { closed.current != nil }
            let serverDetection = ContinuousClock.now - stalled
            #expect(closed.current?.failureAsWebSocketError?.closeCode == 1006, "\(String(describing: closed.current))")
            #expect(clientDetection <= DeadLinkFaultTests.bound && serverDetection <= DeadLinkFaultTests.bound + .seconds(1))
            try await waitUntil(timeout: .seconds(5)) { server.server.connectionCount == 0 }
            try await waitUntil(timeout: .seconds(5)) { ProcessResources.openSockets(to: "127.0.0.1", port: proxy.port) == 0 }
            FaultReport.figure(
                "half-open: proxy stops forwarding (keepalive 0.5 s + 1 s both ends)",
                "client: error + close 1006 after \(FaultReport.milliseconds(clientDetection)) ms; server: 1006 after \(FaultReport.milliseconds(serverDetection)) ms, count 0")
        }

        @Test func aServerThatAcceptsTCPAndNeverAnswersTimesTheHandshakeOut() async throws {
            let server = try await RunningServer.echo()
            defer { server.stop() }
            let proxy = try await FaultProxy.start(target: "127.0.0.1:\(server.port)", ["--stall-after", "0"])
            defer { proxy.stop() }
            var options = Self.plain
            options.handshakeTimeout = 0.5

            let started = ContinuousClock.now
            let recorder = try SocketRecorder(proxy.url(), options: options)
            let events = try await recorder.waitForClose()
            let socketTook = ContinuousClock.now - started
            #expect(events == SocketRecorder.failed, "\(events)")
            #expect(recorder.socket.failure == .handshakeTimedOut)

            let stream = try WebSocketStream(proxy.url(), options: options)
            let opened = await Result { try await within(.seconds(10), "opened") { try await stream.opened } }
            #expect(opened.failureAsWebSocketError?.closeCode == 1006, "\(opened)")
            await #expect(throws: WebSocketError.self) { _ = try await within(.seconds(10), "closed") { try await stream.closed } }
            #expect(socketTook < (FaultReport.runsAlone ? .seconds(5) : .seconds(20)), "the handshake timeout of 0.5 s took \(socketTook)")
            try await waitUntil(timeout: .seconds(5)) { ProcessResources.openSockets(to: "127.0.0.1", port: proxy.port) == 0 }
            FaultReport.figure(
                "server accepts TCP, never answers (handshakeTimeout 0.5 s)",
                "WebSocket: error + close 1006 after \(FaultReport.milliseconds(socketTook)) ms, failure .handshakeTimedOut; stream: opened throws 1006")
        }
    }
}
