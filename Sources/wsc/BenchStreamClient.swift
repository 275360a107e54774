import Foundation
import WebSockets

/// A `wsc bench` connection on `WebSocketStream`: one task writes and reads in turn, on the
/// connection's event loop with `--on-event-loop`.
final class StreamBenchClient: BenchClient, @unchecked Sendable {
    // `@unchecked`: `stopping` and `task` are guarded by `lock`; the rest is immutable.
    private let stream: WebSocketStream
    private let opened: WebSocketStream.OpenInfo
    private let load: BenchLoad
    private let lock = NSLock()
    private var stopping = false
    private var task: Task<String?, Never>?

    private init(stream: WebSocketStream, opened: WebSocketStream.OpenInfo, load: BenchLoad) {
        self.stream = stream
        self.opened = opened
        self.load = load
    }

    static func open(_ load: BenchLoad) async throws -> StreamBenchClient {
        let stream = try WebSocketStream(load.url, options: load.options)
        return StreamBenchClient(stream: stream, opened: try await stream.opened, load: load)
    }

    func start() {
        let task = if load.onEventLoop, #available(macOS 15, iOS 18, tvOS 18, watchOS 11, *) {
            Task(executorPreference: stream.taskExecutor) { await self.run() }
        } else {
            Task { await run() }
        }
        lock.withLock { self.task = task }
    }

    func finish() async -> String? {
        let task = lock.withLock {
            stopping = true
            return self.task
        }
        var failure: String?
        if let task {
            let deadline = Task {
                try await Task.sleep(for: .seconds(BenchLoad.drainTimeout))
                task.cancel()
            }
            failure = await task.value
            deadline.cancel()
        }
        do {
            try stream.close(closeCode: 1000)
            _ = try await stream.closed
        } catch {
            failure = failure ?? "closing: \(error)"
        }
        return failure
    }

    private func run() async -> String? {
        var times = SendTimes(capacity: load.inFlight)
        var messages = opened.readable.makeAsyncIterator()
        do {
            for _ in 0..<load.inFlight {
                times.sent()
                try await opened.writable.write(load.payload.message)
            }
            while times.count > 0 {
                guard let message = try await messages.next() else { return "the server closed the connection" }
                guard load.payload.isEcho(of: message) else { return "the server did not echo the message" }
                load.tally.record(roundTripNanoseconds: times.echoed(), bytes: load.payload.size)
                if !lock.withLock({ stopping }) {
                    times.sent()
                    try await opened.writable.write(load.payload.message)
                }
            }
            return nil
        } catch is CancellationError {
            return "\(times.count) echo(es) did not come back within \(BenchLoad.drainTimeout) s"
        } catch {
            return "\(error)"
        }
    }
}
