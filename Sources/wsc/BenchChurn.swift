import Foundation
import NIOPosix
import WebSockets

/// One churn slot with `--on-event-loop`: every connection opens and closes on one event loop,
/// each from the previous one's code there, as a program living on the event loop would do it.
/// No thread is woken between connections, so the figures are the library's own.
enum EventLoopChurn {
    /// Connections opened, closed with 1000 and recorded until `deadline`; what failed, if anything did.
    static func run(_ load: BenchLoad, until deadline: ContinuousClock.Instant) async -> String? {
        switch load.api {
        case .websocket: await SocketChurnSlot(load: load, deadline: deadline).run()
        case .stream: await runStreams(load, until: deadline)
        }
    }

    /// A task that prefers the first stream's event loop opens the others there too.
    private static func runStreams(_ load: BenchLoad, until deadline: ContinuousClock.Instant) async -> String? {
        var started = BenchClock.now()
        let first: WebSocketStream
        do {
            first = try WebSocketStream(load.url, options: load.options)
        } catch {
            return "\(error)"
        }
        guard #available(macOS 15, iOS 18, tvOS 18, watchOS 11, *) else { return "needs macOS 15" }
        return await Task(executorPreference: first.taskExecutor) {
            var next: WebSocketStream? = first
            do {
                repeat {
                    let stream = try next ?? WebSocketStream(load.url, options: load.options)
                    next = nil
                    _ = try await stream.opened
                    try stream.close(closeCode: 1000)
                    _ = try await stream.closed
                    load.tally.record(roundTripNanoseconds: BenchClock.now() &- started, bytes: 0)
                    started = BenchClock.now()
                } while ContinuousClock.now < deadline
                return nil
            } catch {
                return "\(error)"
            }
        }.value
    }
}

/// The `WebSocket` churn slot: each close event opens the next socket from its handler.
private final class SocketChurnSlot: @unchecked Sendable {
    // `@unchecked`: after `run` hands over to the event loop, everything is touched only there.
    private let load: BenchLoad
    private let deadline: ContinuousClock.Instant
    private let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
    private var started: UInt64 = 0
    private var done: CheckedContinuation<String?, Never>?

    init(load: BenchLoad, deadline: ContinuousClock.Instant) {
        self.load = load
        self.deadline = deadline
    }

    func run() async -> String? {
        await withCheckedContinuation { continuation in
            eventLoop.execute {
                self.done = continuation
                self.openNext()
            }
        }
    }

    /// On the event loop: a socket made here runs here (`deliversEventsOnEventLoop`).
    private func openNext() {
        guard ContinuousClock.now < deadline else { return finish(nil) }
        started = BenchClock.now()
        let socket: WebSocket
        do {
            socket = try WebSocket(load.url, options: load.options)
        } catch {
            return finish("\(error)")
        }
        // The handlers hold the socket, which lets them go once it closed.
        socket.onopen = { _ in try? socket.close(code: 1000) }
        socket.onclose = { event in
            guard event.wasClean, event.code == 1000 else {
                return self.finish(socket.failure.map { "\($0)" } ?? "closed with \(event.code)")
            }
            self.load.tally.record(roundTripNanoseconds: BenchClock.now() &- self.started, bytes: 0)
            self.openNext()
        }
    }

    private func finish(_ failure: String?) {
        done?.resume(returning: failure)
        done = nil
    }
}
