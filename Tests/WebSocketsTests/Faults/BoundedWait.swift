import Foundation

/// Waits for `body` at most `timeout`, then throws ``BoundedWaitTimedOut`` naming `what` — even
/// if `body` does not answer cancellation (it is cancelled, and left to end on its own), so a
/// fault that makes the library hang fails the test instead of hanging the run.
func within<Value: Sendable>(
    _ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let outcome = LockedValue<Result<Value, any Error>?>(nil)
    let task = Task {
        let result = await Result { try await body() }
        outcome.withLock { $0 = result }
    }
    let deadline = ContinuousClock.now + timeout
    while true {
        if let result = outcome.current { return try result.get() }
        guard ContinuousClock.now < deadline else {
            task.cancel()
            throw BoundedWaitTimedOut(description: "\(what) did not come within \(timeout)")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

struct BoundedWaitTimedOut: Error, CustomStringConvertible {
    let description: String
}
