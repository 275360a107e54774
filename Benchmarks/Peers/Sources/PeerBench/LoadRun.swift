import ArgumentParser

/// A load client's run, whatever the library: open the connections, load them for the window,
/// drain and close them, print the JSON line (or, for churn, open and close connections for the
/// window). The measurement lives here once, so that the peers differ only in how their library
/// sends and receives.
public struct LoadRun: Sendable {
    /// At most this many opening handshakes at once, so that a large run does not overflow the
    /// server's accept backlog.
    public static let openingAtOnce = 64
    /// How long a finishing connection waits for its last echoes, and then for the close.
    public static let drainSeconds = 10.0

    public let options: LoadOptions
    public let payload: Payload
    public let tally = Tally()

    public init(options: LoadOptions) {
        self.options = options
        payload = Payload(size: options.size, binary: options.binary)
    }

    /// Runs the load with connections that `open` makes; throws `ExitCode.failure` when a
    /// connection failed, closed early or got a wrong echo.
    public func run(open: @escaping @Sendable () async throws -> any LoadConnection) async throws {
        let connections: [any LoadConnection]
        do {
            connections = try await openAll(open)
        } catch {
            Output.note("error: a connection did not open: \(error)")
            throw ExitCode.failure
        }

        tally.setRecording(true)
        let start = Sample.now(tally)
        connections.forEach { $0.start() }
        try await Task.sleep(for: .seconds(options.duration))
        let end = Sample.now(tally)
        tally.setRecording(false)
        let failures = await finishAll(connections)

        let report = Report(start: start, end: end, roundTrips: tally.roundTrips)
        Output.line(try report.jsonLine())
        for failure in failures { Output.note("error: \(failure)") }
        if report.messages == 0 { Output.note("error: no echo came back during the window") }
        if !failures.isEmpty || report.messages == 0 { throw ExitCode.failure }
    }

    /// Connection churn: each of `--connections` slots calls `openAndClose` (which opens a
    /// connection, closes it with 1000 and returns once the closing handshake is over) again and
    /// again until the window ends. Every call counts as a message of no bytes and its duration
    /// as the round trip; throws `ExitCode.failure` when one threw.
    public func churn(_ openAndClose: @escaping @Sendable () async throws -> Void) async throws {
        tally.setRecording(true)
        let start = Sample.now(tally)
        let deadline = start.time + UInt64(options.duration * 1e9)
        let failures = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<options.connections {
                group.addTask {
                    while MonotonicClock.now() < deadline {
                        let started = MonotonicClock.now()
                        do {
                            try await openAndClose()
                        } catch {
                            return "\(error)"
                        }
                        tally.record(roundTripNanoseconds: MonotonicClock.now() &- started, bytes: 0)
                    }
                    return nil
                }
            }
            return await group.reduce(into: [String]()) { if let failure = $1 { $0.append(failure) } }
        }
        let end = Sample.now(tally)

        Output.line(try Report(start: start, end: end, roundTrips: tally.roundTrips).jsonLine())
        for failure in failures { Output.note("error: \(failure)") }
        if !failures.isEmpty { throw ExitCode.failure }
    }

    private func openAll(
        _ open: @escaping @Sendable () async throws -> any LoadConnection
    ) async throws -> [any LoadConnection] {
        let count = options.connections
        return try await withThrowingTaskGroup(of: (any LoadConnection).self) { group in
            var connections: [any LoadConnection] = []
            connections.reserveCapacity(count)
            var started = 0
            while connections.count < count {
                while started < count, started - connections.count < Self.openingAtOnce {
                    group.addTask { try await open() }
                    started += 1
                }
                if let connection = try await group.next() { connections.append(connection) }
            }
            return connections
        }
    }

    private func finishAll(_ connections: [any LoadConnection]) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for connection in connections { group.addTask { await connection.finish() } }
            return await group.reduce(into: []) { if let failure = $1 { $0.append(failure) } }
        }
    }
}
