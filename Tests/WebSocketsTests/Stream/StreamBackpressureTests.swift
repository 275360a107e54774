import Foundation
import Testing
@testable import WebSockets

/// Backpressure both ways, measured on real sockets: a reader that waits stops the socket being
/// read; a writer to a peer that reads nothing waits.
@Suite("WebSocketStream backpressure", .serialized)
struct StreamBackpressureTests {
    @Test func aReaderThatWaitsTwoSecondsHoldsTheSenderBackAndBuffersLittle() async throws {
        let pushed = LockedValue<ContinuousClock.Instant?>(nil)
        var configuration = WebSocketServer.Configuration()
        configuration.perMessageDeflate = nil  // the bytes on the wire are the bytes pushed
        let server = try await RunningServer.start(configuration) { _ in
            .accept { connection in
                let message = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0) })
                for _ in 0..<16 { try await connection.writable.write(message) }
                pushed.withLock { $0 = ContinuousClock.now }
                for try await _ in connection.readable {}
            }
        }
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        try await Task.sleep(for: .seconds(2))
        let readWhileWaiting = await stream.endpoint.receivedByteCount()
        #expect(pushed.current == nil, "the server pushed 16 MiB to a reader that was not reading")
        // One message is always accepted; past that only what was in flight.
        #expect(readWhileWaiting < 4 << 20, "read \(readWhileWaiting) bytes while not iterating")
        let readingStarted = ContinuousClock.now
        var iterator = opened.readable.makeAsyncIterator()
        for _ in 0..<16 {
            guard case .binary(let data)? = try await iterator.next() else { throw WaitTimedOut() }
            #expect(data.count == 1 << 20)
        }
        try await waitUntil { pushed.current != nil }
        // The sender finished only once we read: it was held back the whole 2 s.
        #expect(try #require(pushed.current) > readingStarted)
        try stream.close()
        _ = try await stream.closed
    }

    @Test func anEightMebibyteWriteToAPeerThatReadsNothingWaits() async throws {
        let peer = try await PeerProcess.start(.raw, extraArguments: ["--mode", "stall", "--stall", "2"])
        defer { peer.stop() }
        var options = WebSocket.Options()
        options.perMessageDeflate = nil
        let stream = try WebSocketStream(peer.url("/"), options: options)
        let opened = try await stream.opened
        let started = ContinuousClock.now
        try await opened.writable.write(Data(count: 8 << 20))
        let waited = ContinuousClock.now - started
        #expect(waited >= .seconds(1.8), "the write returned after \(waited)")
    }
}
