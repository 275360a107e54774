import Foundation
import WebSockets

/// The message every connection sends, made once. Echoes are checked by kind and size only, so
/// that comparing megabytes does not count as the client's work.
struct BenchPayload: Sendable {
    let message: WebSocketMessage
    let size: Int

    init(size: Int, binary: Bool) {
        self.size = size
        message = binary ? .binary(Data(repeating: 0x5A, count: size)) : .text(String(repeating: "z", count: size))
    }

    func isEcho(of received: WebSocketMessage) -> Bool {
        switch (received, message) {
        case (.text(let text), .text): text.utf8.count == size
        case (.binary(let bytes), .binary): bytes.count == size
        default: false
        }
    }
}

/// One loaded connection of a `wsc bench` run.
protocol BenchClient: Sendable {
    /// Sends the first `inFlight` messages; each echo then sends the next.
    func start()
    /// Stops sending, waits (bounded) for the echoes still on their way, and closes with 1000.
    /// Returns what went wrong, if anything did.
    func finish() async -> String?
}

/// Opens the connections of a run with the chosen API.
struct BenchLoad: Sendable {
    let url: String
    let api: Bench.API
    let options: WebSocket.Options
    let payload: BenchPayload
    let inFlight: Int
    let tally: BenchTally

    /// Whether the clients run on their connections' event loops.
    var onEventLoop: Bool { options.deliversEventsOnEventLoop }

    /// At most this many opening handshakes at once, so a large run does not overflow the
    /// server's accept backlog.
    private static let openingAtOnce = 64
    /// How long a finishing connection waits for its last echoes, and then for the close.
    static let drainTimeout = 10.0

    func open(_ count: Int) async throws -> [any BenchClient] {
        try await withThrowingTaskGroup(of: (any BenchClient).self) { group in
            var clients: [any BenchClient] = []
            var started = 0
            while clients.count < count {
                while started < count, started - clients.count < Self.openingAtOnce {
                    group.addTask { try await openOne() }
                    started += 1
                }
                if let client = try await group.next() { clients.append(client) }
            }
            return clients
        }
    }

    func openOne() async throws -> any BenchClient {
        switch api {
        case .websocket: try await SocketBenchClient.open(self)
        case .stream: try await StreamBenchClient.open(self)
        }
    }

    /// Connection churn: each of `count` slots opens a connection, closes it with 1000 and
    /// starts over until `deadline`; every open-and-close counts as one "message" and its
    /// duration as its round trip. On the event loop, a slot's connections all run on one.
    func churn(_ count: Int, until deadline: ContinuousClock.Instant) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    if onEventLoop { return await EventLoopChurn.run(self, until: deadline) }
                    while ContinuousClock.now < deadline {
                        let started = BenchClock.now()
                        do {
                            if let failure = try await openOne().finish() { return failure }
                        } catch {
                            return "\(error)"
                        }
                        tally.record(roundTripNanoseconds: BenchClock.now() &- started, bytes: 0)
                    }
                    return nil
                }
            }
            return await group.reduce(into: []) { if let failure = $1 { $0.append(failure) } }
        }
    }

    /// Finishes every client; returns their failures.
    func finish(_ clients: [any BenchClient]) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for client in clients { group.addTask { await client.finish() } }
            return await group.reduce(into: []) { if let failure = $1 { $0.append(failure) } }
        }
    }
}

/// When each message still on its way was sent, oldest first: an echo server answers in order.
struct SendTimes {
    private var times: [UInt64]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { times = Array(repeating: 0, count: capacity) }

    mutating func sent() {
        times[(head + count) % times.count] = BenchClock.now()
        count += 1
    }

    /// The round trip of the oldest message, which just came back.
    mutating func echoed() -> UInt64 {
        let sentAt = times[head]
        head = (head + 1) % times.count
        count -= 1
        return BenchClock.now() &- sentAt
    }
}
