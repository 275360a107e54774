import NIOCore

/// Closes a channel when a time-out passes, so that a read waiting on it ends.
final class ChannelWatchdog: Sendable {
    private let task: Task<Void, Never>
    private let didFire: LockedValue<Bool>

    init(channel: any Channel, timeout: Duration) {
        let didFire = LockedValue(false)
        self.didFire = didFire
        task = Task {
            guard (try? await Task.sleep(for: max(timeout, .zero))) != nil else { return }
            didFire.withLock { $0 = true }
            channel.close(promise: nil)
        }
    }

    var fired: Bool { didFire.current }

    func cancel() { task.cancel() }
}
