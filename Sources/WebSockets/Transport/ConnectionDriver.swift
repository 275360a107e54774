import NIOCore
import WebSocketCore

/// Drives the engine over a NIO channel once the opening handshake is done — the one piece of
/// I/O code every role and API shares (`WebSocket`, `WebSocketStream`, the server): it feeds
/// what the channel reads to the ``Connection``, carries out the actions the engine returns,
/// writes what it queues and flushes once per event-loop turn, keeps the close, keepalive and
/// idle timers, and applies backpressure through NIO read demand.
///
/// It is the channel handler after the handshake handler, which installs it with the bytes
/// that followed the handshake. Everything here runs on the channel's event loop: the front
/// ends call in on it and get ``TransportEvent``s back on it, which is what makes the
/// `@unchecked Sendable` sound (the instance is handed between tasks, never used off the loop).
final class ConnectionDriver: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Timers around the engine; each is off when `nil`.
    struct Timing: Sendable {
        /// How long to wait for the peer to end TCP once our close frame is out (RFC 6455 §7.1.1).
        var closeTimeout: TimeAmount
        /// Pings every `interval`, and how long to wait for the pong.
        var keepalive: WebSocket.Keepalive
        /// Without a byte from the peer for this long, start the closing handshake with 1001.
        var idleTimeout: TimeAmount?
    }

    let eventLoop: any EventLoop
    private let role: Role
    private let timing: Timing
    /// Let go of once the close is reported: what it captures (the endpoint or transport that
    /// holds this driver) would otherwise keep both alive for good.
    private var report: ((TransportEvent) -> Void)?
    /// The engine while the connection is open or closing; `nil` once TCP is closed. An
    /// optional, not an enum with a payload, so that it is mutated in place and never copied.
    private var connection: Connection?
    private var context: ChannelHandlerContext?
    private var failure: WebSocket.Failure?
    /// Whether the connection was failed (RFC 6455 §7.1.7), not merely lost.
    private var failed = false

    // Backpressure: while paused, received bytes stay in the engine and reads are held back.
    private var readingPaused = false
    private var readPending = false

    /// Bytes read from the channel since the driver took over: what backpressure bounds.
    private(set) var receivedByteCount: UInt64 = 0
    /// Application bytes accepted by ``send(_:byteCount:)`` and not yet written to the socket.
    private(set) var unsentByteCount: UInt64 = 0
    private var unflushedByteCount: UInt64 = 0
    /// Something was written since the last flush.
    private var writePending = false
    private var closeAfterFlush = false
    /// Our output is shut after a failure and the input is being drained (``closeTransport(_:)``).
    private var lingering = false
    private var flushScheduled = false

    // The close, keepalive and idle timers are callbacks, not `RepeatedTask`s or `Scheduled`s:
    // those allocate promises and closures that every idle (or closing) connection would hold.
    private var closeTimer: NIOScheduledCallback?
    private var keepaliveTimer: NIOScheduledCallback?
    private var pongDeadline: Scheduled<Void>?
    private var idleTimer: NIOScheduledCallback?
    /// When bytes last arrived. A read only notes the time; the idle timer, when it fires,
    /// schedules itself again for what remains, so reads never cancel and reschedule it.
    private var lastReceived = NIODeadline.uptimeNanoseconds(0)

    /// Creates the driver for an engine whose handshake completed on `eventLoop`.
    ///
    /// - Parameter report: Called on the event loop with each message, the start of the
    ///   closing handshake, bytes transmitted and, once, the close.
    init(
        connection: Connection, timing: Timing, eventLoop: any EventLoop,
        report: @escaping (TransportEvent) -> Void
    ) {
        self.connection = connection
        self.role = connection.role
        self.timing = timing
        self.eventLoop = eventLoop
        self.report = report
    }

    /// Whether the closing handshake has started (either side sent or received a close frame)
    /// or the connection is gone; data can no longer be sent.
    var isClosingOrClosed: Bool {
        guard let state = connection?.state else { return true }
        return state != .open
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// The context holds this handler: keeping it past removal would keep both alive for good.
    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    /// Takes over the channel: processes the bytes that followed the handshake and starts the timers.
    func start(leftover: ByteBuffer) {
        eventLoop.assertInEventLoop()
        startKeepalive()
        startIdleTimer()
        if leftover.readableBytes > 0 { withConnection { $0.receiveData(leftover) } }
        carryOutActions()
        flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        receivedByteCount += UInt64(bytes.readableBytes)
        if timing.idleTimeout != nil { lastReceived = .now() }
        withConnection { $0.receiveData(bytes) }
        carryOutActions()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush()
    }

    func read(context: ChannelHandlerContext) {
        if readingPaused { readPending = true } else { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        guard var connection else { return }
        let closure = connection.transportClosed()
        self.connection = nil
        if closure.failure != nil { failed = true }
        // A transport lost before the peer's close frame (RFC 6455 §7.2.1) is unclean, but the
        // connection was closed, not failed: browsers fire no `error` for it.
        let failure = self.failure ?? closure.failure.map(WebSocket.Failure.protocolViolation)
            ?? (connection.receivedCloseFrame == nil ? .connectionLost(nil) : nil)
        report?(.closed(code: closure.code, reason: closure.reason, wasClean: closure.wasClean && failure == nil, failure: failure, failed: failed))
        report = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The connection already failed for its own reason; the peer reset it while we drained.
        if lingering { return context.close(promise: nil) }
        // TCP reset once both Close frames were exchanged: the connection already closed
        // cleanly (RFC 6455 §7.1.4); some servers abort instead of closing.
        if connection?.closeFrameSent == true, connection?.receivedCloseFrame != nil {
            return context.close(promise: nil)
        }
        connectionBroke(.caught(error))
    }

    // MARK: Front-end calls (on the event loop)

    /// Queues a data message; `false` when it was refused because our close frame is out
    /// (WHATWG WebSockets §3.1: then nothing is sent). Written and flushed at the end of the
    /// turn, so that the engine serialises a burst of small messages into one buffer.
    @discardableResult
    func send(_ message: OutgoingMessage, byteCount: UInt64) -> Bool {
        let sent = withConnection { (try? message.send(on: &$0)) != nil } ?? false
        guard sent else { return false }
        unflushedByteCount += byteCount
        unsentByteCount += byteCount
        scheduleFlush()
        return true
    }

    /// RFC 6455 §7.1.2 "_Start the WebSocket Closing Handshake_" with `code` and `reason`
    /// (no body without a code); nothing happens once it has started.
    func startTheClosingHandshake(code: CloseCode?, reason: String) {
        withConnection { try? $0.startTheClosingHandshake(code: code, reason: reason) }
        carryOutActions()
        scheduleFlush()
    }

    /// Fails the connection for a reason outside the engine (RFC 6455 §7.1.7): the first reason
    /// sticks and TCP closes.
    func fail(_ failure: WebSocket.Failure) {
        guard hasConnection else { return }
        if self.failure == nil { failed = true }
        connectionBroke(failure)
    }

    /// Closes TCP after the connection broke under us (a reset, a TLS error): the connection is
    /// closed uncleanly, not failed.
    private func connectionBroke(_ failure: WebSocket.Failure) {
        guard hasConnection else { return }
        if self.failure == nil { self.failure = failure }
        context?.close(promise: nil)
    }

    /// Stops handing messages out and reading from the socket (WHATWG WebSocketStream "apply backpressure").
    func pauseReading() {
        readingPaused = true
    }

    /// Hands out buffered messages again and reads once more if a read was held back.
    func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        carryOutActions()
        flush()
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    /// Flushes what was written; those bytes count as transmitted once the socket took them.
    func flush() {
        flushScheduled = false
        guard let context else { return }
        writeQueuedBytes()
        let transmitted = unflushedByteCount
        let closeAfterFlush = self.closeAfterFlush
        unflushedByteCount = 0
        self.closeAfterFlush = false
        guard writePending else {
            if closeAfterFlush { closeTransport(context) }
            return
        }
        writePending = false
        context.flush()
        // Usually the socket takes it all at once: then no promise is needed to learn so.
        if let buffered = try? context.channel.syncOptions?.getOption(.bufferedWritableBytes), buffered == 0 {
            return written(transmitted, succeeded: true, closeAfterFlush: closeAfterFlush, context: context)
        }
        // An empty write after the others completes once they are all written.
        let allWritten = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: allWritten)
        allWritten.futureResult.assumeIsolated().whenComplete { result in
            self.written(transmitted, succeeded: (try? result.get()) != nil, closeAfterFlush: closeAfterFlush, context: context)
        }
    }

    /// A flush's bytes left for the network (or failed to).
    private func written(_ transmitted: UInt64, succeeded: Bool, closeAfterFlush: Bool, context: ChannelHandlerContext) {
        if transmitted > 0 {
            unsentByteCount -= min(transmitted, unsentByteCount)
            if succeeded { report?(.transmitted(transmitted)) }
        }
        if closeAfterFlush { closeTransport(context) }
    }

    /// Closes TCP as the engine asked, once its last bytes (our Close frame) are written.
    ///
    /// A client closes at once (its peer is the one that closes first, RFC 6455 §7.1.1), and so
    /// does a server after the peer's Close, since nothing more comes. A server that failed the
    /// connection (§7.1.7) may have a client still sending: closing a socket with unread input
    /// makes the kernel send a reset, which can destroy our Close frame before the client reads
    /// it, and the client never learns the code (1009, 1002 …). So the server shuts only its
    /// output (the client reads the Close, then end of stream) and reads and drops what still
    /// arrives (the engine processes nothing after a failure) until the client closes too or
    /// the close timeout runs out: the lingering close of HTTP servers.
    private func closeTransport(_ context: ChannelHandlerContext) {
        guard role == .server, connection?.receivedCloseFrame == nil else { return context.close(promise: nil) }
        lingering = true
        let halfClosed = context.eventLoop.makePromise(of: Void.self)
        // A channel that cannot close only its output (some never can) closes whole.
        halfClosed.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        context.close(mode: .output, promise: halfClosed)
        startCloseTimer()
        // Backpressure no longer applies: nothing read now reaches the user.
        readingPaused = false
        if readPending {
            readPending = false
            context.read()
        }
    }

    // MARK: Inside

    /// Mutates the engine in place; `nil` once the connection is closed.
    private func withConnection<Result>(_ body: (inout Connection) -> Result) -> Result? {
        connection?.mutate(body)
    }

    /// Whether the engine is still there. Optional chaining reads it in place, where
    /// `connection != nil` copies the whole engine (a retain per reference it holds) first.
    private var hasConnection: Bool {
        connection?.role != nil
    }

    private func carryOutActions() {
        while let action = withConnection({ $0.nextAction(decodingInput: !readingPaused) }) ?? nil {
            switch action {
            case .deliverMessage(let message):
                report?(.message(message.detachedFromReadBuffers(role: role)))
            case .deliverPing:
                break  // the engine queued the pong
            case .deliverPong:
                pongDeadline?.cancel()
                pongDeadline = nil
            case .closeFrameReceived(let frame):
                report?(.closingHandshakeStarted(frame))
            case .startCloseTimer:
                startCloseTimer()
            case .closeTransport:
                closeAfterFlush = true
            }
        }
        writeQueuedBytes()
    }

    private func writeQueuedBytes() {
        guard let context else { return }
        while let bytes = withConnection({ $0.nextBytesToSend() }) ?? nil {
            context.write(wrapOutboundOut(bytes), promise: nil)
            writePending = true
        }
    }

    /// One flush at the end of this event-loop turn carries every write made in it.
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        eventLoop.execute { if self.flushScheduled { self.flush() } }
    }

    /// What one of the driver's timers does when it fires.
    private struct Tick: NIOScheduledCallbackHandler, Sendable {
        enum Timer { case close, keepalive, idle }
        let driver: ConnectionDriver
        let timer: Timer

        func handleScheduledCallback(eventLoop: some EventLoop) {
            switch timer {
            case .close: driver.context?.close(promise: nil)
            case .keepalive: driver.keepaliveTick()
            case .idle: driver.idleTick()
            }
        }
    }

    /// Closes TCP if the closing handshake has not closed it within the close timeout.
    private func startCloseTimer() {
        closeTimer?.cancel()
        closeTimer = try? eventLoop.scheduleCallback(in: timing.closeTimeout, handler: Tick(driver: self, timer: .close))
    }

    private func startKeepalive() {
        guard let interval = timing.keepalive.interval else { return }
        keepaliveTimer = try? eventLoop.scheduleCallback(in: .timeInterval(interval), handler: Tick(driver: self, timer: .keepalive))
    }

    /// Sends a ping unless the last one is still unanswered, and schedules the next tick.
    private func keepaliveTick() {
        guard hasConnection else { return }
        startKeepalive()
        guard pongDeadline == nil, withConnection({ (try? $0.sendPing()) != nil }) == true else { return }
        pongDeadline = eventLoop.scheduleTask(in: .timeInterval(timing.keepalive.timeout)) {
            self.fail(.keepaliveTimedOut)
        }
        writeQueuedBytes()
        flush()
    }

    private func startIdleTimer() {
        guard let idleTimeout = timing.idleTimeout else { return }
        lastReceived = .now()
        scheduleIdleCheck(at: lastReceived + idleTimeout)
    }

    private func scheduleIdleCheck(at deadline: NIODeadline) {
        idleTimer = try? eventLoop.scheduleCallback(at: deadline, handler: Tick(driver: self, timer: .idle))
    }

    /// Starts the closing handshake if nothing arrived for the idle timeout; otherwise checks
    /// again when it would run out.
    private func idleTick() {
        guard hasConnection, let idleTimeout = timing.idleTimeout else { return }
        let deadline = lastReceived + idleTimeout
        if deadline > .now() { return scheduleIdleCheck(at: deadline) }
        idleTimer = nil
        startTheClosingHandshake(code: .goingAway, reason: "idle")
    }

    private func cancelTimers() {
        closeTimer?.cancel()
        keepaliveTimer?.cancel()
        pongDeadline?.cancel()
        idleTimer?.cancel()
    }
}

