import Foundation

/// A value shared between the event loop and a test, guarded by a lock.
///
/// The test support types are used from NIO event loops, Foundation callbacks and test tasks at
/// once; `Synchronization.Mutex` needs macOS 15, above the package's platforms.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every access to `value` goes through `lock`.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the current value.
    var current: Value {
        withLock { $0 }
    }
}
