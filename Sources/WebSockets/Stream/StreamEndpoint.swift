import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import WebSocketCore

/// What stands behind a stream's `opened`, `closed`, readable and writable, in both roles
/// (`WebSocketStream` and the server's `WebSocketConnection`): the WebSocketStream proposal's
/// feedback from the protocol, its stream operations and "close the WebSocket".
///
/// The connection's phase lives on its event loop: the driver's reports arrive there, and the
/// API hops there to close. The readable's messages and the writable's outbox are
/// ``StreamQueues`` under `lock`, so that reading a buffered message or writing below the
/// limit crosses no thread; that split is what makes the `@unchecked Sendable` sound. Every
/// waiting task is resumed exactly once, by whoever takes it out of the queues under the lock,
/// so that a message is never both handed to a reader and lost to a cancellation.
final class StreamEndpoint: @unchecked Sendable {
    /// What each phase owns.
    private enum State {
        /// The handshake is under way; `failBeforeEstablished` fails it.
        case connecting
        /// The driver carries the connection; `closingHandshakeStarted` tells OPEN from CLOSING.
        case open(ConnectionDriver)
        case closed
    }

    /// The extensions and subprotocol in use, once established.
    struct Established: Sendable {
        var extensions: String
        var `protocol`: String
    }

    let eventLoop: any EventLoop
    /// Fails the connection while it is not established (the client's transport).
    private let failBeforeEstablished: @Sendable () -> Void
    /// Runs when the last reference goes: closes the connection (§7 of the standard, for streams).
    private let disappeared: @Sendable () -> Void

    // On the event loop.
    private var state: State
    private var closingHandshakeStarted = false
    private var wasEverConnected = false
    private var handshakeAborted = false
    /// Unsent data was pending when the peer's Close arrived: the close is not clean.
    private var unsentDataAtPeerClose = false
    /// The batch ``flushOutbox()`` is sending: the outbox's other half.
    private var spareOutbox: [OutgoingMessage] = []

    // Any thread.
    private let lock = NIOLock()
    private var queues: StreamQueues

    /// `nil` for a server endpoint, open from the start: only `WebSocketStream` waits for it.
    private let openedPromise: EventLoopPromise<Established>?
    private let closedPromise: EventLoopPromise<WebSocketStream.CloseInfo>

    /// A client endpoint, connecting.
    init(
        eventLoop: any EventLoop, options: WebSocket.Options,
        failBeforeEstablished: @escaping @Sendable () -> Void, disappeared: @escaping @Sendable () -> Void
    ) {
        self.eventLoop = eventLoop
        self.queues = StreamQueues(readBufferLimit: options.readBufferLimit, writeBufferLimit: options.writeBufferLimit)
        self.failBeforeEstablished = failBeforeEstablished
        self.disappeared = disappeared
        self.state = .connecting
        self.openedPromise = eventLoop.makePromise()
        self.closedPromise = eventLoop.makePromise()
    }

    /// A server endpoint, open from the start on `driver`.
    init(driver: ConnectionDriver, readBufferLimit: Int, writeBufferLimit: Int) {
        self.eventLoop = driver.eventLoop
        self.queues = StreamQueues(readBufferLimit: readBufferLimit, writeBufferLimit: writeBufferLimit)
        self.queues.acceptingWrites = true
        self.failBeforeEstablished = {}
        self.disappeared = {}
        self.state = .open(driver)
        self.wasEverConnected = true
        self.openedPromise = nil
        self.closedPromise = driver.eventLoop.makePromise()
    }

    deinit {
        disappeared()
        // Fulfil what nobody can wait for any more, so NIO does not report leaked promises.
        let error = WebSocketError(message: "The stream was deallocated.", code: nil, reason: "")
        openedPromise?.fail(error)
        closedPromise.fail(error)
    }

    // MARK: The API (any thread)

    var opened: Established {
        get async throws {
            guard let openedPromise else { preconditionFailure("a server endpoint is open from the start") }
            return try await openedPromise.futureResult.valueCancellably()
        }
    }

    var closed: WebSocketStream.CloseInfo {
        get async throws { try await closedPromise.futureResult.valueCancellably() }
    }

