import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import WebSocketCore

/// The connection beneath one ``WebSocket``: TCP (and TLS), the opening handshake, then the
/// engine — WHATWG WebSockets §2 "obtain" and "establish a WebSocket connection", RFC 6455
/// from there on.
///
/// Everything mutable is touched only on `eventLoop`; the few methods the socket calls from
/// other threads hop there, which is what makes the `@unchecked Sendable` sound. What the
/// socket asks for is queued as commands and carried out in order in one event-loop turn, so
/// that a burst of `send`s becomes one flush.
final class ClientTransport: @unchecked Sendable {
    /// What the socket asks the transport to do, in the order it asked.
    enum Command: Sendable {
        case send(Message, byteCount: UInt64)
        case startTheClosingHandshake(code: CloseCode?, reason: String)
        case fail(WebSocket.Failure)
        /// The socket was deallocated (WHATWG WebSockets §7 "Garbage collection").
        case socketDisappeared
    }

    private enum Phase {
        case connecting, handshaking, open, closed
    }

    let eventLoop: any EventLoop
    private let options: WebSocket.Options
    private let report: @Sendable (TransportEvent) -> Void
    private var logger: Logger

    // Touched only on `eventLoop`.
    private var phase = Phase.connecting
    private var handshake: ClientHandshake
    private var connection: Connection?
    private var channel: (any Channel)?
    private var failure: WebSocket.Failure?
    private var handshakeTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?
    private var keepaliveTimer: RepeatedTask?
    private var pongDeadline: Scheduled<Void>?
    /// Application bytes handed to the engine since the last flush, reported once written.
    private var unflushedByteCount: UInt64 = 0
    /// The last write since the last flush: when it completes, so have all before it.
    private var lastWrite: EventLoopFuture<Void>?
    private var closeAfterFlush = false

    // Shared with other threads, under `lock`.
    private let lock = NSLock()
    private var commands: [Command] = []

    init(
        handshake: ClientHandshake, options: WebSocket.Options, eventLoop: any EventLoop,
        report: @escaping @Sendable (TransportEvent) -> Void
    ) {
        self.handshake = handshake
        self.options = options
        self.eventLoop = eventLoop
        self.report = report
        self.logger = options.logger
    }

    // MARK: Called from any thread

    /// Queues a command; the first in a burst schedules one event-loop turn that runs them all.
    func enqueue(_ command: Command) {
        let first = lock.withLock {
            commands.append(command)
            return commands.count == 1
        }
        if first { eventLoop.execute { self.runCommands() } }
    }

