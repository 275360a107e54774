import Histogram
import Synchronization

/// What every connection of a run counted, under one lock: echoes and their bytes (always, so
/// that the window's figures are differences of two samples), and each round trip in
/// microseconds while recording is on.
public final class Tally: Sendable {
    private struct Counts {
        var messages: UInt64 = 0
        var bytes: UInt64 = 0
        var recording = false
        // Microseconds, up to a minute, three significant digits: the driver's contract.
        var roundTrips = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    private let counts = Mutex(Counts())

    public init() {}

    public func record(roundTripNanoseconds: UInt64, bytes: Int) {
        counts.withLock {
            $0.messages += 1
            $0.bytes += UInt64(bytes)
            // At least 1 µs, so that a sub-microsecond round trip still counts as a value.
            if $0.recording { _ = $0.roundTrips.record(max(1, roundTripNanoseconds / 1000)) }
        }
    }

    public var totals: (messages: UInt64, bytes: UInt64) { counts.withLock { ($0.messages, $0.bytes) } }

    /// Turns recording round trips on (when the window opens) or off (when it closes).
    public func setRecording(_ on: Bool) { counts.withLock { $0.recording = on } }

    public var roundTrips: Histogram<UInt64> { counts.withLock { $0.roundTrips } }
}
