import Foundation
import Histogram

/// What the connections of a `wsc scale` run counted, under one lock.
final class ScaleTally: @unchecked Sendable {
    // `@unchecked`: every stored property is guarded by `lock`.
    private let lock = NSLock()
    private var counts = ScaleCounts()
    private var roundTrips = Histogram<UInt64>.roundTrips()

    func sent() { lock.withLock { counts.sent += 1 } }
    func echoed(roundTripNanoseconds: UInt64) {
        lock.withLock {
            counts.echoed += 1
            _ = roundTrips.record(max(1, roundTripNanoseconds / 1000))
        }
    }
    func mismatched() { lock.withLock { counts.mismatched += 1 } }
    func unexpectedMessage() { lock.withLock { counts.unexpectedMessages += 1 } }
    func skipped() { lock.withLock { counts.skipped += 1 } }
    func sendFailed() { lock.withLock { counts.sendFailures += 1 } }
    func closedUnexpectedly(code: UInt16, messageOnItsWay: Bool) {
        lock.withLock {
            counts.unexpectedCloses[code, default: 0] += 1
            if messageOnItsWay { counts.cutOff += 1 }
        }
    }

    var snapshot: (counts: ScaleCounts, roundTrips: Histogram<UInt64>) { lock.withLock { (counts, roundTrips) } }
}

/// The counters of a `wsc scale` run.
struct ScaleCounts: Sendable {
    var sent = 0
    var echoed = 0
    /// Echoes that differ from what was sent.
    var mismatched = 0
    /// Messages that arrived with none on its way.
    var unexpectedMessages = 0
    /// Ticks that found the connection's previous message still on its way.
    var skipped = 0
    var sendFailures = 0
    /// Closes the client did not start, by code.
    var unexpectedCloses: [UInt16: Int] = [:]
    /// Messages on their way when the server closed their connection.
    var cutOff = 0

    /// Messages sent whose echo never came, though their connection stayed open.
    var lost: Int { sent - echoed - mismatched - cutOff }
}
