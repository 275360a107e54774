import Foundation
import NIOCore
import NIOFoundationCompat
import WebSocketCore

/// What stands behind a stream's `opened`, `closed`, readable and writable, in both roles
/// (`WebSocketStream` and the server's `WebSocketConnection`): the WebSocketStream proposal's
/// feedback from the protocol, its stream operations and "close the WebSocket".
///
/// Its state lives on the connection's event loop: the async API hops there, and the driver's
/// reports arrive there, which is what makes the `@unchecked Sendable` sound. Every wait is an
/// event-loop promise, completed there exactly once, so that a message is never both handed to
/// a reader and lost to a cancellation.
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
    private let readBufferLimit: Int
    private let writeBufferLimit: Int
    /// Fails the connection while it is not established (the client's transport).
    private let failBeforeEstablished: @Sendable () -> Void
    /// Runs when the last reference goes: closes the connection (§7 of the standard, for streams).
    private let disappeared: @Sendable () -> Void

    private var state: State
    private var closingHandshakeStarted = false
    private var wasEverConnected = false
    private var handshakeAborted = false
    /// Unsent data was pending when the peer's Close arrived: the close is not clean.
    private var unsentDataAtPeerClose = false

    // Readable.
    private var messages = CircularBuffer<Message>()
    private var bufferedByteCount = 0
    private var readers: [EventLoopPromise<Message?>] = []
    /// `nil` while messages can still come; then `.success` (finished) or the error.
    private var readableEnd: Result<Void, any Error>?

    // Writable.
    private var writers: [EventLoopPromise<Void>] = []
    /// What every later write throws once set.
    private var writeRefusal: (any Error)?

    private let openedPromise: EventLoopPromise<Established>
    private let closedPromise: EventLoopPromise<WebSocketStream.CloseInfo>

    /// A client endpoint, connecting.
    init(
        eventLoop: any EventLoop, options: WebSocket.Options,
        failBeforeEstablished: @escaping @Sendable () -> Void, disappeared: @escaping @Sendable () -> Void
    ) {
        self.eventLoop = eventLoop
        self.readBufferLimit = options.readBufferLimit
        self.writeBufferLimit = options.writeBufferLimit
        self.failBeforeEstablished = failBeforeEstablished
        self.disappeared = disappeared
        self.state = .connecting
        self.openedPromise = eventLoop.makePromise()
        self.closedPromise = eventLoop.makePromise()
    }

    /// A server endpoint, open from the start on `driver`.
    init(driver: ConnectionDriver, readBufferLimit: Int, writeBufferLimit: Int, established: Established) {
        self.eventLoop = driver.eventLoop
        self.readBufferLimit = readBufferLimit
        self.writeBufferLimit = writeBufferLimit
        self.failBeforeEstablished = {}
        self.disappeared = {}
        self.state = .open(driver)
        self.wasEverConnected = true
        self.openedPromise = driver.eventLoop.makePromise()
        self.closedPromise = driver.eventLoop.makePromise()
        openedPromise.succeed(established)
    }

    deinit {
        disappeared()
        // Fulfil what nobody can wait for any more, so NIO does not report leaked promises.
        let error = WebSocketError(message: "The stream was deallocated.", code: nil, reason: "")
        openedPromise.fail(error)
        closedPromise.fail(error)
    }

    // MARK: The API (any thread)

    var opened: Established {
        get async throws { try await openedPromise.futureResult.valueCancellably() }
    }

    var closed: WebSocketStream.CloseInfo {
        get async throws { try await closedPromise.futureResult.valueCancellably() }
    }

    /// The next message, or `nil` once the readable is finished. Cancelling the waiting task
    /// ends the wait with `CancellationError` and leaves the connection as it is.
    func next() async throws -> WebSocketMessage? {
        try Task.checkCancellation()
        // On the event loop already (a server handler runs there): take a buffered message at once.
        if eventLoop.inEventLoop, let available = takeAvailable() {
            return try available.get().map(Self.streamMessage)
        }
        let promise = eventLoop.makePromise(of: Message?.self)
        // Registered before the cancellation handler can run: the event loop keeps this order.
        eventLoop.execute { self.read(into: promise) }
        let message = try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            self.eventLoop.execute { self.withdraw(promise, from: \.readers) }
        }
        return message.map(Self.streamMessage)
    }

    /// The proposal's "write": sends `message`, then waits while more than the write buffer
    /// limit is unsent. Cancelling the wait does not unsend the message.
    func write(_ message: Message, byteCount: Int) async throws {
        try Task.checkCancellation()
        // On the event loop already: send now, and return at once below the write buffer limit.
        if eventLoop.inEventLoop {
            switch send(message, byteCount: byteCount) {
            case .sent: return
            case .refused(let error): throw error
            case .mustWait: break
            }
            let promise = eventLoop.makePromise(of: Void.self)
            writers.append(promise)
            return try await waitForWriteBuffer(promise)
        }
        let promise = eventLoop.makePromise(of: Void.self)
        eventLoop.execute {
            switch self.send(message, byteCount: byteCount) {
            case .sent: promise.succeed(())
            case .refused(let error): promise.fail(error)
            case .mustWait: self.writers.append(promise)
            }
        }
        try await waitForWriteBuffer(promise)
    }

    private func waitForWriteBuffer(_ promise: EventLoopPromise<Void>) async throws {
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            self.eventLoop.execute { self.withdraw(promise, from: \.writers) }
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
        eventLoop.execute {
            self.messages.removeAll()
            self.bufferedByteCount = 0
            if self.readableEnd == nil { self.readableEnd = .success(()) }
            self.settleReaders()
        }
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
            self.openedPromise.fail(error)
            self.closedPromise.fail(error)
        }
    }

    /// Rejects `opened` and `closed` for a signal aborted before construction.
    func rejectAsAborted() {
        let error = DOMException(.abortError, "The WebSocketStream's signal was already aborted.")
        handshakeAborted = true
        state = .closed
        openedPromise.fail(error)
        closedPromise.fail(error)
    }

    // MARK: Feedback from the protocol (on the event loop)

    func handle(_ event: TransportEvent) {
        switch event {
        case .established(let subprotocol, let extensions, let driver):
            guard case .connecting = state, !handshakeAborted else { return }
            state = .open(driver)
            wasEverConnected = true
            openedPromise.succeed(Established(extensions: extensions, protocol: subprotocol))
        case .message(let message):
            receive(message)
        case .closingHandshakeStarted:
            guard case .open(let driver) = state else { return }
            if !writers.isEmpty || driver.unsentByteCount > 0 { unsentDataAtPeerClose = true }
            closingStarted(driver: driver)
        case .transmitted:
            releaseWriters()
        case .closed(let code, let reason, let wasClean, let failure, _):
            connectionClosed(code: code, reason: reason, wasClean: wasClean && !unsentDataAtPeerClose, failure: failure)
        }
    }

    // MARK: Inside (on the event loop)

    /// The proposal's "handle a WebSocketStream message", then "apply backpressure" when the
    /// readable holds more than its limit.
    private func receive(_ message: Message) {
        guard case .open(let driver) = state, !closingHandshakeStarted, readableEnd == nil else { return }
        if !readers.isEmpty {
            readers.removeFirst().succeed(message)
            return
        }
        messages.append(message)
        bufferedByteCount += Self.byteCount(of: message)
        if bufferedByteCount > readBufferLimit { driver.pauseReading() }
    }

    /// A reader asks: a buffered message, the end, or a wait; taking one may release backpressure
    /// (the proposal's "pull bytes").
    private func read(into promise: EventLoopPromise<Message?>) {
        if let available = takeAvailable() {
            promise.completeWith(available)
        } else {
            readers.append(promise)
        }
    }

    /// A buffered message or the readable's end; `nil` when a reader has to wait.
    private func takeAvailable() -> Result<Message?, any Error>? {
        if let message = messages.popFirst() {
            bufferedByteCount -= Self.byteCount(of: message)
            if bufferedByteCount <= readBufferLimit, case .open(let driver) = state { driver.resumeReading() }
            return .success(message)
        }
        switch readableEnd {
        case .success?: return .success(nil)
        case .failure(let error)?: return .failure(error)
        case nil: return nil
        }
    }

    private enum SendOutcome {
        case sent, mustWait
        case refused(any Error)
    }

    /// Sends `message`; whether the writer may go on now or waits for the buffer to drain.
    private func send(_ message: Message, byteCount: Int) -> SendOutcome {
        if let writeRefusal { return .refused(writeRefusal) }
        guard case .open(let driver) = state, !closingHandshakeStarted else { return .refused(Self.closedStreamError) }
        driver.send(message, byteCount: UInt64(byteCount))
        return driver.unsentByteCount <= UInt64(writeBufferLimit) ? .sent : .mustWait
    }

    private func releaseWriters() {
        guard case .open(let driver) = state, driver.unsentByteCount <= UInt64(writeBufferLimit) else { return }
        let released = writers
        writers.removeAll()
        for writer in released { writer.succeed(()) }
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
            driver.startTheClosingHandshake(code: request.code, reason: request.reason)
            closingStarted(driver: driver)
        }
    }

    /// The closing handshake started, by either side: pending writes fail, and later messages
    /// are no longer handed out, so reading resumes to let the peer's Close in.
    private func closingStarted(driver: ConnectionDriver) {
        guard !closingHandshakeStarted else { return }
        closingHandshakeStarted = true
        if !writers.isEmpty {
            writeRefusal = Self.closedStreamError
            failWriters(with: Self.closedStreamError)
        }
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
            openedPromise.fail(error)
            closedPromise.fail(error)
            return
        }
        if wasClean {
            if readableEnd == nil { readableEnd = .success(()) }
            if writeRefusal == nil { writeRefusal = Self.closedStreamError }
            closedPromise.succeed(WebSocketStream.CloseInfo(closeCode: code, reason: reason))
        } else {
            let error = WebSocketError(
                message: failure.map { "The connection was not closed cleanly: \($0)" } ?? "The connection was not closed cleanly.",
                code: code, reason: reason)
            if readableEnd == nil {
                messages.removeAll()  // the readable errors: what it held is dropped
                bufferedByteCount = 0
                readableEnd = .failure(error)
            }
            if writeRefusal == nil { writeRefusal = error }
            closedPromise.fail(error)
        }
        settleReaders()
        failWriters(with: writeRefusal ?? Self.closedStreamError)
    }

    /// Answers waiting readers once the readable has ended (they only wait when nothing is buffered).
    private func settleReaders() {
        let waiting = readers
        readers.removeAll()
        for reader in waiting { read(into: reader) }
    }

    private func failWriters(with error: any Error) {
        let waiting = writers
        writers.removeAll()
        for writer in waiting { writer.fail(error) }
    }

    /// A cancelled wait: fails the promise if it is still waiting (otherwise its value stands).
    private func withdraw<Value>(_ promise: EventLoopPromise<Value>, from list: ReferenceWritableKeyPath<StreamEndpoint, [EventLoopPromise<Value>]>) {
        guard let index = self[keyPath: list].firstIndex(where: { $0.futureResult === promise.futureResult }) else { return }
        self[keyPath: list].remove(at: index)
        promise.fail(CancellationError())
    }

    private static let closedStreamError = DOMException(.invalidStateError, "A closed WebSocketStream cannot be written to.")

    private static func byteCount(of message: Message) -> Int {
        switch message {
        case .text(let text): text.utf8.count
        case .binary(let bytes): bytes.readableBytes
        }
    }

    private static func streamMessage(_ message: Message) -> WebSocketMessage {
        switch message {
        case .text(let text): .text(text)
        case .binary(let bytes): .binary(Data(buffer: bytes, byteTransferStrategy: .automatic))
        }
    }
}
