import Foundation
import NIOCore

extension EventLoopFuture where Value: Sendable {
    /// The future's value; cancelling the waiting task ends the wait at once with
    /// `CancellationError` and leaves the future (and what it stands for) to go on.
    func valueCancellably() async throws -> Value {
        let waiter = OneResumption<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiter.install(continuation)
                whenComplete { waiter.resume(with: $0) }
            }
        } onCancel: {
            waiter.resume(with: .failure(CancellationError()))
        }
    }
}

/// Resumes a continuation once, whichever comes first: the result or the cancellation — which
/// may even come before the continuation exists.
private final class OneResumption<Value: Sendable>: @unchecked Sendable {
    // `@unchecked`: `continuation` and `early` are only touched under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, any Error>?
    private var early: Result<Value, any Error>?
    private var done = false

    func install(_ continuation: CheckedContinuation<Value, any Error>) {
        let early: Result<Value, any Error>? = lock.withLock {
            if let early = self.early {
                done = true
                return early
            }
            self.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<Value, any Error>) {
        let continuation: CheckedContinuation<Value, any Error>? = lock.withLock {
            guard !done else { return nil }
            guard let continuation = self.continuation else {
                if early == nil { early = result }
                return nil
            }
            done = true
            self.continuation = nil
            return continuation
        }
        continuation?.resume(with: result)
    }
}
