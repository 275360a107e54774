#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counters at one instant: a run's figures are the differences between the samples taken
/// when its window opens and closes.
public struct Sample: Sendable {
    public var time: UInt64
    public var cpuNanoseconds: UInt64
    public var messages: UInt64
    public var bytes: UInt64

    public static func now(_ tally: Tally) -> Sample {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
        let (messages, bytes) = tally.totals
        return Sample(time: MonotonicClock.now(), cpuNanoseconds: cpu, messages: messages, bytes: bytes)
    }

    private static func nanoseconds(_ time: timeval) -> UInt64 {
        UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000
    }
}
