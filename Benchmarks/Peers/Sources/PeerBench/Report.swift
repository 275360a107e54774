import Foundation
import Histogram

/// The one JSON line a load client prints: the driver's contract, key for key.
public struct Report: Encodable, Sendable {
    public var messages: UInt64
    public var bytes: UInt64
    public var seconds: Double
    public var cpuSeconds: Double
    /// Round-trip percentiles, in microseconds.
    public var p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64

    public init(start: Sample, end: Sample, roundTrips: Histogram<UInt64>) {
        messages = end.messages - start.messages
        bytes = end.bytes - start.bytes
        seconds = Double(end.time - start.time) / 1e9
        cpuSeconds = Double(end.cpuNanoseconds - start.cpuNanoseconds) / 1e9
        p50 = roundTrips.valueAtPercentile(50)
        p90 = roundTrips.valueAtPercentile(90)
        p99 = roundTrips.valueAtPercentile(99)
        p999 = roundTrips.valueAtPercentile(99.9)
    }

    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        // Fixed key order, so that two runs' lines diff cleanly.
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
