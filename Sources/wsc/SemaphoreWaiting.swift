import Foundation

extension DispatchSemaphore {
    /// Waits off the concurrency pool's threads; `false` on timeout.
    func wait(seconds: Double) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let deadline: DispatchTime = seconds.isFinite ? .now() + seconds : .distantFuture
                continuation.resume(returning: self.wait(timeout: deadline) == .success)
            }
        }
    }
}
