// Allocations per echoed message end to end: our client (both APIs, on the event loop) and our
// server in one process over 127.0.0.1, 1000 messages of 16 bytes per iteration, 64 on their way.
// An iteration is 1000 round trips, so its malloc count ÷ 1000 is the mallocs of one message's
// round trip, both sides together. `Thresholds/` holds the counts; the timings here are
// incidental, see BENCHMARKS.md for the end-to-end CPU figures against peers.

import Benchmark
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WebSockets

// Names without spaces: benchmark 1.38.1 writes threshold files with spaces replaced, then
// looks for them with the spaces kept.
let messagesPerIteration = 1000
let inFlight = 64
let payload = String(repeating: "z", count: 16)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.mallocCountTotal],
        warmupIterations: 20,
        scalingFactor: .one,
        maxDuration: .seconds(3),
        maxIterations: 300,
        // Round trips batch differently from run to run (how many messages one read brings),
        // and so does what they allocate: 10 % either way is noise, more is a change.
        thresholds: [.mallocCountTotal: .init(relative: [.p50: 10])]
    )
    let server = EchoServer.shared

    Benchmark("Echo-1000x16B-text,WebSocket-client-on-its-event-loop,our-server", configuration: configuration) { benchmark in
        let client = try await SocketEchoClient.open(server.url)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { await client.echo(messagesPerIteration) }
        benchmark.stopMeasurement()
        client.close()
    }

    Benchmark("Echo-1000x16B-text,WebSocketStream-client-on-its-executor,our-server", configuration: configuration) { benchmark in
        let stream = try WebSocketStream(server.url)
        let opened = try await stream.opened
        try await withTaskExecutorPreference(stream.taskExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                var sent = 0
                var received = 0
                var messages = opened.readable.makeAsyncIterator()
                while sent < min(inFlight, messagesPerIteration) {
                    try await opened.writable.write(payload)
                    sent += 1
                }
                while received < messagesPerIteration {
                    guard try await messages.next() != nil else { fatalError("the server closed") }
                    received += 1
                    if sent < messagesPerIteration {
                        try await opened.writable.write(payload)
                        sent += 1
                    }
                }
            }
            benchmark.stopMeasurement()
        }
        try stream.close(closeCode: 1000)
        _ = try await stream.closed
    }
}

/// Our echo server, started once for every benchmark of the process.
final class EchoServer: Sendable {
    static let shared = EchoServer()
    let url: String

    private init() {
        let server = WebSocketServer(configuration: .init()) { _ in
            .accept { connection in
                for try await message in connection.readable { try await connection.writable.write(message) }
            }
        }
        Task { try await server.run() }
        let address = LockedBox<SocketAddress?>(nil)
        let found = DispatchSemaphore(value: 0)
        Task {
            address.value = try? await server.listeningAddress
            found.signal()
        }
        found.wait()
        guard let port = address.value?.port else { fatalError("the echo server did not start") }
        url = "ws://127.0.0.1:\(port)/"
    }
}

/// A `WebSocket` whose events run on its event loop; each echo sends the next message.
final class SocketEchoClient: @unchecked Sendable {
    // `@unchecked`: the mutable state is touched only under `lock`.
    private let lock = NIOLock()
    private var socket: WebSocket?
    private var toSend = 0
    private var toReceive = 0
    private var waiting: CheckedContinuation<Void, Never>?

    static func open(_ url: String) async throws -> SocketEchoClient {
        let client = SocketEchoClient()
        var options = WebSocket.Options()
        options.deliversEventsOnEventLoop = true
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // Created on an event loop, so that the handlers are in place before any event.
            MultiThreadedEventLoopGroup.singleton.next().execute { [options] in
                do {
                    let socket = try WebSocket(url, options: options)
                    socket.onopen = { _ in continuation.resume() }
                    socket.onmessage = { _ in client.received() }
                    client.lock.withLock { client.socket = socket }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        return client
    }

    /// Sends `count` messages, `inFlight` at a time, and returns once every echo is back.
    func echo(_ count: Int) async {
        await withCheckedContinuation { continuation in
            lock.withLock {
                waiting = continuation
                toSend = count
                toReceive = count
                for _ in 0..<min(inFlight, count) { sendNext() }
            }
        }
    }

    func close() {
        lock.withLock { try? socket?.close(code: 1000) }
    }

    private func received() {
        let done: CheckedContinuation<Void, Never>? = lock.withLock {
            toReceive -= 1
            if toSend > 0 { sendNext() }
            guard toReceive == 0 else { return nil }
            defer { waiting = nil }
            return waiting
        }
        done?.resume()
    }

    /// Under `lock`.
    private func sendNext() {
        toSend -= 1
        try? socket?.send(payload)
    }
}

/// A value set by one task and read after a semaphore says so.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NIOLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
