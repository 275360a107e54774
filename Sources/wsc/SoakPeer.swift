import Foundation
import WebSockets

/// One `wsc soak` connection, on either of the library's client APIs.
protocol SoakPeer: Sendable {
    var extensions: String { get }
    func send(_ message: WebSocketMessage) async throws
    /// The next message, or `nil` once the connection ended cleanly.
    func receive() async throws -> WebSocketMessage?
    /// Runs the closing handshake with this code and reason; returns the code and reason the
    /// server answered with, or throws if the close was not clean.
    func close(code: UInt16, reason: String) async throws -> (code: UInt16, reason: String)
    /// Ends the connection now (a session that overran its time).
    func abort()
}

/// A `WebSocketStream` connection.
struct StreamSoakPeer: SoakPeer {
    let stream: WebSocketStream
    let opened: WebSocketStream.OpenInfo

    static func open(_ url: String, options: WebSocket.Options) async throws -> StreamSoakPeer {
        let stream = try WebSocketStream(url, options: options)
        return StreamSoakPeer(stream: stream, opened: try await stream.opened)
    }

    var extensions: String { opened.extensions }

    func send(_ message: WebSocketMessage) async throws { try await opened.writable.write(message) }

    func receive() async throws -> WebSocketMessage? {
        // Iterators share one queue, so a fresh one per message reads on where the last stopped.
        var messages = opened.readable.makeAsyncIterator()
        return try await messages.next()
    }

    func close(code: UInt16, reason: String) async throws -> (code: UInt16, reason: String) {
        try stream.close(closeCode: code, reason: reason)
        let info = try await stream.closed
        return (info.closeCode ?? 1005, info.reason)
    }

    func abort() { opened.readable.cancel() }
}

/// A browser-API `WebSocket` connection: its events feed an `AsyncStream` of messages.
final class SocketSoakPeer: SoakPeer, @unchecked Sendable {
    // `@unchecked`: `socket` is set once before any event can run; `opening`, `closeEvent`
    // and `closing` are guarded by `lock`.
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "wsc.soak.connection")
    private var socket: WebSocket!
    private let messages: AsyncStream<WebSocketMessage>
    private let incoming: AsyncStream<WebSocketMessage>.Continuation
    private var opening: CheckedContinuation<Void, any Error>?
    private var closeEvent: CloseEvent?
    private var closing: CheckedContinuation<CloseEvent, Never>?

    private init() { (messages, incoming) = AsyncStream.makeStream() }

    static func open(_ url: String, options: WebSocket.Options) async throws -> SocketSoakPeer {
        let peer = SocketSoakPeer()
        let options = { var options = options; options.eventQueue = peer.queue; return options }()
        try await withCheckedThrowingContinuation { continuation in
            // Created on its event queue, so that no event runs before the handlers are set.
            peer.queue.async {
                do {
                    peer.lock.withLock { peer.opening = continuation }
                    try peer.connect(url, options: options)
                } catch {
                    peer.lock.withLock { peer.opening = nil }
                    continuation.resume(throwing: error)
                }
            }
        }
        return peer
    }

    private func connect(_ url: String, options: WebSocket.Options) throws {
        let socket = try WebSocket(url, options: options)
        socket.binaryType = .arraybuffer
        // The handlers hold the peer: the socket lets them go once it closed.
        socket.onopen = { _ in
            self.lock.withLock { defer { self.opening = nil }; return self.opening }?.resume()
        }
        socket.onmessage = { event in
            switch event.data {
            case .text(let text): self.incoming.yield(.text(text))
            case .arrayBuffer(let bytes): self.incoming.yield(.binary(bytes))
            case .blob(let blob): self.incoming.yield(.binary(blob.data()))
            }
        }
        socket.onclose = { event in
            self.incoming.finish()
            let (opening, closing) = self.lock.withLock {
                self.closeEvent = event
                defer { (self.opening, self.closing) = (nil, nil) }
                return (self.opening, self.closing)
            }
            opening?.resume(throwing: SoakFailure("did not open: \(socket.failure.map { "\($0)" } ?? "closed with \(event.code)")"))
            closing?.resume(returning: event)
        }
        self.socket = socket
    }

    var extensions: String { queue.sync { socket.extensions } }

    func send(_ message: WebSocketMessage) async throws {
        switch message {
        case .text(let text): try socket.send(text)
        case .binary(let bytes): try socket.send(bytes)
        }
    }

    func receive() async throws -> WebSocketMessage? {
        var iterator = messages.makeAsyncIterator()
        return await iterator.next()
    }

    func close(code: UInt16, reason: String) async throws -> (code: UInt16, reason: String) {
        try socket.close(code: code, reason: reason)
        let event = await withCheckedContinuation { continuation in
            let event = lock.withLock {
                if closeEvent == nil { closing = continuation }
                return closeEvent
            }
            if let event { continuation.resume(returning: event) }
        }
        guard event.wasClean else { throw SoakFailure("unclean close \(event.code): \(socket.failure.map { "\($0)" } ?? "")") }
        return (event.code, event.reason)
    }

    func abort() { try? socket.close() }
}

/// What went wrong with a soak connection.
struct SoakFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
