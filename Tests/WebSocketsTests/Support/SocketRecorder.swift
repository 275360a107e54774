import Foundation
import Testing
@testable import WebSockets

/// A `WebSocket` created on its own serial event queue with listeners for every event attached
/// in the same turn, recording what each event saw — the way a page's script observes a socket.
final class SocketRecorder: Sendable {
    /// One event as a listener saw it, with the ready state at that moment.
    enum Seen: Equatable, Sendable, CustomStringConvertible {
        case open(protocol: String, extensions: String, readyState: WebSocket.ReadyState)
        case message(MessageEvent.Data, origin: String)
        case error(readyState: WebSocket.ReadyState)
        case close(code: UInt16, reason: String, wasClean: Bool, readyState: WebSocket.ReadyState)

        var description: String {
            switch self {
            case .open(let p, let e, let s): "open(protocol: \(p), extensions: \(e), \(s))"
            case .message(let data, let origin): "message(\(data), origin: \(origin))"
            case .error(let s): "error(\(s))"
            case .close(let code, let reason, let clean, let s): "close(\(code), \"\(reason)\", clean: \(clean), \(s))"
            }
        }
    }

    let socket: WebSocket
    let queue: DispatchQueue
    private let seen = LockedValue<[Seen]>([])

    /// Creates the socket on a new serial queue and attaches the recording listeners in the same turn.
    init(_ url: String, protocols: [String] = [], options: WebSocket.Options = WebSocket.Options()) throws {
        let queue = DispatchQueue(label: "test.socket.events")
        var options = options
        options.eventQueue = queue
        self.queue = queue
        let seen = self.seen
        socket = try queue.sync { () throws -> WebSocket in
            let socket = try WebSocket(url, protocols: protocols, options: options)
            socket.onopen = { [unowned socket] _ in
                dispatchPrecondition(condition: .onQueue(queue))
                seen.withLock { $0.append(.open(protocol: socket.protocol, extensions: socket.extensions, readyState: socket.readyState)) }
            }
            socket.onmessage = { event in
                dispatchPrecondition(condition: .onQueue(queue))
                seen.withLock { $0.append(.message(event.data, origin: event.origin)) }
            }
            socket.onerror = { [unowned socket] _ in
                seen.withLock { $0.append(.error(readyState: socket.readyState)) }
            }
            socket.onclose = { [unowned socket] event in
                seen.withLock { $0.append(.close(code: event.code, reason: event.reason, wasClean: event.wasClean, readyState: socket.readyState)) }
            }
            return socket
        }
    }

    /// Everything seen so far.
    var events: [Seen] { seen.current }

    /// Waits (bounded) until `condition` holds for the events, and returns them.
    @discardableResult
    func waitUntil(timeout: Duration = .seconds(15), _ condition: ([Seen]) -> Bool) async throws -> [Seen] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let events = seen.current
            if condition(events) { return events }
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out; events so far: \(events)")
                return events
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits for the `close` event and returns every event.
    @discardableResult
    func waitForClose(timeout: Duration = .seconds(15)) async throws -> [Seen] {
        try await waitUntil(timeout: timeout) { $0.contains { if case .close = $0 { true } else { false } } }
    }

    /// Waits for the `open` event.
    func waitForOpen(timeout: Duration = .seconds(15)) async throws {
        try await waitUntil(timeout: timeout) { !$0.isEmpty }
        #expect(events.first.map { if case .open = $0 { true } else { false } } == true, "\(events)")
    }

    /// Runs `body` on the event queue, as a handler would.
    func onQueue<Result: Sendable>(_ body: @Sendable () throws -> Result) rethrows -> Result {
        try queue.sync(execute: body)
    }

    /// The events a failed connection must produce, whatever the failure (WHATWG WebSockets §4).
    static let failed: [Seen] = [.error(readyState: .closed), .close(code: 1006, reason: "", wasClean: false, readyState: .closed)]
}
