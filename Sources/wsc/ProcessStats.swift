import Foundation

/// This process's figures that a soak watches for leaks: resident memory and open file
/// descriptors, read from `/proc` (Linux); `-1` where `/proc` is not there.
enum ProcessStats {
    /// `VmRSS` from `/proc/self/status`, in KiB.
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return Int(line.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") ?? -1
    }

    /// The entries of `/proc/self/fd`, less the one listing it opens.
    static func openFileDescriptors() -> Int {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return -1 }
        return entries.count - 1
    }

    /// Prints one JSON line on standard error every `interval` seconds until the task is
    /// cancelled: milliseconds since the start (`t_ms`), `rss_kib`, `fds`, the event-loop lag
    /// over the interval (`lag_max_us`, `lag_p99_us`) and the caller's own `figures`.
    static func report(every interval: Double, figures: @Sendable () -> [String: Int]) async {
        let lag = EventLoopLag()
        let start = ContinuousClock.now
        while (try? await Task.sleep(for: .seconds(interval))) != nil {
            let (maxLag, p99Lag) = lag.take()
            var line = figures()
            line["t_ms"] = Int((ContinuousClock.now - start) / .milliseconds(1))
            line["rss_kib"] = residentKiB()
            line["fds"] = openFileDescriptors()
            line["lag_max_us"] = maxLag
            line["lag_p99_us"] = p99Lag
            guard let json = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) else { continue }
            Terminal.note(String(decoding: json, as: UTF8.self))
        }
    }
}
