import NIOCore
import PeerBench
import Synchronization
import WebSocketKit

/// One loaded connection on websocket-kit's `WebSocket`. The library calls every callback on
/// the connection's event loop, so each echo sends the next message right there, from inside
/// the callback, with no hop to another thread or task.
final class WebSocketKitConnection: LoadConnection, @unchecked Sendable {
    // `@unchecked`: the `var`s are touched only on `socket.eventLoop`; the rest is immutable or
    // synchronised itself.
    private let socket: WebSocket
    private let run: LoadRun
    private let message: Message
    private var times: SendTimes
    private var stopping = false
    private var closing = false
    private var failure: String?
    private let drained = Gate()
    private let closed = Gate()

    /// The payload in the form the library sends, made once.
    private enum Message {
        case text(String)
        case binary(ByteBuffer)
    }

    /// Called on the event loop, from the library's upgrade callback, so that the handlers are
    /// in place before any frame can arrive.
    private init(socket: WebSocket, run: LoadRun) {
        self.socket = socket
        self.run = run
        let payload = run.payload
        message = payload.binary ? .binary(ByteBuffer(bytes: payload.bytes)) : .text(payload.text)
        times = SendTimes(capacity: run.options.inFlight)
        // The callbacks keep the connection alive as long as the socket: both live for the run.
        socket.onText { _, text in self.received(binary: false, byteCount: text.utf8.count) }
        socket.onBinary { _, bytes in self.received(binary: true, byteCount: bytes.readableBytes) }
        socket.onClose.whenComplete { _ in self.socketClosed() }
    }

    /// Opens a connection; throws what failed it if it does not open.
    static func open(
        _ url: String, configuration: WebSocketClient.Configuration, group: any EventLoopGroup, run: LoadRun
    ) async throws -> WebSocketKitConnection {
        let made = Mutex<WebSocketKitConnection?>(nil)
        let attached = Gate()
        try await WebSocket.connect(to: url, configuration: configuration, on: group) { socket in
            made.withLock { $0 = WebSocketKitConnection(socket: socket, run: run) }
            attached.open()
        }.get()
        // The returned future can complete just before the upgrade callback has run.
        guard await attached.wait(seconds: LoadRun.drainSeconds), let connection = made.withLock({ $0 }) else {
            throw PeerFailure("the upgrade finished without a WebSocket")
        }
        return connection
    }

    /// Opens a connection and closes it, for churn: `close(code:)` from the upgrade callback
    /// sends the Close, and `onClose` completes once the channel is closed, which the library
    /// does when the server's Close comes back (it does not tell that apart from the server
    /// dropping the connection, so neither does this).
    static func openAndClose(
        _ url: String, configuration: WebSocketClient.Configuration, group: any EventLoopGroup
    ) async throws {
        let closed = Gate()
        try await WebSocket.connect(to: url, configuration: configuration, on: group) { socket in
            socket.onClose.whenComplete { _ in closed.open() }
            socket.close(code: .normalClosure, promise: nil)
        }.get()
        // The returned future can complete just before the upgrade callback has run.
        guard await closed.wait(seconds: LoadRun.drainSeconds) else {
            throw PeerFailure("the closing handshake did not finish")
        }
    }

    func start() {
        socket.eventLoop.execute {
            for _ in 0..<self.run.options.inFlight { self.sendNext() }
        }
    }

    func finish() async -> String? {
        let loop = socket.eventLoop
        let waitsForEchoes = try? await loop.submit {
            self.stopping = true
            return self.times.count > 0 && self.failure == nil
        }.get()
        if waitsForEchoes == true, await !drained.wait(seconds: LoadRun.drainSeconds) {
            loop.execute {
                self.fail("\(self.times.count) echo(es) did not come back within \(LoadRun.drainSeconds) s")
            }
        }
        loop.execute {
            self.closing = true
            self.socket.close(code: .normalClosure, promise: nil)
        }
        let closedInTime = await closed.wait(seconds: LoadRun.drainSeconds)
        return try? await loop.submit {
            self.failure ?? (closedInTime ? nil : "the closing handshake did not finish")
        }.get()
    }

    private func received(binary: Bool, byteCount: Int) {
        guard times.count > 0 else { return fail("an echo of a message that was never sent") }
        guard run.payload.isEcho(binary: binary, byteCount: byteCount) else {
            fail("the server did not echo the message")
            socket.close(code: .normalClosure, promise: nil)
            return
        }
        run.tally.record(roundTripNanoseconds: times.echoed(), bytes: run.payload.size)
        if !stopping {
            sendNext()
        } else if times.count == 0 {
            drained.open()
        }
    }

    private func sendNext() {
        times.sent()
        switch message {
        case .text(let text): socket.send(text)
        case .binary(let bytes): socket.send(bytes, opcode: .binary)
        }
    }

    private func socketClosed() {
        if !closing || times.count > 0 { fail("the server closed the connection early") }
        drained.open()
        closed.open()
    }

    /// Keeps the first thing that went wrong: later ones are its consequences.
    private func fail(_ description: String) {
        failure = failure ?? description
    }
}
