import Logging
import NIOCore
import PeerBench
import Synchronization
import WSClient

/// One loaded connection on `WebSocketClient`. The library runs a connection as one async
/// handler with an inbound message sequence and an outbound writer, so this handler is the
/// whole loop: it sends the first messages, then sends the next one straight after each echo,
/// in the same task, with no queue or extra task between receiving and sending.
final class HummingbirdConnection: LoadConnection {
    /// What every connection of a run shares.
    struct Setup: Sendable {
        let url: String
        let configuration: WebSocketClientConfiguration
        let logger: Logger
        let run: LoadRun
    }

    private let setup: Setup
    /// Made once: the library copies it into a frame on every write.
    private let message: WebSocketOutboundWriter.OutboundFrame
    private let opened = Gate()
    private let started = Gate()
    private let drained = Gate()
    private let ended = Gate()
    private let stopping = Atomic(false)
    private let failure = Mutex<String?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)

    private init(_ setup: Setup) {
        self.setup = setup
        let payload = setup.run.payload
        message = payload.binary ? .binary(ByteBuffer(bytes: payload.bytes)) : .text(payload.text)
    }

    /// Opens a connection; throws what failed it if it does not open.
    static func open(_ setup: Setup) async throws -> HummingbirdConnection {
        let connection = HummingbirdConnection(setup)
        let task = Task { await connection.connect() }
        connection.task.withLock { $0 = task }
        await connection.opened.wait()
        if let failure = connection.failure.withLock({ $0 }) { throw PeerFailure(failure) }
        return connection
    }

    /// Opens a connection and closes it, for churn: a handler that returns at once is the
    /// library's way to close with 1000, and `connect` returns the server's Close once it is in
    /// (nil when the close timeout ran out first).
    static func openAndClose(_ setup: Setup) async throws {
        let closeFrame = try await WebSocketClient.connect(
            url: setup.url, configuration: setup.configuration, logger: setup.logger
        ) { _, _, _ in }
        guard let closeFrame, closeFrame.closeCode == .normalClosure else {
            throw PeerFailure("the closing handshake did not finish with 1000")
        }
    }

    func start() { started.open() }

    func finish() async -> String? {
        stopping.store(true, ordering: .relaxed)
        if await !drained.wait(seconds: LoadRun.drainSeconds) {
            fail("echoes did not come back within \(LoadRun.drainSeconds) s")
            cancel()
        }
        // The library closes with 1000 once the handler returns, bounded by its close timeout.
        if await !ended.wait(seconds: LoadRun.drainSeconds * 2) {
            fail("the closing handshake did not finish")
            cancel()
        }
        return failure.withLock { $0 }
    }

    private func connect() async {
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: setup.url, configuration: setup.configuration, logger: setup.logger
            ) { inbound, outbound, _ in
                self.opened.open()
                await self.started.wait()
                try await self.load(inbound, outbound)
            }
            if closeFrame == nil { fail("the connection ended without a closing handshake") }
        } catch {
            fail("\(error)")
        }
        if !opened.isOpen { fail("the connection closed before it opened") }
        opened.open()
        drained.open()
        ended.open()
    }

    /// Keeps `--in-flight` messages on their way until the run stops, then waits for the last
    /// echoes; returning lets the library close with 1000.
    private func load(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        let run = setup.run
        var times = SendTimes(capacity: run.options.inFlight)
        for _ in 0..<run.options.inFlight {
            times.sent()
            try await outbound.write(message)
        }
        for try await echo in inbound.messages(maxSize: run.options.maxMessageSize) {
            let isEcho = switch echo {
            case .text(let text): run.payload.isEcho(binary: false, byteCount: text.utf8.count)
            case .binary(let bytes): run.payload.isEcho(binary: true, byteCount: bytes.readableBytes)
            }
            guard isEcho else { return fail("the server did not echo the message") }
            run.tally.record(roundTripNanoseconds: times.echoed(), bytes: run.payload.size)
            if !stopping.load(ordering: .relaxed) {
                times.sent()
                try await outbound.write(message)
            } else if times.count == 0 {
                drained.open()
                return
            }
        }
        fail("the server closed the connection early")
    }

    /// Keeps the first thing that went wrong: later ones are its consequences.
    private func fail(_ description: String) {
        failure.withLock { $0 = $0 ?? description }
    }

    private func cancel() {
        task.withLock { $0 }?.cancel()
    }
}
