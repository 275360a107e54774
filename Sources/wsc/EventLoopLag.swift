import Foundation
import NIOCore
import NIOPosix

/// How late the shared event loops (the ones `WebSocketServer`, `WebSocket` and
/// `WebSocketStream` run on) run a task scheduled 100 ms ahead: a loop kept busy or blocked
/// shows it here first.
final class EventLoopLag: @unchecked Sendable {
    // `@unchecked`: `lateness` is guarded by `lock`.
    private let lock = NSLock()
    /// Microseconds each probe ran late since the last `take()`.
    private var lateness: [Int] = []
    private static let period = TimeAmount.milliseconds(100)

    /// Starts probing every loop of the group, for the life of the process.
    init(group: MultiThreadedEventLoopGroup = .singleton) {
        for eventLoop in group.makeIterator() { probe(eventLoop) }
    }

    private func probe(_ eventLoop: any EventLoop) {
        let scheduled = NIODeadline.now()
        eventLoop.scheduleTask(in: Self.period) {
            let late = (NIODeadline.now() - scheduled - Self.period).nanoseconds / 1000
            self.lock.withLock { self.lateness.append(Int(max(0, late))) }
            self.probe(eventLoop)
        }
    }

    /// The largest and the 99th-percentile lateness since the last call, in microseconds.
    func take() -> (max: Int, p99: Int) {
        let sorted = lock.withLock {
            defer { lateness.removeAll(keepingCapacity: true) }
            return lateness
        }.sorted()
        guard let last = sorted.last else { return (0, 0) }
        return (last, sorted[(sorted.count * 99 + 99) / 100 - 1])  // nearest rank
    }
}
