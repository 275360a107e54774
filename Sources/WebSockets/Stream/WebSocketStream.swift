public import Foundation
import NIOCore
import NIOPosix
import WebSocketCore

/// A WebSocket connection with an async API and backpressure both ways: the WHATWG
/// WebSocketStream proposal, in Swift.
///
/// ```swift
/// let stream = try WebSocketStream("wss://example.com/feed", protocols: ["v2"])
/// let opened = try await stream.opened
/// for try await message in opened.readable {
///     try await opened.writable.write(message)
/// }
/// let info = try await stream.closed      // CloseInfo(closeCode: 1000, reason: "bye")
/// ```
///
/// The library stops reading from the socket while the readable holds more than
/// ``WebSocket/Options/readBufferLimit`` bytes, and `write` waits while more than
/// ``WebSocket/Options/writeBufferLimit`` bytes are unsent, so a slow side slows the other down
/// instead of filling memory.
///
/// Dropping every reference to an open stream (the stream and its readable and writable)
/// closes it with a Close frame without a code.
public final class WebSocketStream: Sendable {
    /// The serialised URL ("ws://host:port/path?query").
    public let url: String
    let endpoint: StreamEndpoint

    /// The `new WebSocketStream(url, options)` constructor steps.
    ///
    /// - Parameters:
    ///   - url: A `ws:`, `wss:`, `http:` or `https:` URL, resolved against `options.baseURL`.
    ///   - protocols: Subprotocols to offer, in order of preference.
    ///   - signal: Aborting it before the connection is established fails the connection, and
    ///     `opened` and `closed` throw `AbortError`; a signal already aborted makes no connection
    ///     at all. Aborting later does nothing.
    ///   - options: As for ``WebSocket``; `eventQueue` is not used.
    /// - Throws: `SyntaxError` for a URL or protocol list that `WebSocket` would refuse (never
    ///   for an aborted signal).
    public init(
        _ url: String, protocols: [String] = [], signal: AbortSignal? = nil, options: WebSocket.Options = .init()
    ) throws(DOMException) {
        let request = try ClientRequest(url, protocols: protocols, options: options)
        self.url = request.url.serialized
        // Created on an event loop's thread, it runs there: a task preferring another stream's
        // ``taskExecutor``, or a server's handler, then opens connections without a thread hop.
        let eventLoop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let report = WeakEndpoint()
        let transport = ClientTransport(handshake: request.handshake, options: options, cookies: request.cookies, eventLoop: eventLoop) { event in
            report.endpoint?.handle(event)
        }
        endpoint = StreamEndpoint(
            eventLoop: eventLoop, options: options,
            failBeforeEstablished: { transport.enqueue(.fail(.closedBeforeEstablished)) },
            disappeared: { transport.enqueue(.callerDisappeared) })
        report.endpoint = endpoint
        if let signal {
            let endpoint = self.endpoint
            guard signal.addAbortSteps({ [weak endpoint] in endpoint?.abortHandshake() }) else {
                endpoint.rejectAsAborted()
                return
            }
        }
        transport.connect(to: request.url)
    }

    /// `new WebSocketStream(url)` with a Foundation `URL`.
    public convenience init(
        _ url: URL, protocols: [String] = [], signal: AbortSignal? = nil, options: WebSocket.Options = .init()
    ) throws(DOMException) {
        try self.init(url.absoluteString, protocols: protocols, signal: signal, options: options)
    }

    /// The readable, the writable, and what the server agreed to, once the connection is established.
    ///
    /// - Throws: ``WebSocketError`` (code 1006) if the handshake failed or ``close(closeCode:reason:)``
    ///   was called during it; `DOMException(.abortError)` if the signal aborted it. Cancelling
    ///   the waiting task throws `CancellationError` and leaves the connection as it is.
    public var opened: OpenInfo {
        get async throws {
            let established = try await endpoint.opened
            return OpenInfo(
                readable: Readable(endpoint), writable: Writable(endpoint),
                extensions: established.extensions, protocol: established.protocol)
        }
    }

    /// How the connection closed: the peer's code (1005 for a Close frame without one) and reason.
    ///
    /// - Throws: ``WebSocketError`` when it did not close cleanly (code 1006, or the peer's code):
    ///   TCP lost without a Close, an unanswered Close, a protocol violation, or unsent data
    ///   still pending when the peer's Close arrived; as ``opened`` for a connection never
    ///   established. Cancelling the waiting task throws `CancellationError` and leaves the
    ///   connection as it is.
    public var closed: CloseInfo {
        get async throws { try await endpoint.closed }
    }

    /// The connection's event loop as a task executor. A task that prefers it
    /// (`Task(executorPreference: stream.taskExecutor) { … }`, or `withTaskExecutorPreference`)
    /// reads and writes on the thread that runs the connection, so no message crosses a
    /// thread: the cheapest way to run many small messages. Such a task must not block, or
    /// it stops every connection sharing that thread. A stream created in such a task (or on
    /// any event loop's thread, as in a server's handler) runs on that same event loop.
    @available(macOS 15, iOS 18, tvOS 18, watchOS 11, *)
    public var taskExecutor: any TaskExecutor { EventLoopTaskExecutor(endpoint.eventLoop) }

    /// The `close(closeInfo)` method steps: validates, then starts the closing handshake (or
    /// fails a connection still being established); does nothing once closing has started.
    /// Without a code and reason the Close frame has no body; a reason without a code sends 1000.
    ///
    /// - Throws: `InvalidAccessError` for a code other than 1000 or 3000–4999; `SyntaxError` for
    ///   a reason longer than 123 bytes of UTF-8.
    public func close(closeCode: UInt16? = nil, reason: String? = nil) throws(DOMException) {
        endpoint.closeTheWebSocket(try CloseRequest(code: closeCode, reason: reason))
    }
}

/// Hands transport events to the endpoint without keeping it alive: dropping the stream's last
/// reference must close the connection.
private final class WeakEndpoint: @unchecked Sendable {
    // `@unchecked`: `endpoint` is set once, before the transport can report anything.
    weak var endpoint: StreamEndpoint?
}
