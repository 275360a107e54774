import NIOCore

/// Runs tasks on one event loop's thread. A server handler that prefers it runs beside its
/// connection's ``ConnectionDriver``: a message the driver hands over, or one the handler
/// writes, crosses no thread.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, *)
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
