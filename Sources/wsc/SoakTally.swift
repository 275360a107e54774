import Foundation
import Histogram

/// What every connection of a `wsc soak` run counted, under one lock.
final class SoakTally: @unchecked Sendable {
    // `@unchecked`: every stored property is guarded by `lock`.
    private let lock = NSLock()
    private var figures = SoakFigures()
    private var live = 0
    /// Round trips in microseconds, up to a minute: for the whole run, and since the last stats line.
    private var roundTrips = SoakTally.histogram()
    private var recentRoundTrips = SoakTally.histogram()
    /// The first failures, word for word; later ones are only counted.
    private static let failuresKept = 20

    private static func histogram() -> Histogram<UInt64> {
        Histogram(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
    }

    func update(_ change: (inout SoakFigures) -> Void) { lock.withLock { change(&figures) } }

    func opened(api: String, deflate: Bool) {
        lock.withLock {
            live += 1
            figures.connections += 1
            figures.connectionsByAPI[api, default: 0] += 1
            if deflate { figures.connectionsWithDeflate += 1 }
        }
    }

    func ended() { lock.withLock { live -= 1 } }

    func verified(roundTripNanoseconds: UInt64) {
        lock.withLock {
            figures.verified += 1
            _ = roundTrips.record(max(1, roundTripNanoseconds / 1000))
            _ = recentRoundTrips.record(max(1, roundTripNanoseconds / 1000))
        }
    }

    func failed(_ failure: String) {
        lock.withLock {
            figures.failures += 1
            if figures.firstFailures.count < Self.failuresKept { figures.firstFailures.append(failure) }
        }
    }

    /// The figures of a stats line; starts the next interval's round trips.
    func interval() -> [String: Int] {
        lock.withLock {
            defer { recentRoundTrips.reset() }
            return [
                "connections": live, "sent": Int(figures.sent), "verified": Int(figures.verified),
                "lost": Int(figures.lost), "corrupted": Int(figures.corrupted), "failures": figures.failures,
                "rtt_p50_us": Int(recentRoundTrips.valueAtPercentile(50)),
                "rtt_p99_us": Int(recentRoundTrips.valueAtPercentile(99)),
            ]
        }
    }

    func summary(seconds: Double) -> SoakFigures {
        lock.withLock {
            var summary = figures
            summary.seconds = seconds
            summary.rttP50Microseconds = roundTrips.valueAtPercentile(50)
            summary.rttP99Microseconds = roundTrips.valueAtPercentile(99)
            summary.rttMaxMicroseconds = roundTrips.max
            return summary
        }
    }
}

/// The counts of a soak run, printed as its final JSON summary.
struct SoakFigures: Encodable {
    var seconds = 0.0
    /// Connections that opened, by API, and how many of them negotiated permessage-deflate.
    var connections = 0
    var connectionsByAPI: [String: Int] = [:]
    var connectionsWithDeflate = 0
    /// Connections that did not open.
    var connectFailures = 0
    var sent: UInt64 = 0
    var bytesSent: UInt64 = 0
    /// Echoes that came back intact and in order.
    var verified: UInt64 = 0
    /// Messages sent whose echo never came.
    var lost: UInt64 = 0
    /// Echoes that came back different (size, kind, number or checksum).
    var corrupted: UInt64 = 0
    /// Closing handshakes that ended as asked, by the code sent (and answered).
    var closeCodes: [String: Int] = [:]
    /// Closes that were not clean or did not echo our code and reason.
    var unexpectedCloses = 0
    /// Everything that went wrong (each lost, corrupted or unexpected close is one too).
    var failures = 0
    var firstFailures: [String] = []
    var rttP50Microseconds: UInt64 = 0
    var rttP99Microseconds: UInt64 = 0
    var rttMaxMicroseconds: UInt64 = 0

    var isClean: Bool { failures == 0 && lost == 0 && corrupted == 0 && unexpectedCloses == 0 && connectFailures == 0 }
}
