import NIOCore
import WebSocketCore

/// The part of a ``StreamEndpoint`` that the API's callers, on any thread, share with the event
/// loop, always under the endpoint's lock: the readable's messages, the writable's outbox, and
/// the tasks waiting on either. It lets a reader take a buffered message, and a writer leave
/// one, without a hop to the event loop; only a task that has to wait is resumed from there.
struct StreamQueues {
    /// A suspended task and what tells it apart when its wait is cancelled.
    struct Waiter<Value> {
        let id: UInt64
        let continuation: UnsafeContinuation<Value, any Error>
    }

    let readBufferLimit: Int
    let writeBufferLimit: Int
    private var nextWaiterID: UInt64 = 0

    // Readable.
    // Small: every idle connection holds it, and it grows by doubling when messages pile up.
    var messages = CircularBuffer<Message>(initialCapacity: 2)
    var bufferedByteCount = 0
    var readers: [Waiter<Message?>] = []
    /// `nil` while messages can still come; then `.success` (finished) or the error.
    var readableEnd: Result<Void, any Error>?
    /// Set and cleared on the event loop only, so a resume never overtakes a later pause.
    var readingPaused = false
    var resumeScheduled = false

    // Writable.
    var acceptingWrites = false
    /// What every later write throws once set (before the generic closed-stream error).
    var writeRefusal: (any Error)?
    /// Written messages the event loop has not yet handed to the driver.
    var outbox: [(message: Message, byteCount: Int)] = []
    var outboxByteCount = 0
    var outboxFlushScheduled = false
    /// The driver's unsent bytes as last seen on the event loop.
    var driverUnsentByteCount = 0
    var writers: [Waiter<Void>] = []

    init(readBufferLimit: Int, writeBufferLimit: Int) {
        self.readBufferLimit = readBufferLimit
        self.writeBufferLimit = writeBufferLimit
    }

    mutating func makeWaiterID() -> UInt64 {
        nextWaiterID &+= 1
        return nextWaiterID
    }

    // MARK: Readable

    /// A buffered message or the readable's end; `nil` when a reader has to wait. Taking a
    /// message may let reading resume (the proposal's "pull bytes"): `scheduleResume` says
    /// the caller must ask the event loop to.
    mutating func takeAvailable() -> (taken: Result<Message?, any Error>?, scheduleResume: Bool) {
        if let message = messages.popFirst() {
            bufferedByteCount -= Self.byteCount(of: message)
            let scheduleResume = readingPaused && !resumeScheduled && bufferedByteCount <= readBufferLimit
            if scheduleResume { resumeScheduled = true }
            return (.success(message), scheduleResume)
        }
        switch readableEnd {
        case .success?: return (.success(nil), false)
        case .failure(let error)?: return (.failure(error), false)
        case nil: return (nil, false)
        }
    }

    /// Hands `message` to the first waiting reader, or buffers it; `pause` says the readable
    /// now holds more than its limit and reading must stop (the proposal's "apply backpressure").
    mutating func deliver(_ message: Message) -> (reader: Waiter<Message?>?, pause: Bool) {
        guard readableEnd == nil else { return (nil, false) }
        if !readers.isEmpty { return (readers.removeFirst(), false) }
        messages.append(message)
        bufferedByteCount += Self.byteCount(of: message)
        let pause = !readingPaused && bufferedByteCount > readBufferLimit
        if pause { readingPaused = true }
        return (nil, pause)
    }

    /// Ends the readable (unless it already ended), dropping what it held if asked, and returns
    /// the readers to answer: they only wait when nothing is buffered.
    mutating func endReadable(_ end: Result<Void, any Error>, droppingMessages: Bool) -> [Waiter<Message?>] {
        if droppingMessages {
            messages.removeAll()
            bufferedByteCount = 0
        }
        if readableEnd == nil { readableEnd = end }
        return takeAll(\.readers)
    }

    // MARK: Writable

    enum WriteOutcome {
        case accepted(scheduleFlush: Bool, mustWait: Bool)
        /// With the error set for every later write, or `nil` for the generic closed-stream one
        /// (which the caller makes only then: boxing an error allocates).
        case refused((any Error)?)
    }

    /// Leaves `message` in the outbox for the event loop.
    mutating func accept(_ message: Message, byteCount: Int) -> WriteOutcome {
        if let writeRefusal { return .refused(writeRefusal) }
        guard acceptingWrites else { return .refused(nil) }
        outbox.append((message, byteCount))
        outboxByteCount += byteCount
        let scheduleFlush = !outboxFlushScheduled
        outboxFlushScheduled = true
        return .accepted(scheduleFlush: scheduleFlush, mustWait: !writeBufferHasRoom)
    }

    /// The proposal's write waits while more than the limit is unsent, ours and the driver's.
    var writeBufferHasRoom: Bool {
        outboxByteCount + driverUnsentByteCount <= writeBufferLimit
    }

    /// Records the driver's unsent bytes and returns the writers that may go on.
    mutating func driverUnsent(_ byteCount: Int) -> [Waiter<Void>] {
        driverUnsentByteCount = byteCount
        return writeBufferHasRoom ? takeAll(\.writers) : []
    }

    /// Refuses every later write with `error` and returns the waiting writers.
    mutating func refuseWrites(_ error: (any Error)?) -> [Waiter<Void>] {
        acceptingWrites = false
        if writeRefusal == nil { writeRefusal = error }
        outbox.removeAll()
        outboxByteCount = 0
        return takeAll(\.writers)
    }

    // MARK: Waiters

    mutating func withdraw<Value>(_ id: UInt64, from list: WritableKeyPath<StreamQueues, [Waiter<Value>]>) -> Waiter<Value>? {
        guard let index = self[keyPath: list].firstIndex(where: { $0.id == id }) else { return nil }
        return self[keyPath: list].remove(at: index)
    }

    private mutating func takeAll<Value>(_ list: WritableKeyPath<StreamQueues, [Waiter<Value>]>) -> [Waiter<Value>] {
        let waiters = self[keyPath: list]
        self[keyPath: list].removeAll()
        return waiters
    }

    static func byteCount(of message: Message) -> Int {
        switch message {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.readableBytes
        }
    }
}