    /// The next message, or `nil` once the readable is finished. Cancelling the waiting task
    /// ends the wait with `CancellationError` and leaves the connection as it is.
    @inline(__always)  // into the iterator's `next`: one async frame fewer under a waiting reader
    func next() async throws -> WebSocketMessage? {
        while true {
            if let available = try takeAvailableMessage() { return available }
            // Resumed with nothing: the message is in the queues, unless another reader was
            // quicker, and then this one waits again.
            try await wait(for: ReaderWait.self)
        }
    }

    /// A buffered message, or `.some(nil)` once the readable is finished; `nil` when the reader
    /// has to wait.
    // Synchronous and not inlined, as `enqueue` is: what an async function holds lives in its
    // frame for as long as it waits, in the task's allocator, and an idle connection's reader
    // waits for most of its life.
    @inline(never)
    private func takeAvailableMessage() throws -> WebSocketMessage?? {
        try Task.checkCancellation()
        let (taken, scheduleResume) = lock.withLock { queues.takeAvailable() }
        if scheduleResume { resumeReading() }
        guard let taken else { return nil }
        return .some(try taken.get().map(Self.streamMessage))
    }

    /// The proposal's "write": sends `message`, then waits while more than the write buffer
    /// limit is unsent. Cancelling the wait does not unsend the message.
    func write(_ message: OutgoingMessage) async throws {
        try Task.checkCancellation()
        switch lock.withLock({ queues.accept(message) }) {
        case .refused(let error):
            throw error ?? Self.closedStreamError
        case .accepted(let scheduleFlush, let mustWait):
            if scheduleFlush {
                if eventLoop.inEventLoop { flushOutbox() } else { eventLoop.execute { self.flushOutbox() } }
            }
            guard mustWait else { return }
            try await wait(for: WriterWait.self)
        }
    }

