import Foundation

/// The DOM's `AbortController`, as far as ``WebSocketStream`` needs it: ``abort()`` signals
/// every holder of ``signal``.
///
/// ```swift
/// let controller = AbortController()
/// let stream = try WebSocketStream(url, signal: controller.signal)
/// controller.abort()   // before the handshake completes: `opened` throws AbortError
/// ```
public final class AbortController: Sendable {
    /// The signal this controller aborts.
    public let signal = AbortSignal()

    /// Creates a controller with a signal that is not aborted.
    public init() {}

    /// Aborts ``signal``, running its abort steps once; later calls do nothing.
    public func abort() {
        signal.signalAbort()
    }
}

/// The DOM's `AbortSignal`: whether an operation was asked to stop, and the steps to run when it is.
public final class AbortSignal: @unchecked Sendable {
    // `@unchecked`: `state` is only touched under `lock`.
    private let lock = NSLock()
    private var state = (aborted: false, steps: [@Sendable () -> Void]())

    init() {}

    /// Whether ``AbortController/abort()`` was called.
    public var aborted: Bool { lock.withLock { state.aborted } }

    /// Runs `steps` when the signal is aborted; at once, and `false` returned, if it already was.
    func addAbortSteps(_ steps: @escaping @Sendable () -> Void) -> Bool {
        lock.withLock {
            guard !state.aborted else { return false }
            state.steps.append(steps)
            return true
        }
    }

    fileprivate func signalAbort() {
        let steps: [@Sendable () -> Void] = lock.withLock {
            guard !state.aborted else { return [] }
            state.aborted = true
            defer { state.steps = [] }
            return state.steps
        }
        for step in steps { step() }
    }
}
