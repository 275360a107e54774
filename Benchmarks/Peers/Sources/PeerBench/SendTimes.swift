/// When each message still on its way on one connection was sent, oldest first: an echo server
/// answers in order, so the oldest send time belongs to the next echo. A fixed ring, so that
/// timing a message allocates nothing.
public struct SendTimes: Sendable {
    private var times: [UInt64]
    private var head = 0
    public private(set) var count = 0

    public init(capacity: Int) { times = Array(repeating: 0, count: max(1, capacity)) }

    public mutating func sent() {
        precondition(count < times.count, "more messages on their way than --in-flight")
        times[(head + count) % times.count] = MonotonicClock.now()
        count += 1
    }

    /// The round trip, in nanoseconds, of the oldest message, which just came back.
    public mutating func echoed() -> UInt64 {
        precondition(count > 0, "an echo with no message on its way")
        let sentAt = times[head]
        head = (head + 1) % times.count
        count -= 1
        return MonotonicClock.now() &- sentAt
    }
}
