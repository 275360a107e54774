import DequeModule
import NIOCore
import WebSocketCore

/// The part of a ``StreamEndpoint`` that the API's callers, on any thread, share with the event
/// loop, always under the endpoint's lock: the readable's messages, the writable's outbox, and
/// the tasks waiting on either. It lets a reader take a buffered message, and a writer leave
/// one, without a hop to the event loop; only a task that has to wait is resumed from there.
struct StreamQueues {
    /// A suspended task and what tells it apart when its wait is cancelled. It is resumed
    /// with nothing: a reader then takes its message from the queues, which keeps a message out
    /// of the frames an idle reader holds.
    struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Void, any Error>
    }

    let readBufferLimit: Int
    let writeBufferLimit: Int
    private var nextWaiterID: UInt64 = 0

    // Readable.
    // A deque allocates nothing until used: a message for a waiting reader skips it, and
    // every idle connection holds this.
    var messages = Deque<Message>()
    var bufferedByteCount = 0
    /// Messages delivered to waiting readers, which take them when they run; older than any
    /// in `messages`, and not counted against the limit, as they were never buffered. The first
    /// is held in place: one reader waiting is the usual case, and a deque would keep its
    /// storage for every idle connection that ever had one.
    private var handedOver: Message?
    private var moreHandedOver = Deque<Message>()
    var readers: [Waiter] = []
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
    var outbox: [OutgoingMessage] = []
    var outboxByteCount = 0
    var outboxFlushScheduled = false
    /// The driver's unsent bytes as last seen on the event loop.
    var driverUnsentByteCount = 0
    var writers: [Waiter] = []

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
        if let message = handedOver {
            handedOver = moreHandedOver.popFirst()
            return (.success(message), false)
        }
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

    /// Whether a reader would take a message or the readable's end now.
    var hasAvailable: Bool {
        handedOver != nil || !messages.isEmpty || readableEnd != nil
    }

    /// Hands `message` over for the first waiting reader to take (returned, to resume), or
    /// buffers it; `pause` says the readable now holds more than its limit and reading must
    /// stop (the proposal's "apply backpressure").
    mutating func deliver(_ message: Message) -> (reader: Waiter?, pause: Bool) {
        guard readableEnd == nil else { return (nil, false) }
        if !readers.isEmpty {
            if handedOver == nil { handedOver = message } else { moreHandedOver.append(message) }
            return (readers.removeFirst(), false)
        }
        messages.append(message)
        bufferedByteCount += Self.byteCount(of: message)
        let pause = !readingPaused && bufferedByteCount > readBufferLimit
        if pause { readingPaused = true }
        return (nil, pause)
    }

    /// Ends the readable (unless it already ended), dropping what it held if asked (not what
    /// was handed over: that is as good as read), and returns the readers to resume.
    mutating func endReadable(_ end: Result<Void, any Error>, droppingMessages: Bool) -> [Waiter] {
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
    mutating func accept(_ message: OutgoingMessage) -> WriteOutcome {
        if let writeRefusal { return .refused(writeRefusal) }
        guard acceptingWrites else { return .refused(nil) }
        outbox.append(message)
        outboxByteCount += message.byteCount
        let scheduleFlush = !outboxFlushScheduled
        outboxFlushScheduled = true
        return .accepted(scheduleFlush: scheduleFlush, mustWait: !writeBufferHasRoom)
    }

    /// The proposal's write waits while more than the limit is unsent, ours and the driver's.
    var writeBufferHasRoom: Bool {
        outboxByteCount + driverUnsentByteCount <= writeBufferLimit
    }

    /// Records the driver's unsent bytes and returns the writers that may go on.
    mutating func driverUnsent(_ byteCount: Int) -> [Waiter] {
        driverUnsentByteCount = byteCount
        return writeBufferHasRoom ? takeAll(\.writers) : []
    }

    /// Refuses every later write with `error` and returns the waiting writers.
    mutating func refuseWrites(_ error: (any Error)?) -> [Waiter] {
        acceptingWrites = false
        if writeRefusal == nil { writeRefusal = error }
        outbox.removeAll()
        outboxByteCount = 0
        return takeAll(\.writers)
    }

    // MARK: Waiters

    mutating func withdraw(_ id: UInt64, from list: WritableKeyPath<StreamQueues, [Waiter]>) -> Waiter? {
        guard let index = self[keyPath: list].firstIndex(where: { $0.id == id }) else { return nil }
        return self[keyPath: list].remove(at: index)
    }

    private mutating func takeAll(_ list: WritableKeyPath<StreamQueues, [Waiter]>) -> [Waiter] {
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
