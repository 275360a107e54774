public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import WebSocketCore

/// A WebSocket connection with the browser's API: the WHATWG WebSockets Standard's `WebSocket`
/// interface, in Swift.
///
/// ```swift
/// let socket = try WebSocket("wss://example.com/chat", protocols: ["chat.v2"])
/// socket.onopen = { _ in try? socket.send("hello") }
/// socket.onmessage = { event in print(event.data) }
/// socket.onclose = { event in print(event.code, event.reason, event.wasClean) }
/// ```
///
/// Events are delivered one at a time, in order, on ``Options/eventQueue`` (the main queue by
/// default), as the standard's "queue a task" does in a browser: handlers attached on that
/// queue in the same turn that created the socket never miss an event. For the most messages
/// per CPU second, ``Options/deliversEventsOnEventLoop`` runs them on the connection's thread.
///
/// A socket that is connecting, open or closing keeps itself alive while it has listeners for
/// events that can still come, or data waiting to be sent (§7 "Garbage collection"); dropping
/// the last reference to an open socket without such listeners starts the closing handshake.
/// Once the `close` event has fired, the socket lets go of its listeners, so closures that
/// capture the socket do not keep it alive forever.
public final class WebSocket: @unchecked Sendable {
    // `@unchecked`: the mutable state below is only touched under `lock`; listeners have their own lock.
    private let record: WebSocketURL
    /// The URL's origin, serialised once: every message event carries it.
    private let origin: String
    private let options: Options
    private let listeners = EventListeners()
    private let transport: ClientTransport
    /// Where the connection runs, and events too with ``Options/deliversEventsOnEventLoop``.
    private let eventLoop: any EventLoop
    private let lock = NSLock()
    private var state = ReadyState.connecting
    private var queuedByteCount: UInt64 = 0
    private var extensionsInUse = ""
    private var subprotocolInUse = ""
    private var binaryTypeValue = BinaryType.blob
    private var failureValue: Failure?
    /// Tasks queued and not yet run, in order; one block on the event queue runs them all.
    private var pendingTasks: [TransportEvent] = []
    /// The socket's reference to itself while §7 says it must not be collected.
    private var keepAlive: WebSocket?
    /// Whether listeners for the events of the current state keep the socket alive (§7).
    /// Kept apart because only the listeners and the state change it, where queued data
    /// changes with every send and flush.
    private var listenersKeepAlive = false

    /// The `new WebSocket(url, protocols)` constructor steps (WHATWG WebSockets §3.1).
    ///
    /// - Throws: `SyntaxError` for a URL that does not parse, has a scheme other than `ws`,
    ///   `wss`, `http` or `https`, or has a fragment; for a protocol that is not a token or is
    ///   listed twice. Then the connection starts in the background.
    public init(_ url: String, protocols: [String] = [], options: Options = Options()) throws(DOMException) {
        let request = try ClientRequest(url, protocols: protocols, options: options)
        record = request.url
        origin = request.url.origin
        self.options = options
        // Created on an event loop's thread, a socket whose events run on its event loop runs
        // on that one: handlers attached in the same turn are then in place for every event.
        eventLoop = options.deliversEventsOnEventLoop
            ? MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
            : MultiThreadedEventLoopGroup.singleton.next()
        let report = WeakReport()
        transport = ClientTransport(handshake: request.handshake, options: options, cookies: request.cookies, eventLoop: eventLoop, report: report.callAsFunction)
        report.socket = self
        transport.connect(to: record)
    }

    /// `new WebSocket(url, protocol)`: one subprotocol.
    public convenience init(_ url: String, protocol: String, options: Options = Options()) throws(DOMException) {
        try self.init(url, protocols: [`protocol`], options: options)
    }

    /// `new WebSocket(url, protocols)` with a Foundation `URL`.
    public convenience init(_ url: URL, protocols: [String] = [], options: Options = Options()) throws(DOMException) {
        try self.init(url.absoluteString, protocols: protocols, options: options)
    }

    deinit {
        transport.enqueue(.callerDisappeared)
    }

    // MARK: Attributes

    /// The URL, serialised: scheme `ws` or `wss`, lower-case host, no default port.
    public var url: String { record.serialized }

    /// The ready state; it changes when the standard's tasks run on the event queue, except
    /// that ``close(code:reason:)`` sets CLOSING at once.
    public var readyState: ReadyState { lock.withLock { state } }

    /// Bytes of application data accepted by `send` and not yet written to the network. It
    /// keeps growing after the closing handshake started: nothing more is sent, but everything
    /// passed to `send` is counted (WHATWG WebSockets §3.1).
    public var bufferedAmount: UInt64 { lock.withLock { queuedByteCount } }

