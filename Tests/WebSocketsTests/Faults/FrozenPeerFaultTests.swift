import Foundation
import Glibc
import Testing
@testable import WebSockets

extension FaultTests {
    /// The peer is frozen (SIGSTOP) while we send: it reads nothing, answers nothing, and its
    /// kernel buffers fill. What we hold must stop at the configured limits — `bufferedAmount` at
    /// `maxBufferedAmount`, beyond which the socket is flagged as full and closed (WHATWG
    /// WebSockets §3.1 `send()`); a stream's `write` at `writeBufferLimit` — memory stays bounded,
    /// and a server's keepalive drops a frozen client.
    @Suite("a frozen peer")
    struct FrozenPeerFaultTests {
        static let chunk = Data(count: 64 << 10)

        @Test func bufferedAmountStopsAtTheLimitAndTheSocketIsFlaggedAsFull() async throws {
            let server = try await WscServe.start(arguments: ["--no-deflate"])
            defer { server.process.send(SIGCONT); server.stop() }
            var options = WebSocket.Options()
            options.maxBufferedAmount = 4 << 20
            options.perMessageDeflate = nil
            let recorder = try SocketRecorder(server.url(), options: options)
            try await recorder.waitForOpen()
            server.process.send(SIGSTOP)

            let residentBefore = ProcessResources.residentBytes()
            var peak: UInt64 = 0
            var offered = 0
            var flagged: UInt64?
            // 256 MiB offered, 64 KiB at a time; once the socket is flagged as full the standard
            // only counts what is sent (§3.1: bufferedAmount grows, nothing is queued).
            for _ in 0..<4096 {
                let amount = try recorder.onQueue { () throws -> UInt64 in
                    try recorder.socket.send(Self.chunk)
                    return recorder.socket.bufferedAmount
                }
                offered += Self.chunk.count
                if flagged == nil {
                    if amount > options.maxBufferedAmount { flagged = amount } else { peak = max(peak, amount) }
                }
            }
            let residentGrowth = ProcessResources.residentBytes() - residentBefore
            let events = try await recorder.waitForClose()
            #expect(peak <= options.maxBufferedAmount)
            #expect(peak > options.maxBufferedAmount - UInt64(Self.chunk.count), "bufferedAmount rose only to \(peak)")
            #expect(flagged.map { $0 <= options.maxBufferedAmount + UInt64(Self.chunk.count) } == true, "\(String(describing: flagged))")
            #expect(Array(events.dropFirst()) == SocketRecorder.failed, "\(events)")
            #expect(recorder.socket.failure == .bufferFull)
            // Bounded: a small part of what was offered, even with the other tests of the
            // process allocating meanwhile.
            #expect(residentGrowth < offered / 4, "RSS grew by \(residentGrowth >> 20) MiB for \(offered >> 20) MiB offered")
            FaultReport.figure(
                "frozen peer, WebSocket (maxBufferedAmount 4 MiB)",
                "bufferedAmount peak \(peak >> 10) KiB, then flagged as full: error + close 1006; RSS +\(residentGrowth >> 20) MiB for \(offered >> 20) MiB offered")
        }

        @Test func theStreamsWriteWaitsAtTheWriteBufferLimit() async throws {
            let server = try await WscServe.start(arguments: ["--no-deflate"])
            defer { server.process.send(SIGCONT); server.stop() }
            var options = WebSocket.Options()
            options.perMessageDeflate = nil
            let stream = try WebSocketStream(server.url(), options: options)
            let opened = try await stream.opened
            server.process.send(SIGSTOP)

            let residentBefore = ProcessResources.residentBytes()
            let written = LockedValue(0)
            let writer = Task {
                for _ in 0..<4096 {  // 256 MiB offered
                    try await opened.writable.write(Self.chunk)
                    written.withLock { $0 += Self.chunk.count }
                }
            }
            // The writes must stall: no write completes for a second (the kernel's buffers, a few
            // MiB, took what they could).
            var last = -1
            let deadline = ContinuousClock.now + .seconds(20)
            while written.current != last, ContinuousClock.now < deadline {
                last = written.current
                try await Task.sleep(for: .seconds(1))
            }
            let stalledAt = written.current
            let residentGrowth = ProcessResources.residentBytes() - residentBefore
            #expect(stalledAt < 16 << 20, "\(stalledAt >> 10) KiB written to a frozen peer")
            #expect(residentGrowth < 64 << 20, "RSS grew by \(residentGrowth >> 20) MiB for 256 MiB offered")

            server.process.send(SIGKILL)  // the frozen peer dies: the waiting write must end
            await #expect(throws: (any Error).self) { try await within(.seconds(10), "the waiting write") { try await writer.value } }
            await #expect(throws: WebSocketError.self) { _ = try await within(.seconds(10), "closed") { try await stream.closed } }
            FaultReport.figure(
                "frozen peer, WebSocketStream (writeBufferLimit 64 KiB)",
                "write waits after \(stalledAt >> 10) KiB of 256 MiB offered (what the kernel's buffers took, plus the limit); RSS +\(residentGrowth >> 20) MiB; peer killed: write and closed throw")
        }

        @Test func theServersWritesWaitAndItsKeepaliveDropsAFrozenClient() async throws {
            var configuration = WebSocketServer.Configuration()
            configuration.keepalive = .enabled(interval: 0.5, timeout: 1)
            configuration.perMessageDeflate = nil
            let written = LockedValue(0)
            let closed = LockedValue<Result<WebSocketStream.CloseInfo, any Error>?>(nil)
            let frozen = LockedValue(false)
            let server = try await RunningServer.start(configuration) { _ in
                .accept { connection in
                    try await waitUntil { frozen.current }  // so that the client reads none of it
                    async let writing: Void = {
                        for _ in 0..<64 {
                            try await connection.writable.write(Data(count: 1 << 20))
                            written.withLock { $0 += 1 }
                        }
                    }()
                    let result = await Result { try await connection.closed }
                    closed.withLock { $0 = result }
                    try? await writing
                }
            }
            defer { server.stop() }
            let client = try await PythonClient.start(server.url())
            defer { client.send(SIGCONT); client.kill() }
            client.send(SIGSTOP)
            let frozenAt = ContinuousClock.now
            frozen.withLock { $0 = true }
            try await waitUntil(timeout: .seconds(10)) { closed.current != nil }
            let detection = ContinuousClock.now - frozenAt
            guard case .failure(let error as WebSocketError)? = closed.current else {
                Issue.record("closed: \(String(describing: closed.current))")
                return
            }
            #expect(error.closeCode == 1006)
            #expect(written.current < 16, "\(written.current) MiB written to a frozen client")
            try await waitUntil(timeout: .seconds(5)) { server.server.connectionCount == 0 }
            FaultReport.figure(
                "frozen client, our server (keepalive 0.5 s + 1 s)",
                "writes waited after \(written.current) MiB; dropped with 1006 after \(FaultReport.milliseconds(detection)) ms; connectionCount back to 0")
        }
    }
}
