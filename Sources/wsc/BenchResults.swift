import Foundation
import Histogram

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every connection of a `wsc bench` run counted, under one lock: echoes and their bytes,
/// and each round trip in microseconds while recording is on.
final class BenchTally: @unchecked Sendable {
    // `@unchecked`: every stored property is guarded by `lock`.
    private let lock = NSLock()
    private var messages: UInt64 = 0
    private var bytes: UInt64 = 0
    private var recording = false
    private var roundTrips = Histogram<UInt64>.roundTrips()

    func record(roundTripNanoseconds: UInt64, bytes count: Int) {
        lock.withLock {
            messages += 1
            bytes += UInt64(count)
            if recording { _ = roundTrips.record(max(1, roundTripNanoseconds / 1000)) }
        }
    }

    var counts: (messages: UInt64, bytes: UInt64) { lock.withLock { (messages, bytes) } }

    /// Turns recording round trips on (when the load starts) or off (when it ends).
    func setRecording(_ on: Bool) { lock.withLock { recording = on } }

    var latencies: Histogram<UInt64> { lock.withLock { roundTrips } }
}

/// The clock round trips are timed with: monotonic, in nanoseconds.
enum BenchClock {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// Counters at one instant: the run's figures are the differences between two of these.
struct BenchSample {
    var time: UInt64
    var cpuNanoseconds: UInt64
    var messages: UInt64
    var bytes: UInt64

    static func now(_ tally: BenchTally) -> BenchSample {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let cpu = nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
        let (messages, bytes) = tally.counts
        return BenchSample(time: BenchClock.now(), cpuNanoseconds: cpu, messages: messages, bytes: bytes)
    }

    private static func nanoseconds(_ time: timeval) -> UInt64 {
        UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000
    }
}

/// The figures of a run, as a table for people or JSON for scripts.
struct BenchResults: Encodable {
    var api: String
    var onEventLoop: Bool
    var connections: Int
    var size: Int
    var inFlight: Int
    var deflate: Bool
    var churn: Bool
    var seconds: Double
    /// Echoes received in the window (connections opened and closed, for churn).
    var messages: UInt64
    /// Payload bytes of those echoes.
    var bytes: UInt64
    /// This process's CPU time (user + system) in the window.
    var cpuSeconds: Double
    var messagesPerSecond: Double
    var megabytesPerSecond: Double
    /// This process's CPU time (user + system) per echoed message.
    var cpuMicrosecondsPerMessage: Double
    /// The same per megabyte (10⁶ bytes) echoed.
    var cpuMillisecondsPerMegabyte: Double
    /// Round-trip percentiles, in microseconds.
    var p50: UInt64, p90: UInt64, p99: UInt64, p999: UInt64, max: UInt64

    init(configuration: Bench, start: BenchSample, end: BenchSample, roundTrips: Histogram<UInt64>) {
        api = configuration.api.rawValue
        onEventLoop = configuration.onEventLoop
        connections = configuration.connections
        size = configuration.size
        inFlight = configuration.inFlight
        deflate = configuration.deflate
        churn = configuration.churn
        seconds = Double(end.time - start.time) / 1e9
        messages = end.messages - start.messages
        self.bytes = end.bytes - start.bytes
        let bytes = Double(self.bytes)
        let cpu = Double(end.cpuNanoseconds - start.cpuNanoseconds)
        cpuSeconds = cpu / 1e9
        messagesPerSecond = Double(messages) / seconds
        megabytesPerSecond = bytes / 1e6 / seconds
        cpuMicrosecondsPerMessage = messages == 0 ? 0 : cpu / 1e3 / Double(messages)
        cpuMillisecondsPerMegabyte = bytes == 0 ? 0 : cpu / 1e6 / (bytes / 1e6)
        (p50, p90, p99, p999, max) = roundTrips.reportedPercentiles
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table() -> String {
        let rows: [(String, String)] = churn ? [
            ("load", "\(connections) slot(s) opening and closing connections, api \(api)\(onEventLoop ? " on the event loop" : "")"),
            ("duration", String(format: "%.2f s", seconds)),
            ("connections", "\(messages) opened and closed, \(String(format: "%.0f", messagesPerSecond)) conn/s"),
            ("client CPU", String(format: "%.1f µs/connection", cpuMicrosecondsPerMessage)),
            ("open+close", "p50 \(p50) µs, p90 \(p90) µs, p99 \(p99) µs, p99.9 \(p999) µs, max \(max) µs"),
        ] : [
            ("load", "\(connections) connection(s) × \(inFlight) in flight, \(size) B messages, api \(api)\(onEventLoop ? " on the event loop" : "")\(deflate ? ", deflate" : "")"),
            ("duration", String(format: "%.2f s", seconds)),
            ("messages", "\(messages) echoed, \(String(format: "%.0f", messagesPerSecond)) msg/s"),
            ("throughput", String(format: "%.2f MB/s", megabytesPerSecond)),
            ("client CPU", String(format: "%.2f µs/msg, %.3f ms/MB", cpuMicrosecondsPerMessage, cpuMillisecondsPerMegabyte)),
            ("round trip", "p50 \(p50) µs, p90 \(p90) µs, p99 \(p99) µs, p99.9 \(p999) µs, max \(max) µs"),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}

/// The live line on standard error: echoes per second and throughput over the last second.
final class BenchProgress: @unchecked Sendable {
    // `@unchecked`: `timer` is set once in `init`; the rest is used only on `queue`.
    private let queue = DispatchQueue(label: "wsc.bench.progress")
    private let timer: any DispatchSourceTimer
    private var last: BenchSample

    init(tally: BenchTally) {
        last = BenchSample.now(tally)
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [unowned self] in
            let now = BenchSample.now(tally)
            let seconds = Double(now.time - last.time) / 1e9
            let rate = Double(now.messages - last.messages) / seconds
            let megabytes = Double(now.bytes - last.bytes) / 1e6 / seconds
            let cpu = Double(now.cpuNanoseconds - last.cpuNanoseconds) / 1e9 / seconds * 100
            FileHandle.standardError.write(Data(String(format: "\r%10.0f msg/s  %9.2f MB/s  CPU %5.1f %%  ", rate, megabytes, cpu).utf8))
            last = now
        }
        timer.resume()
    }

    func stop() {
        timer.cancel()
        queue.sync { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