    /// WHATWG WebSockets §2.1 "obtain a WebSocket connection": TCP to host and port with happy
    /// eyeballs, then TLS for `wss:`.
    func connect(to url: WebSocketURL) {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = url.isSecure ? try options.tls.makeContext() : nil
        } catch {
            eventLoop.execute { self.finish(.tlsFailed("invalid TLS options: \(error)")) }
            return
        }
        let host = url.connectionHost
        let port = url.effectivePort
        let serverName = host.isIPAddress ? nil : host
        logger[metadataKey: "url"] = "\(url.serialized)"
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(Int64(options.connectTimeout * 1e9)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(transport: self))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    if self.phase == .closed { channel.close(promise: nil) }  // failed while connecting
                case .failure(let error):
                    self.finish(.connecting(error, host: host, port: port))
                }
            }
    }

    // MARK: Channel events (on the event loop)

    func channelActive(_ channel: any Channel) {
        self.channel = channel
        guard phase == .connecting else { return }
        phase = .handshaking
        logger.debug("connected, sending the opening handshake")
        handshakeTimer = eventLoop.scheduleTask(in: .nanoseconds(Int64(options.handshakeTimeout * 1e9))) {
            self.fail(.handshakeTimedOut)
        }
        channel.writeAndFlush(handshake.request(), promise: nil)
    }

    func receive(_ bytes: ByteBuffer) {
        switch phase {
        case .handshaking:
            do {
                guard case .accepted(let result) = try handshake.receive(bytes) else { return }
                established(result)
            } catch {
                fail(.handshakeFailed(error))
            }
        case .open:
            connection!.receiveData(bytes)
            carryOutActions()
        case .connecting, .closed:
            break
        }
    }

    func channelInactive() {
        cancelTimers()
        switch phase {
        case .closed:
            return
        case .connecting, .handshaking:
            finish(failure ?? .connectionLost("closed during the opening handshake"))
        case .open:
            phase = .closed
            let closure = connection!.transportClosed()
            // RFC 6455 §7.2.1: a transport lost before the peer's close frame fails the connection.
            let failure = self.failure ?? closure.failure.map(WebSocket.Failure.protocolViolation)
                ?? (connection!.receivedCloseFrame == nil ? .connectionLost(nil) : nil)
            logger.debug("closed", metadata: ["code": "\(closure.code)", "clean": "\(closure.wasClean)"])
            report(.closed(code: closure.code, reason: closure.reason, wasClean: closure.wasClean && failure == nil, failure: failure))
        }
    }

    func errorCaught(_ error: any Error) {
        if error is NIOSSLError || error is BoringSSLError {
            fail(.tlsFailed(String(describing: error)))
        } else {
            fail(.connectionLost(String(describing: error)))
        }
    }

    /// Flushes what was written since the last flush; bytes count as transmitted once written.
    func flush() {
        guard let channel else { return }
        let transmitted = unflushedByteCount
        let closeAfterFlush = self.closeAfterFlush
        unflushedByteCount = 0
        channel.flush()
        guard let lastWrite else {
            if closeAfterFlush { channel.close(promise: nil) }
            return
        }
        self.lastWrite = nil
        lastWrite.whenComplete { result in
            if case .success = result, transmitted > 0 { self.report(.transmitted(transmitted)) }
            if closeAfterFlush { channel.close(promise: nil) }
        }
    }

    // MARK: Inside

    /// RFC 6455 §4.1 "_The WebSocket Connection is Established_".
    private func established(_ result: HandshakeResult) {
        let deflate: PerMessageDeflate.Parameters?
        do {
            deflate = try options.perMessageDeflate?.accept(result)
        } catch {
            return fail(.extensionNegotiationFailed(error))
        }
        handshakeTimer?.cancel()
        phase = .open
        let limits = Limits(maxFrameSize: options.maxMessageSize, maxMessageSize: options.maxMessageSize)
        connection = Connection(
            role: .client,
            configuration: .init(
                limits: limits, perMessageDeflate: deflate, compression: options.perMessageDeflate ?? PerMessageDeflate.Configuration()))
        logger.debug("established", metadata: ["subprotocol": "\(result.subprotocol ?? "")"])
        report(.established(subprotocol: result.subprotocol ?? "", extensions: ExtensionHeader.serialize(result.extensions)))
        startKeepalive()
        if result.leftover.readableBytes > 0 { connection!.receiveData(result.leftover) }  // frames in the same packet
        carryOutActions()
        flush()
    }

    private func carryOutActions() {
        guard phase == .open else { return }
        while let action = connection!.nextAction() {
            switch action {
            case .deliverMessage(let message):
                report(.message(message))
            case .deliverPing:
                break  // the engine queued the pong
            case .deliverPong:
                pongDeadline?.cancel()
                pongDeadline = nil
            case .closeFrameReceived:
                report(.closingHandshakeStarted)
            case .startCloseTimer:
                closeTimer = eventLoop.scheduleTask(in: .nanoseconds(Int64(options.closeTimeout * 1e9))) {
                    self.channel?.close(promise: nil)
                }
            case .closeTransport:
                closeAfterFlush = true
            }
        }
        writeQueuedBytes()
    }

    private func writeQueuedBytes() {
        guard let channel else { return }
        while let bytes = connection?.nextBytesToSend() {
            lastWrite = channel.write(bytes)
        }
    }

    private func runCommands() {
        let commands = lock.withLock {
            defer { self.commands.removeAll(keepingCapacity: true) }
            return self.commands
        }
        for command in commands {
            switch (command, phase) {
            case (.send(let message, let byteCount), .open):
                // Refused only once a close frame went out: then nothing is sent (WHATWG §3.1).
                if (try? connection!.send(message)) != nil { unflushedByteCount += byteCount }
            case (.startTheClosingHandshake(let code, let reason), .open):
                try? connection!.startTheClosingHandshake(code: code, reason: reason)
            case (.socketDisappeared, .open):
                try? connection!.startTheClosingHandshake(code: nil)
            case (.fail(let failure), _):
                fail(failure)
            case (.startTheClosingHandshake, .connecting), (.startTheClosingHandshake, .handshaking),
                 (.socketDisappeared, .connecting), (.socketDisappeared, .handshaking):
                fail(.closedBeforeEstablished)
            default:
                break
            }
        }
        carryOutActions()
        flush()
    }

    /// RFC 6455 §7.1.7 "_Fail the WebSocket Connection_" for reasons outside the engine: the
    /// first reason sticks, and the transport closes.
    private func fail(_ failure: WebSocket.Failure) {
        guard phase != .closed else { return }
        logger.debug("failing the connection", metadata: ["failure": "\(failure)"])
        if self.failure == nil { self.failure = failure }
        if let channel {
            channel.close(promise: nil)
        } else {
            finish(failure)
        }
    }

    /// Reports a connection that closed before it was established.
    private func finish(_ failure: WebSocket.Failure) {
        guard phase != .closed else { return }
        phase = .closed
        cancelTimers()
        report(.closed(code: CloseCode.abnormalClosure.rawValue, reason: "", wasClean: false, failure: self.failure ?? failure))
    }

    private func startKeepalive() {
        guard let interval = options.keepalive.interval else { return }
        let period = TimeAmount.nanoseconds(Int64(interval * 1e9))
        keepaliveTimer = eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            guard self.phase == .open, self.pongDeadline == nil, (try? self.connection!.sendPing()) != nil else { return }
            self.pongDeadline = self.eventLoop.scheduleTask(in: .nanoseconds(Int64(self.options.keepalive.timeout * 1e9))) {
                self.fail(.keepaliveTimedOut)
            }
            self.writeQueuedBytes()
            self.flush()
        }
    }

    private func cancelTimers() {
        handshakeTimer?.cancel()
        closeTimer?.cancel()
        keepaliveTimer?.cancel()
        pongDeadline?.cancel()
    }
}
