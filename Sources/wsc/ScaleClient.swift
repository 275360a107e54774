import Foundation
import NIOCore
import NIOPosix
import WebSockets

/// One connection of `wsc scale`. It runs on one event loop: the socket is created there and
/// delivers its events there (`deliversEventsOnEventLoop`), and its timer fires there, so its
/// state needs no lock.
final class ScaleClient: @unchecked Sendable {
    // `@unchecked`: the mutable state is touched only on `eventLoop`.
    private let eventLoop: any EventLoop
    private let tally: ScaleTally
    private var socket: WebSocket?
    private let opened: EventLoopPromise<Void>
    private let closed: EventLoopPromise<CloseEvent>
    private var timer: RepeatedTask?
    private var isOpen = false
    private var closing = false
    /// The message on its way and when it left; one at a time, so an echo is matched exactly.
    private var pending: (text: String, sentAt: UInt64)?
    private var sequence = 0

    private init(eventLoop: any EventLoop, tally: ScaleTally) {
        self.eventLoop = eventLoop
        self.tally = tally
        opened = eventLoop.makePromise()
        closed = eventLoop.makePromise()
    }

    /// Opens a connection on one of the shared event loops; throws what failed it.
    static func open(_ url: String, options: WebSocket.Options, tally: ScaleTally) async throws -> ScaleClient {
        let client = ScaleClient(eventLoop: MultiThreadedEventLoopGroup.singleton.next(), tally: tally)
        client.eventLoop.execute { client.connect(url, options: options) }
        try await client.opened.futureResult.get()
        return client
    }

    /// Sends a message every `interval`, the first after a random part of it so that the
    /// connections' messages spread evenly over time.
    func start(interval: TimeAmount, size: Int) {
        eventLoop.execute { [self] in
            let offset = TimeAmount.nanoseconds(.random(in: 0..<interval.nanoseconds))
            timer = eventLoop.scheduleRepeatedTask(initialDelay: offset, delay: interval) { _ in self.sendNext(size: size) }
        }
    }

    /// Stops sending; returns once no more will be sent. The message on its way, if any, may
    /// still come back.
    func stop() async {
        try? await eventLoop.submit { [self] in
            timer?.cancel()
            timer = nil
        }.get()
    }

    /// Closes with 1000 and returns the close event (the socket's close timeout bounds the wait).
    func close() async -> CloseEvent? {
        eventLoop.execute { [self] in
            closing = true
            try? socket?.close(code: 1000)
        }
        return try? await closed.futureResult.get()
    }

    private func connect(_ url: String, options: WebSocket.Options) {
        let socket: WebSocket
        do {
            socket = try WebSocket(url, options: options)
        } catch {
            return opened.fail(error)
        }
        // The handlers hold the client: the socket lets them go once it has closed.
        socket.onopen = { _ in
            self.isOpen = true
            self.opened.succeed()
        }
        socket.onmessage = { event in self.received(event.data) }
        socket.onclose = { event in
            guard self.isOpen else {
                self.opened.fail(socket.failure.map { $0 as any Error } ?? ScaleFailure.closedWhileOpening(event.code))
                return self.closed.succeed(event)
            }
            if !self.closing { self.tally.closedUnexpectedly(code: event.code, messageOnItsWay: self.pending != nil) }
            self.pending = nil
            self.timer?.cancel()
            self.closed.succeed(event)
        }
        self.socket = socket
    }

    private func sendNext(size: Int) {
        guard pending == nil else { return tally.skipped() }
        sequence += 1
        let head = "\(sequence) "
        let text = head + String(repeating: "x", count: max(0, size - head.utf8.count))
        do {
            try socket?.send(text)
            pending = (text, BenchClock.now())
            tally.sent()
        } catch {
            tally.sendFailed()
        }
    }

    private func received(_ data: MessageEvent.Data) {
        guard let (text, sentAt) = pending else { return tally.unexpectedMessage() }
        pending = nil
        guard case .text(let echo) = data, echo == text else { return tally.mismatched() }
        tally.echoed(roundTripNanoseconds: BenchClock.now() &- sentAt)
    }
}

/// Why a `wsc scale` connection did not open.
enum ScaleFailure: Error, CustomStringConvertible {
    case closedWhileOpening(UInt16)

    var description: String {
        switch self {
        case .closedWhileOpening(let code): "closed with \(code) before it opened"
        }
    }
}
