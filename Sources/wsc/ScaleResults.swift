import Foundation
import Histogram

/// The figures of a `wsc scale` run, as a table for people or JSON for scripts.
struct ScaleResults: Encodable {
    /// When each phase began or ended, in seconds since 1970, so that a monitor sampling the
    /// processes from outside knows which samples belong to which phase.
    struct Phases: Encodable {
        var rampStart = 0.0
        var rampEnd = 0.0
        var loadEnd = 0.0
        var idleEnd = 0.0
        var closeEnd = 0.0
    }

    var connections: Int
    var deflate: Bool
    var interval: Double
    var size: Int
    var phases = Phases()
    var opened = 0
    var openFailures = 0
    /// A few distinct reasons connections did not open.
    var openFailureSamples: [String] = []
    var handshakesPerSecond = 0.0
    var messagesSent = 0
    var messagesEchoed = 0
    var messagesLost = 0
    var messagesMismatched = 0
    /// Messages on their way when the server closed their connection.
    var messagesCutOff = 0
    var unexpectedMessages = 0
    var skippedTicks = 0
    var sendFailures = 0
    /// Closes the client did not start, by code.
    var unexpectedCloses: [String: Int] = [:]
    /// Closes with a clean closing handshake and code 1000, as the client asked.
    var cleanCloses = 0
    /// Round-trip percentiles, in microseconds.
    var p50: UInt64 = 0, p90: UInt64 = 0, p99: UInt64 = 0, p999: UInt64 = 0, max: UInt64 = 0

    init(connections: Int, deflate: Bool, interval: Double, size: Int) {
        self.connections = connections
        self.deflate = deflate
        self.interval = interval
        self.size = size
    }

    mutating func record(_ counts: ScaleCounts, roundTrips: Histogram<UInt64>) {
        let rampSeconds = phases.rampEnd - phases.rampStart
        handshakesPerSecond = rampSeconds > 0 ? Double(opened) / rampSeconds : 0
        messagesSent = counts.sent
        messagesEchoed = counts.echoed
        messagesLost = counts.lost
        messagesMismatched = counts.mismatched
        messagesCutOff = counts.cutOff
        unexpectedMessages = counts.unexpectedMessages
        skippedTicks = counts.skipped
        sendFailures = counts.sendFailures
        unexpectedCloses = Dictionary(uniqueKeysWithValues: counts.unexpectedCloses.map { (String($0.key), $0.value) })
        (p50, p90, p99, p999, max) = roundTrips.reportedPercentiles
    }

    /// What makes the run a failure: every connection must open, every message come back
    /// intact, and every connection stay open until the client closes it cleanly.
    var problems: [String] {
        var problems: [String] = []
        if opened < connections { problems.append("\(connections - opened) connection(s) did not open: \(openFailureSamples.joined(separator: "; "))") }
        if messagesLost > 0 { problems.append("\(messagesLost) message(s) never came back") }
        if messagesMismatched > 0 { problems.append("\(messagesMismatched) echo(es) differed from what was sent") }
        if unexpectedMessages > 0 { problems.append("\(unexpectedMessages) message(s) arrived unasked") }
        if sendFailures > 0 { problems.append("\(sendFailures) send(s) failed") }
        if !unexpectedCloses.isEmpty { problems.append("connections closed by the server: \(unexpectedCloses)") }
        if cleanCloses < opened - unexpectedCloses.values.reduce(0, +) {
            problems.append("\(opened - cleanCloses) connection(s) did not close cleanly with 1000")
        }
        return problems
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let rows: [(String, String)] = [
            ("connections", "\(opened) of \(connections) open\(deflate ? ", deflate" : "")"
                + String(format: " in %.2f s, %.0f handshakes/s", phases.rampEnd - phases.rampStart, handshakesPerSecond)),
            ("load", "a \(size) B message every \(interval) s per connection for "
                + String(format: "%.1f s", phases.loadEnd - phases.rampEnd)),
            ("idle", String(format: "then %.1f s with no messages", phases.idleEnd - phases.loadEnd)),
            ("messages", "\(messagesSent) sent, \(messagesEchoed) echoed intact, \(messagesLost) lost, \(messagesMismatched) corrupted"),
            ("round trip", "p50 \(p50) µs, p90 \(p90) µs, p99 \(p99) µs, p99.9 \(p999) µs, max \(max) µs"),
            ("closes", "\(cleanCloses) clean with 1000"
                + (unexpectedCloses.isEmpty ? "" : ", by the server: \(unexpectedCloses)")
                + String(format: ", in %.2f s", phases.closeEnd - phases.idleEnd)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}

/// The live line on standard error.
final class ScaleProgress: Sendable {
    func show(_ line: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    func stop() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
