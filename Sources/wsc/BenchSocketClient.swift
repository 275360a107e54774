import Foundation
import NIOPosix
import WebSockets

/// A `wsc bench` connection on the browser's `WebSocket`: each echo's message event sends the
/// next message, on the socket's own serial event queue or, with `--on-event-loop`, on its
/// event loop.
final class SocketBenchClient: BenchClient, @unchecked Sendable {
    // `@unchecked`: the mutable state is touched only under `lock` (events run on the event
    // queue or the event loop; `start` and `finish` come from the run's tasks).
    private let lock = NSLock()
    /// The socket's event queue, unless its events run on its event loop.
    private let queue = DispatchQueue(label: "wsc.bench.connection")
    private let load: BenchLoad
    private var socket: WebSocket?
    private var times: SendTimes
    private var opening: CheckedContinuation<Void, any Error>?
    private var draining: CheckedContinuation<Void, Never>?
    private var stopping = false
    private var failure: String?
    private var isClosed = false
    /// `finish` waiting for the close event: `true` once it fired, `false` at the timeout.
    private var closing: CheckedContinuation<Bool, Never>?

    private init(load: BenchLoad) {
        self.load = load
        times = SendTimes(capacity: load.inFlight)
    }

    /// Opens a connection; throws what failed it if it does not open.
    static func open(_ load: BenchLoad) async throws -> SocketBenchClient {
        let client = SocketBenchClient(load: load)
        try await withCheckedThrowingContinuation { continuation in
            // Created where its events run, so that none can run before the handlers are in place.
            let setUp: @Sendable () -> Void = {
                client.lock.withLock {
                    do {
                        client.opening = continuation
                        try client.connect()
                    } catch {
                        client.opening = nil
                        continuation.resume(throwing: error)
                    }
                }
            }
            if load.onEventLoop { MultiThreadedEventLoopGroup.singleton.next().execute(setUp) } else { client.queue.async(execute: setUp) }
        }
        return client
    }

    func start() {
        lock.withLock {
            for _ in 0..<load.inFlight { sendNext() }
        }
    }

    func finish() async -> String? {
        await withCheckedContinuation { continuation in
            lock.withLock {
                stopping = true
                guard times.count > 0, failure == nil else { return continuation.resume() }
                draining = continuation
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + BenchLoad.drainTimeout) {
                self.lock.withLock {
                    guard let draining = self.draining else { return }
                    self.failure = "\(self.times.count) echo(es) did not come back within \(BenchLoad.drainTimeout) s"
                    self.draining = nil
                    draining.resume()
                }
            }
        }
        lock.withLock { try? socket?.close(code: 1000) }
        let closedInTime = await withCheckedContinuation { continuation in
            let closedAlready = lock.withLock {
                if !isClosed { closing = continuation }
                return isClosed
            }
            if closedAlready { return continuation.resume(returning: true) }
            DispatchQueue.global().asyncAfter(deadline: .now() + BenchLoad.drainTimeout) {
                self.lock.withLock { self.takeClosing() }?.resume(returning: false)
            }
        }
        return lock.withLock { failure ?? (closedInTime ? nil : "the closing handshake did not finish") }
    }

    private func connect() throws {
        var options = load.options
        options.eventQueue = queue
        let socket = try WebSocket(load.url, options: options)
        socket.binaryType = .arraybuffer
        // The handlers hold the client strongly: the socket lets them go once it closed. They
        // resume waiting tasks last, after leaving the lock, since those may drop the client.
        socket.onopen = { _ in
            self.lock.withLock {
                defer { self.opening = nil }
                return self.opening
            }?.resume()
        }
        socket.onmessage = { event in self.lock.withLock { self.received(event.data) } }
        socket.onclose = { event in
            let (opening, draining, closing, failure) = self.lock.withLock {
                let failure = socket.failure.map { "\($0)" } ?? "closed with \(event.code)"
                if self.opening == nil, !self.stopping || !event.wasClean || self.times.count > 0 {
                    self.failure = self.failure ?? failure
                }
                self.isClosed = true
                defer { (self.opening, self.draining) = (nil, nil) }
                return (self.opening, self.draining, self.takeClosing(), failure)
            }
            opening?.resume(throwing: BenchFailure(failure))
            draining?.resume()
            closing?.resume(returning: true)
        }
        self.socket = socket
    }

    /// Under `lock`.
    private func takeClosing() -> CheckedContinuation<Bool, Never>? {
        defer { closing = nil }
        return closing
    }

    /// Under `lock`.
    private func received(_ data: MessageEvent.Data) {
        guard times.count > 0 else { return }
        let message: WebSocketMessage? = switch data {
        case .text(let text): .text(text)
        case .arrayBuffer(let bytes): .binary(bytes)
        case .blob: nil  // binaryType is arraybuffer
        }
        guard let message, load.payload.isEcho(of: message) else {
            failure = failure ?? "the server did not echo the message"
            try? socket?.close(code: 1000)
            return
        }
        load.tally.record(roundTripNanoseconds: times.echoed(), bytes: load.payload.size)
        if !stopping {
            sendNext()
        } else if times.count == 0 {
            draining?.resume()
            draining = nil
        }
    }

    /// Under `lock`.
    private func sendNext() {
        times.sent()
        switch load.payload.message {
        case .text(let text): try? socket?.send(text)
        case .binary(let bytes): try? socket?.send(bytes)
        }
    }
}

/// Why a bench connection did not open.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
