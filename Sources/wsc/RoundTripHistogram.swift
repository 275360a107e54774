import Histogram

/// How `wsc bench` and `wsc scale` record round trips, and the percentiles they report.
extension Histogram<UInt64> {
    /// Microseconds, up to a minute, three significant digits.
    static func roundTrips() -> Histogram<UInt64> {
        Histogram(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    /// p50, p90, p99, p99.9 and the maximum.
    var reportedPercentiles: (p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64, max: UInt64) {
        (valueAtPercentile(50), valueAtPercentile(90), valueAtPercentile(99), valueAtPercentile(99.9), max)
    }
}
