import Dispatch
import Synchronization

/// A one-shot event that tasks wait on, with or without a deadline: how a connection says
/// "open", "start" or "drained" across the libraries' own tasks and event loops without
/// polling.
public final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Opens the gate for good, releasing every waiter; later calls do nothing.
    public func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard !state.isOpen else { return [] }
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Waits until the gate opens.
    public func wait() async {
        _ = await wait(seconds: nil)
    }

    /// Waits until the gate opens or `seconds` pass; returns whether it opened.
    public func wait(seconds: Double?) async -> Bool {
        await withCheckedContinuation { continuation in
            let id = state.withLock { state -> Int? in
                guard !state.isOpen else { return nil }
                state.nextWaiter += 1
                state.waiters[state.nextWaiter] = continuation
                return state.nextWaiter
            }
            guard let id else { return continuation.resume(returning: true) }
            guard let seconds else { return }
            // A timer rather than a racing task, so that a waiter that is released never
            // leaves a sleeping task behind.
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                let expired = self.state.withLock { $0.waiters.removeValue(forKey: id) }
                expired?.resume(returning: false)
            }
        }
    }
}