    /// Suspends until the event loop takes this waiter out of its list, unless `Kind` answers
    /// at once under the lock; cancelling the task ends the wait with `CancellationError`.
    // `Kind` is a type, not values, so that the closures capture only `self` and `id`: their
    // contexts are part of the frames an idle reader keeps.
    private func wait<Kind: StreamWait>(for _: Kind.Type) async throws {
        let id = lock.withLock { queues.makeWaiterID() }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                enqueue(StreamQueues.Waiter(id: id, continuation: continuation), as: Kind.self)
            }
        } onCancel: {
            lock.withLock { queues.withdraw(id, from: Kind.waiters) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Puts `waiter` in its list, or resumes it at once with what `Kind` answers.
    @inline(never)
    private func enqueue<Kind: StreamWait>(_ waiter: StreamQueues.Waiter, as _: Kind.Type) {
        let answer: Result<Void, any Error>? = lock.withLock {
            if Task.isCancelled { return .failure(CancellationError()) }
            if let answer = Kind.answerNow(&queues) { return answer }
            queues[keyPath: Kind.waiters].append(waiter)
            return nil
        }
        if let answer { waiter.continuation.resume(with: answer) }
    }

    /// A reader waits for a message or the readable's end.
    private enum ReaderWait: StreamWait {
        static var waiters: WritableKeyPath<StreamQueues, [StreamQueues.Waiter]> { \.readers }

        static func answerNow(_ queues: inout StreamQueues) -> Result<Void, any Error>? {
            queues.hasAvailable ? .success(()) : nil
        }
    }

    /// A writer waits for room below the write buffer limit, or for writes to be refused.
    private enum WriterWait: StreamWait {
        static var waiters: WritableKeyPath<StreamQueues, [StreamQueues.Waiter]> { \.writers }

        static func answerNow(_ queues: inout StreamQueues) -> Result<Void, any Error>? {
            if let refusal = queues.writeRefusal { return .failure(refusal) }
            guard queues.acceptingWrites else { return .failure(StreamEndpoint.closedStreamError) }
            return queues.writeBufferHasRoom ? .success(()) : nil
        }
    }

    /// Bytes read from the socket so far (0 before the connection is open): how far the peer got.
    func receivedByteCount() async -> UInt64 {
        (try? await eventLoop.submit { () -> UInt64 in
            guard case .open(let driver) = self.state else { return 0 }
            return driver.receivedByteCount
        }.get()) ?? 0
    }

    /// The proposal's "close the WebSocket" with a validated code and reason.
    func closeTheWebSocket(_ request: CloseRequest) {
        eventLoop.execute { self.startClosing(request) }
    }

    /// The proposal's "close using reason": the error's code and reason when it is a
    /// ``WebSocketError`` whose code may be sent, otherwise a Close frame without a body.
    func closeUsingReason(_ reason: WebSocketError?) {
        let request = reason.flatMap { try? CloseRequest(code: $0.closeCode, reason: $0.reason) } ?? CloseRequest(trusted: nil)
        closeTheWebSocket(request)
    }

    /// The readable's cancel: closes using `reason` and ends the readable; messages not read are dropped.
    func cancelReadable(_ reason: WebSocketError?) {
        resume(lock.withLock { queues.endReadable(.success(()), droppingMessages: true) }, with: .success(()))
        closeUsingReason(reason)
    }

    /// The constructor's abort steps: only while the connection is not established.
    func abortHandshake() {
        eventLoop.execute {
            guard case .connecting = self.state, !self.closingHandshakeStarted else { return }
            self.failBeforeEstablished()
            self.closingHandshakeStarted = true
            self.handshakeAborted = true
            let error = DOMException(.abortError, "The WebSocketStream's signal was aborted.")
            self.openedPromise?.fail(error)
            self.closedPromise.fail(error)
        }
    }

    /// Rejects `opened` and `closed` for a signal aborted before construction.
    func rejectAsAborted() {
        let error = DOMException(.abortError, "The WebSocketStream's signal was already aborted.")
        handshakeAborted = true
        state = .closed
        openedPromise?.fail(error)
        closedPromise.fail(error)
    }

    // MARK: Feedback from the protocol (on the event loop)

    func handle(_ event: TransportEvent) {
        switch event {
        case .established(let subprotocol, let extensions, let driver):
            // Closed while connecting: the transport is failing it; it never opens.
            guard case .connecting = state, !handshakeAborted, !closingHandshakeStarted else { return }
            state = .open(driver)
            wasEverConnected = true
            lock.withLock { queues.acceptingWrites = true }
            openedPromise?.succeed(Established(extensions: extensions, protocol: subprotocol))
        case .message(let message):
            receive(message)
        case .closingHandshakeStarted:
            guard case .open(let driver) = state else { return }
            let writesPending = lock.withLock { !queues.writers.isEmpty || !queues.outbox.isEmpty }
            if writesPending || driver.unsentByteCount > 0 { unsentDataAtPeerClose = true }
            closingStarted(driver: driver)
        case .transmitted:
            guard case .open(let driver) = state else { return }
            resume(lock.withLock { queues.driverUnsent(Int(driver.unsentByteCount)) }, with: .success(()))
        case .closed(let code, let reason, let wasClean, let failure, _):
            connectionClosed(code: code, reason: reason, wasClean: wasClean && !unsentDataAtPeerClose, failure: failure)
        }
    }

    // MARK: Inside (on the event loop)

    /// The proposal's "handle a WebSocketStream message", then "apply backpressure" when the
    /// readable holds more than its limit.
    private func receive(_ message: Message) {
        guard case .open(let driver) = state, !closingHandshakeStarted else { return }
        let (reader, pause) = lock.withLock { queues.deliver(message) }
        reader?.continuation.resume()
        if pause { driver.pauseReading() }
    }

    /// A reader took a message that may bring the readable below its limit.
    private func resumeReading() {
        if eventLoop.inEventLoop { resumeReadingBelowLimit() } else { eventLoop.execute { self.resumeReadingBelowLimit() } }
    }

    /// Resumes reading if the readable is still below its limit: decided here, on the event
    /// loop, so that a resumption asked for earlier cannot undo a later pause.
    private func resumeReadingBelowLimit() {
        let resume = lock.withLock {
            queues.resumeScheduled = false
            guard queues.readingPaused, queues.bufferedByteCount <= queues.readBufferLimit else { return false }
            queues.readingPaused = false
            return true
        }
        if resume, case .open(let driver) = state { driver.resumeReading() }
    }

    /// Hands the outbox to the driver, which writes it as one buffer at the end of the turn.
    private func flushOutbox() {
        // The outbox and `spareOutbox` trade places, so that neither is reallocated per batch.
        lock.withLock {
            queues.outboxFlushScheduled = false
            swap(&queues.outbox, &spareOutbox)
        }
        defer { spareOutbox.removeAll(keepingCapacity: true) }
        guard case .open(let driver) = state, !closingHandshakeStarted else { return }
        var byteCount = 0
        for message in spareOutbox {
            let messageByteCount = message.byteCount
            driver.send(message, byteCount: UInt64(messageByteCount))
            byteCount += messageByteCount
        }
        let released = lock.withLock {
            queues.outboxByteCount -= byteCount
            return queues.driverUnsent(Int(driver.unsentByteCount))
        }
        resume(released, with: .success(()))
    }

    private func startClosing(_ request: CloseRequest) {
        switch state {
        case .closed:
            return
        case _ where closingHandshakeStarted:
            return
        case .connecting:
            closingHandshakeStarted = true
            failBeforeEstablished()
        case .open(let driver):
            flushOutbox()  // what was written before the close goes out before the Close frame
            driver.startTheClosingHandshake(code: request.code, reason: request.reason)
            closingStarted(driver: driver)
        }
    }

    /// The closing handshake started, by either side: pending writes fail, and later messages
    /// are no longer handed out, so reading resumes to let the peer's Close in.
    private func closingStarted(driver: ConnectionDriver) {
        guard !closingHandshakeStarted else { return }
        closingHandshakeStarted = true
        let writers = lock.withLock { queues.refuseWrites(queues.writers.isEmpty ? nil : Self.closedStreamError) }
        resume(writers, with: .failure(Self.closedStreamError))
        driver.resumeReading()
    }

    /// The proposal's "handle WebSocketStream connection close".
    private func connectionClosed(code: UInt16, reason: String, wasClean: Bool, failure: WebSocket.Failure?) {
        state = .closed
        guard !handshakeAborted else { return }
        guard wasEverConnected else {
            let error = WebSocketError(
                message: failure.map { "The connection could not be established: \($0)" } ?? "The connection could not be established.",
                code: CloseCode.abnormalClosure.rawValue, reason: "")
            openedPromise?.fail(error)
            closedPromise.fail(error)
            return
        }
        let end: Result<Void, any Error>
        if wasClean {
            end = .success(())
        } else {
            end = .failure(WebSocketError(
                message: failure.map { "The connection was not closed cleanly: \($0)" } ?? "The connection was not closed cleanly.",
                code: code, reason: reason))
        }
        let (readers, writers, writeRefusal) = lock.withLock {
            // An errored readable drops what it held; a finished one is read to the end.
            let readers = queues.endReadable(end, droppingMessages: !wasClean && queues.readableEnd == nil)
            let writers = queues.refuseWrites(wasClean ? Self.closedStreamError : end.failure)
            return (readers, writers, queues.writeRefusal ?? Self.closedStreamError)
        }
        switch end {
        case .success: closedPromise.succeed(WebSocketStream.CloseInfo(closeCode: code, reason: reason))
        case .failure(let error): closedPromise.fail(error)
        }
        // Readers take the end (or what was handed over) from the queues.
        resume(readers, with: .success(()))
        resume(writers, with: .failure(writeRefusal))
    }

    private func resume(_ waiters: [StreamQueues.Waiter], with result: Result<Void, any Error>) {
        for waiter in waiters { waiter.continuation.resume(with: result) }
    }

    private static let closedStreamError = DOMException(.invalidStateError, "A closed WebSocketStream cannot be written to.")

    private static func streamMessage(_ message: Message) -> WebSocketMessage {
        switch message {
        case .text(let text): .text(text)
        case .binary(let bytes): .binary(Data(buffer: bytes, byteTransferStrategy: .automatic))
        }
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

/// What a task waits for in ``StreamEndpoint``: its list of waiters in the queues, and the
/// answer under the lock that spares the wait.
private protocol StreamWait {
    static var waiters: WritableKeyPath<StreamQueues, [StreamQueues.Waiter]> { get }
    static func answerNow(_ queues: inout StreamQueues) -> Result<Void, any Error>?
}