    /// The extensions the server accepted, as in its `Sec-WebSocket-Extensions` header.
    public var extensions: String { lock.withLock { extensionsInUse } }

    /// The subprotocol the server selected, or the empty string.
    public var `protocol`: String { lock.withLock { subprotocolInUse } }

    /// How binary messages are delivered; read when each message event is created.
    public var binaryType: BinaryType {
        get { lock.withLock { binaryTypeValue } }
        set { lock.withLock { binaryTypeValue = newValue } }
    }

    /// Why the connection failed or was lost, if it was: the detail the standard keeps from
    /// events. It is also set when the connection was closed uncleanly without being failed —
    /// TCP lost after the connection was established, or our Close left unanswered — for which
    /// the standard fires only `close`, not `error`.
    public var failure: Failure? { lock.withLock { failureValue } }

    // MARK: Methods

    /// Sends a text message (WHATWG WebSockets §3.1 `send()`); `bufferedAmount` grows by its UTF-8 length.
    ///
    /// - Throws: `InvalidStateError` while the socket is connecting.
    public func send(_ data: String) throws(DOMException) {
        try send(.text(data))
    }

    /// Sends a binary message.
    public func send(_ data: Data) throws(DOMException) {
        try send(.binary(data))
    }

    /// Sends a binary message.
    public func send(_ data: [UInt8]) throws(DOMException) {
        try send(.bytes(data))
    }

    /// Sends a binary message with the blob's bytes.
    public func send(_ blob: Blob) throws(DOMException) {
        try send(.binary(blob.data()))
    }

    /// The `close(code, reason)` method steps (WHATWG WebSockets §3.1).
    ///
    /// - Throws: `InvalidAccessError` for a code other than 1000 or 3000–4999; `SyntaxError`
    ///   for a reason longer than 123 bytes of UTF-8.
    public func close(code: UInt16? = nil, reason: String? = nil) throws(DOMException) {
        let request = try CloseRequest(code: code, reason: reason)
        let previous = lock.withLock {
            defer { if state == .connecting || state == .open { state = .closing } }
            return state
        }
        switch previous {
        case .closing, .closed:
            return
        case .connecting:
            transport.enqueue(.fail(.closedBeforeEstablished))
        case .open:
            transport.enqueue(.startTheClosingHandshake(code: request.code, reason: request.reason))
        }
        updateKeepAlive()
    }

    // MARK: Events

    /// Adds a listener for events of `type` (`"open"`, `"message"`, `"error"`, `"close"`) and
    /// returns the token that removes it; with `once`, it is removed before its first call.
    @discardableResult
    public func addEventListener(_ type: String, once: Bool = false, _ listener: @escaping @Sendable (Event) -> Void)
        -> EventListenerToken
    {
        defer { updateKeepAlive() }
        return listeners.addEventListener(type, once: once, listener)
    }

    /// Removes the listener `token` was returned for; nothing happens if it is already gone.
    public func removeEventListener(_ token: EventListenerToken) {
        listeners.removeEventListener(token)
        updateKeepAlive()
    }

    /// The `open` event handler.
    public var onopen: (@Sendable (Event) -> Void)? {
        get { listeners.eventHandler(for: "open") }
        set { listeners.setEventHandler("open", newValue); updateKeepAlive() }
    }

    /// The `message` event handler.
    public var onmessage: (@Sendable (MessageEvent) -> Void)? {
        get { listeners.eventHandler(for: "message", as: MessageEvent.self) }
        set { listeners.setEventHandler("message", newValue); updateKeepAlive() }
    }

    /// The `error` event handler; ``failure`` says what went wrong.
    public var onerror: (@Sendable (Event) -> Void)? {
        get { listeners.eventHandler(for: "error") }
        set { listeners.setEventHandler("error", newValue); updateKeepAlive() }
    }

    /// The `close` event handler.
    public var onclose: (@Sendable (CloseEvent) -> Void)? {
        get { listeners.eventHandler(for: "close", as: CloseEvent.self) }
        set { listeners.setEventHandler("close", newValue); updateKeepAlive() }
    }

    // MARK: Inside

    private func send(_ message: OutgoingMessage) throws(DOMException) {
        let byteCount = UInt64(message.byteCount)
        enum Outcome { case refuse, send, drop, flagAsFull }
        let outcome: Outcome = lock.withLock {
            guard state != .connecting else { return .refuse }
            let firstQueued = queuedByteCount == 0 && byteCount > 0
            queuedByteCount += byteCount
            if firstQueued { keepAliveForQueuedData() }  // queued data keeps the socket alive (§7)
            guard state == .open else { return .drop }
            return queuedByteCount > options.maxBufferedAmount ? .flagAsFull : .send
        }
        switch outcome {
        case .refuse:
            throw DOMException(.invalidStateError, "The socket is still connecting; wait for the open event before sending.")
        case .send: transport.enqueue(.send(message, byteCount: byteCount))
        case .flagAsFull: transport.enqueue(.fail(.bufferFull))
        case .drop: break
        }
    }