extension TimeAmount {
    /// A time amount from seconds, as Foundation's `TimeInterval` counts them.
    static func timeInterval(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1e9))
    }
}

extension Connection {
    /// `body` applied to the engine in place: through optional chaining, a driver's optional
    /// engine is not copied out and back.
    fileprivate mutating func mutate<Result>(_ body: (inout Connection) -> Result) -> Result {
        body(&self)
    }
}

extension Message {
    /// A client's binary payload that came in one read is a slice of SwiftNIO's pooled receive
    /// buffer, which the event loop reuses for a later read once nobody else holds it. A reader
    /// on another thread must not be the one letting go of it: that release is not ordered
    /// before the reuse in any way ThreadSanitizer can see. Those payloads (at most 64 KiB,
    /// the receive buffer's largest size) get storage of their own here; larger ones were
    /// gathered into a buffer of their own already. A server's payloads were unmasked into
    /// new storage by the decoder, so they need no second copy.
    func detachedFromReadBuffers(role: Role) -> Message {
        guard role == .client, case .binary(let bytes) = self, bytes.readableBytes <= 1 << 16 else { return self }
        var copy = ByteBufferAllocator().buffer(capacity: bytes.readableBytes)
        copy.writeImmutableBuffer(bytes)
        return .binary(copy)
    }
}
