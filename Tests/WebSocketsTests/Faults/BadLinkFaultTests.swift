import Foundation
import Testing
@testable import WebSockets

extension FaultTests {
    /// A bad link — 200 ms ± 50 of delay (the fault proxy), 2 % packet loss each way (nftables) and
    /// 1 Mbit/s (tbf) — between our clients and `wsc serve`: TCP and the library together must
    /// deliver every message whole, in order and byte-exact (RFC 6455 §5.4, §6.2).
    @Suite("a bad link")
    struct BadLinkFaultTests {
        @Test func everyMessageArrivesInOrderAndByteExactForTheStreamAndTheBrowserAPI() async throws {
            let namespace = try await NetworkNamespace.create()
            defer { namespace.remove() }
            try await namespace.limitRate(megabitsPerSecond: 1)
            try await namespace.dropRandomly(percent: 2)
            let server = try await WscServe.start(in: namespace)
            defer { server.stop() }
            let proxy = try await FaultProxy.start(target: "\(server.host):\(server.port)", ["--delay-ms", "200", "--jitter-ms", "50"])
            defer { proxy.stop() }
            let count = FaultReport.isFull ? 400 : 40
            let started = ContinuousClock.now
            let streamURL = proxy.url("/stream")
            async let streamEchoes = within(.seconds(120), "the stream's echoes") {
                try await Self.echoThroughStream(streamURL, count: count)
            }
            async let socketEchoes = Self.echoThroughSocket(proxy.url("/socket"), count: count)
            let (stream, socket) = try await (streamEchoes, socketEchoes)
            let elapsed = ContinuousClock.now - started
            #expect(stream.sequences == Array(0..<count), "WebSocketStream: \(stream.sequences)")
            #expect(socket.sequences == Array(0..<count), "WebSocket: \(socket.sequences)")
            // The faults were there: packets were lost, and every echo took two delays.
            let dropped = try await namespace.randomlyDroppedPackets()
            #expect(dropped > 0, "no packet was lost")
            #expect(elapsed > .milliseconds(300))
            FaultReport.figure(
                "bad link (200±50 ms, 2 % loss, 1 Mbit/s)",
                "\(2 * count) messages, \((stream.bytes + socket.bytes) / 1024) KiB echoed, all in order and intact, in \(FaultReport.milliseconds(elapsed)) ms; \(dropped) packets dropped on the way")
        }

        /// Sends `count` binary messages of 1–8 KiB through a stream while reading the echoes;
        /// returns the sequence numbers of the intact echoes, in arrival order, and the bytes sent.
        static func echoThroughStream(_ url: String, count: Int) async throws -> (sequences: [Int], bytes: Int) {
            var options = WebSocket.Options()
            options.perMessageDeflate = nil  // random bytes: compression would only cost time
            let stream = try WebSocketStream(url, options: options)
            let opened = try await stream.opened
            let messages = (0..<count).map { CheckedMessage.binary($0, size: Int.random(in: 1024...8192)) }
            async let sent: Void = {
                for message in messages { try await opened.writable.write(message) }
            }()
            var sequences: [Int] = []
            for try await message in opened.readable {
                sequences.append(CheckedMessage.verify(message) ?? -1)
                if sequences.count == count { break }
            }
            try await sent
            try await opened.writable.close()
            return (sequences, messages.reduce(0) { $0 + $1.count })
        }

        /// The same with the browser API and text messages of up to 2 000 characters.
        static func echoThroughSocket(_ url: String, count: Int) async throws -> (sequences: [Int], bytes: Int) {
            let recorder = try SocketRecorder(url)
            try await recorder.waitForOpen(timeout: .seconds(30))
            let messages = (0..<count).map { CheckedMessage.text($0, characters: Int.random(in: 1...2000)) }
            try recorder.onQueue { for message in messages { try recorder.socket.send(message) } }
            let events = try await recorder.waitUntil(timeout: .seconds(120)) { $0.count >= count + 1 }
            try recorder.onQueue { try recorder.socket.close(code: 1000) }
            let closed = try await recorder.waitForClose()
            #expect(closed.last == .close(code: 1000, reason: "", wasClean: true, readyState: .closed))
            let sequences = events.dropFirst().prefix(count).map { event -> Int in
                guard case .message(.text(let text), _) = event else { return -1 }
                return CheckedMessage.verify(.text(text)) ?? -1
            }
            return (sequences, messages.reduce(0) { $0 + $1.utf8.count })
        }
    }
}