    /// Runs the task for what the transport reported (WHATWG WebSockets §4), on the event queue.
    /// Events that arrive while earlier ones wait to run — all those of one read from the
    /// network, typically — share one hop to the queue; each still runs as a task of its own.
    fileprivate func queueTask(for event: TransportEvent) {
        let first = lock.withLock {
            pendingTasks.append(event)
            return pendingTasks.count == 1
        }
        guard first else { return }
        if options.deliversEventsOnEventLoop {
            eventLoop.execute { self.runPendingTasks() }
        } else {
            options.eventQueue.async { self.runPendingTasks() }
        }
    }

    /// Runs the queued tasks; what their handlers send goes to the network in one hop.
    private func runPendingTasks() {
        let tasks = lock.withLock {
            defer { pendingTasks.removeAll(keepingCapacity: true) }
            return pendingTasks
        }
        transport.holdCommands()
        defer { transport.releaseCommands() }
        for task in tasks { runTask(for: task) }
    }

    private func runTask(for event: TransportEvent) {
        switch event {
        case .established(let subprotocol, let extensions, _):
            // close() during CONNECTING already failed the connection: no open event then.
            let opened = lock.withLock {
                guard state == .connecting else { return false }
                (state, subprotocolInUse, extensionsInUse) = (.open, subprotocol, extensions)
                return true
            }
            if opened { listeners.dispatch(Event(type: "open")) }
        case .message(let message):
            let (current, binaryType) = lock.withLock { (state, binaryTypeValue) }
            guard current == .open else { return }
            listeners.dispatch(MessageEvent(data: Self.dataForEvent(message, binaryType: binaryType), origin: origin))
            return  // nothing §7 looks at has changed
        case .closingHandshakeStarted:
            lock.withLock { if state == .open { state = .closing } }
        case .transmitted(let byteCount):
            lock.withLock {
                queuedByteCount -= min(byteCount, queuedByteCount)
                if queuedByteCount == 0 { keepAliveForQueuedData() }
            }
            return
        case .closed(let code, let reason, let wasClean, let failure, let failed):
            lock.withLock {
                state = .closed
                failureValue = failure
            }
            if failed { listeners.dispatch(Event(type: "error")) }
            listeners.dispatch(CloseEvent(wasClean: wasClean, code: code, reason: reason))
            listeners.removeAll()
        }
        updateKeepAlive()
    }

    private static func dataForEvent(_ message: Message, binaryType: BinaryType) -> MessageEvent.Data {
        switch (message, binaryType) {
        case (.text(let text), _): .text(text)
        case (.binary(let bytes), .arraybuffer): .arrayBuffer(Data(buffer: bytes, byteTransferStrategy: .automatic))
        case (.binary(let bytes), .blob): .blob(Blob(Data(buffer: bytes, byteTransferStrategy: .automatic)))
        }
    }

    /// WHATWG WebSockets §7: the socket must not be collected while listeners can still get
    /// events, or while an established connection has data queued.
    private func updateKeepAlive() {
        let current = lock.withLock { state }
        let listening = Self.eventsThatKeepAlive(current).contains(where: listeners.hasListeners(for:))
        lock.withLock {
            listenersKeepAlive = listening
            keepAliveForQueuedData()
        }
    }

    /// Under `lock`: ``updateKeepAlive()`` after only the queued data changed.
    private func keepAliveForQueuedData() {
        let needed = listenersKeepAlive || (state != .closed && queuedByteCount > 0)
        if needed != (keepAlive != nil) { keepAlive = needed ? self : nil }
    }

    private static func eventsThatKeepAlive(_ state: ReadyState) -> [String] {
        switch state {
        case .connecting: connectingEvents
        case .open: openEvents
        case .closing: closingEvents
        case .closed: []
        }
    }

    private static let connectingEvents = ["open", "message", "error", "close"]
    private static let openEvents = ["message", "error", "close"]
    private static let closingEvents = ["error", "close"]
}

/// Hands transport events to the socket without keeping it alive: the socket's own
/// `keepAlive` decides that.
private final class WeakReport: @unchecked Sendable {
    // `@unchecked`: `socket` is set once, before the transport can report anything.
    weak var socket: WebSocket?

    func callAsFunction(_ event: TransportEvent) {
        socket?.queueTask(for: event)
    }
}
