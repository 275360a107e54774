import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import WebSocketCore

/// The client's way to an open connection: TCP (and TLS) and the opening handshake — WHATWG
/// WebSockets §2 "obtain" and "establish a WebSocket connection" — after which a
/// ``ConnectionDriver`` takes the channel over. `WebSocket` and `WebSocketStream` both use it.
///
/// Everything mutable is touched only on `eventLoop`; the few methods callers use from other
/// threads hop there, which is what makes the `@unchecked Sendable` sound. What the caller asks
/// for is queued as commands and carried out in order in one event-loop turn, so that a burst of
/// `send`s becomes one flush.
final class ClientTransport: @unchecked Sendable {
    /// What the caller asks the transport to do, in the order it asked.
    enum Command: Sendable {
        case send(OutgoingMessage, byteCount: UInt64)
        case startTheClosingHandshake(code: CloseCode?, reason: String)
        case fail(WebSocket.Failure)
        /// The caller was deallocated (WHATWG WebSockets §7 "Garbage collection").
        case callerDisappeared
    }

    /// What each phase owns.
    private enum Phase {
        case connecting
        /// Connected to the proxy, waiting for the tunnel to the origin server.
        case tunnelling(any Channel, deadlineTimer: Scheduled<Void>)
        case handshaking(any Channel, handshakeTimer: Scheduled<Void>)
        case open(ConnectionDriver)
        case closed
    }

    let eventLoop: any EventLoop
    private let options: WebSocket.Options
    private let cookies: HandshakeCookies?
    private let report: @Sendable (TransportEvent) -> Void
    private var logger: Logger

    // Touched only on `eventLoop`.
    private var phase = Phase.connecting
    private var handshake: ClientHandshake
    /// Why the connection is being failed while it is not open yet; the first reason sticks.
    private var failure: WebSocket.Failure?

    // Shared with other threads, under `lock`.
    private let lock = NSLock()
    private var commands: [Command] = []
    /// An event-loop turn that runs the commands is scheduled and has not taken them yet.
    private var commandsScheduled = false
    /// The caller is in a batch (see ``holdCommands()``): commands wait for its end.
    private var commandsHeld = false

    init(
        handshake: ClientHandshake, options: WebSocket.Options, cookies: HandshakeCookies?, eventLoop: any EventLoop,
        report: @escaping @Sendable (TransportEvent) -> Void
    ) {
        self.handshake = handshake
        self.options = options
        self.cookies = cookies
        self.eventLoop = eventLoop
        self.report = report
        self.logger = options.logger
    }

    // MARK: Called from any thread

    /// Queues a command; the first in a burst schedules one event-loop turn that runs them all.
    func enqueue(_ command: Command) {
        let schedule = lock.withLock {
            commands.append(command)
            return scheduleIfNeeded()
        }
        if schedule { eventLoop.execute { self.runCommands() } }
    }

    /// Starts a batch: commands queued until ``releaseCommands()`` go to the event loop in one
    /// hop. The socket holds them while it runs a batch of event tasks, whose handlers send.
    func holdCommands() {
        lock.withLock { commandsHeld = true }
    }

    /// Ends the batch ``holdCommands()`` started; on the event loop (events delivered there)
    /// the batch's commands run at once, in the task that ran the events.
    func releaseCommands() {
        let schedule = lock.withLock {
            commandsHeld = false
            return scheduleIfNeeded()
        }
        guard schedule else { return }
        if eventLoop.inEventLoop { runCommands() } else { eventLoop.execute { self.runCommands() } }
    }

    /// Under `lock`: whether the caller must schedule a turn for the commands queued.
    private func scheduleIfNeeded() -> Bool {
        guard !commandsScheduled, !commandsHeld, !commands.isEmpty else { return false }
        commandsScheduled = true
        return true
    }

    /// WHATWG WebSockets §2.1 "obtain a WebSocket connection": TCP to host and port with happy
    /// eyeballs (or the Unix socket the options name, or a tunnel through the proxy they name),
    /// then TLS for `wss:`.
    func connect(to url: WebSocketURL) {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = url.isSecure ? try options.tls.makeContext() : nil
        } catch {
            eventLoop.execute { self.finish(.tlsFailed("invalid TLS options: \(error)")) }
            return
        }
        let proxy: ProxyURL?
        do {
            proxy = options.unixSocketPath == nil
                ? try ProxyURL.chosen(by: options.proxy, for: url, environment: WebSocket.Proxy.processEnvironment) : nil
        } catch {
            eventLoop.execute { self.finish(error) }
            return
        }
        let host = url.connectionHost
        let port = url.effectivePort
        // An IP address needs no resolver, whose lookup runs on another thread; TLS sends no
        // server name (SNI) for one (RFC 6066 §3).
        let address = try? SocketAddress(ipAddress: host, port: port)
        let serverName = address == nil ? host : nil
        logger[metadataKey: "url"] = "\(url.serialized)"
        if let proxy { logger[metadataKey: "proxy"] = "\(proxy.host):\(proxy.port)" }
        // Through a proxy these go after the tunnel is up, so that TLS runs inside it.
        let originHandlers: @Sendable () throws -> [any ChannelHandler] = {
            var handlers: [any ChannelHandler] = []
            if let tlsContext { handlers.append(try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)) }
            handlers.append(ClientHandshakeHandler(transport: self))
            return handlers
        }
        let connecting: EventLoopFuture<any Channel>
        if let proxy {
            connecting = connect(through: proxy, to: host, port: port, originHandlers: originHandlers)
        } else {
            let bootstrap = makeBootstrap(connectTimeout: .timeInterval(options.connectTimeout)).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandlers(originHandlers()) }
            }
            connecting = options.unixSocketPath.map { bootstrap.connect(unixDomainSocketPath: $0) }
                ?? address.map { bootstrap.connect(to: $0) }
                ?? bootstrap.connect(host: host, port: port)
        }
        connecting.whenComplete { result in
            switch result {
            case .success(let channel):
                if case .closed = self.phase { channel.close(promise: nil) }  // failed while connecting
            case .failure(let error):
                self.finish(proxy.map { .connecting(error, to: $0) } ?? .connecting(error, host: host, port: port))
            }
        }
    }

    private func makeBootstrap(connectTimeout: TimeAmount) -> ClientBootstrap {
        let bootstrap = ClientBootstrap(group: eventLoop).connectTimeout(connectTimeout)
            .channelOption(.recvAllocator, value: ReceiveBuffers.allocator)
        // TCP_NODELAY is a TCP-level option: at the socket level its number is SO_DEBUG, which
        // only a privileged process may set.
        return options.unixSocketPath == nil ? bootstrap.channelOption(.tcpOption(.tcp_nodelay), value: 1) : bootstrap
    }

    /// TCP to the proxy, whose handlers then ask it for a tunnel to host and port; the tunnel must
    /// be up within the connect timeout, counted from now.
    private func connect(
        through proxy: ProxyURL, to host: String, port: Int, originHandlers: @escaping @Sendable () throws -> [any ChannelHandler]
    ) -> EventLoopFuture<any Channel> {
        let deadline = NIODeadline.now() + .timeInterval(options.connectTimeout)
        return proxy.tunnelTarget(host: host, port: port, eventLoop: eventLoop).flatMap { target in
            // What resolving the origin (`socks5:`) took is gone from the time left.
            self.makeBootstrap(connectTimeout: deadline - .now())
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try proxy.addTunnelHandlers(
                            to: channel, target: target, deadline: deadline, transport: self, originHandlers: originHandlers)
                    }
                }
                .connect(host: proxy.host, port: proxy.port)
        }
    }

    // MARK: Proxy tunnel handler events (on the event loop)

    /// Connected to the proxy, which now opens the tunnel; it must be up by `deadline`.
    func proxyConnected(_ channel: any Channel, deadline: NIODeadline) {
        guard case .connecting = phase else { return }
        logger.debug("connected to the proxy, opening the tunnel")
        let deadlineTimer = eventLoop.scheduleTask(deadline: deadline) { self.fail(.connectTimedOut) }
        phase = .tunnelling(channel, deadlineTimer: deadlineTimer)
    }

    // MARK: Handshake handler events (on the event loop)

    func channelActive(_ channel: any Channel) {
        switch phase {
        case .connecting: break
        case .tunnelling(_, let deadlineTimer): deadlineTimer.cancel()
        case .handshaking, .open, .closed: return
        }
        logger.debug("connected, sending the opening handshake")
        let handshakeTimer = eventLoop.scheduleTask(in: .timeInterval(options.handshakeTimeout)) {
            self.fail(.handshakeTimedOut)
        }
        phase = .handshaking(channel, handshakeTimer: handshakeTimer)
        channel.writeAndFlush(handshake.request(), promise: nil)
    }

    /// Response bytes; on acceptance the driver replaces the handshake handler (`context`).
    func receive(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        guard case .handshaking(_, let handshakeTimer) = phase else { return }
        do {
            guard case .accepted(let result) = try handshake.receive(bytes) else { return }
            let deflate: PerMessageDeflate.Parameters?
            do {
                deflate = try options.perMessageDeflate?.accept(result)
            } catch {
                return fail(.extensionNegotiationFailed(error))
            }
            cookies?.store(from: result.response)
            handshakeTimer.cancel()
            established(result, deflate: deflate, context: context)
        } catch {
            // Fetch stores the cookies of every response it receives, a refusal's too; a 101
            // that fails validation is not trusted with them.
            if case .unexpectedStatus(_, let head) = error { cookies?.store(from: head) }
            fail(.handshakeFailed(error))
        }
    }

    func channelInactive() {
        switch phase {
        case .connecting, .handshaking:
            finish(failure ?? .connectionLost("closed during the opening handshake"))
        case .tunnelling:
            finish(failure ?? .proxyTunnelClosed)
        case .open, .closed:
            break
        }
    }

    func errorCaught(_ error: any Error) {
        fail(.caught(error))
    }

    // MARK: Inside

    /// RFC 6455 §4.1 "_The WebSocket Connection is Established_": the driver takes over.
    private func established(_ result: HandshakeResult, deflate: PerMessageDeflate.Parameters?, context: ChannelHandlerContext) {
        let connection = Connection(
            role: .client, maxMessageSize: options.maxMessageSize, maxFragmentsPerMessage: options.maxFragmentsPerMessage,
            perMessageDeflate: deflate, compression: options.perMessageDeflate)
        let report = self.report
        let driver = ConnectionDriver(
            connection: connection,
            timing: .init(closeTimeout: .timeInterval(options.closeTimeout), keepalive: options.keepalive, idleTimeout: nil),
            eventLoop: eventLoop
        ) { event in
            if case .closed = event { self.phase = .closed }
            report(event)
        }
        do {
            try context.pipeline.syncOperations.addHandler(driver, position: .after(context.handler))
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            return fail(.connectionLost("could not install the connection driver: \(error)"))
        }
        phase = .open(driver)
        logger.debug("established", metadata: ["subprotocol": "\(result.subprotocol ?? "")"])
        report(.established(subprotocol: result.subprotocol ?? "", extensions: ExtensionHeader.serialize(result.extensions), driver: driver))
        driver.start(leftover: result.leftover)
    }

    private func runCommands() {
        let commands = lock.withLock {
            defer { self.commands.removeAll(keepingCapacity: true) }
            commandsScheduled = false
            return self.commands
        }
        for command in commands {
            switch (command, phase) {
            case (.send(let message, let byteCount), .open(let driver)):
                driver.send(message, byteCount: byteCount)
            case (.startTheClosingHandshake(let code, let reason), .open(let driver)):
                driver.startTheClosingHandshake(code: code, reason: reason)
            case (.callerDisappeared, .open(let driver)):
                driver.startTheClosingHandshake(code: nil, reason: "")
            case (.fail(let failure), .open(let driver)):
                driver.fail(failure)
            case (.fail(let failure), _):
                fail(failure)
            case (.startTheClosingHandshake, .connecting), (.startTheClosingHandshake, .tunnelling),
                 (.startTheClosingHandshake, .handshaking), (.callerDisappeared, .connecting),
                 (.callerDisappeared, .tunnelling), (.callerDisappeared, .handshaking):
                fail(.closedBeforeEstablished)
            default:
                break
            }
        }
        if case .open(let driver) = phase { driver.flush() }
    }

    /// RFC 6455 §7.1.7 "_Fail the WebSocket Connection_" before it is established: the first
    /// reason sticks, and the transport closes. The proxy tunnel handler fails through it too.
    func fail(_ failure: WebSocket.Failure) {
        switch phase {
        case .closed, .open:
            return
        case .connecting:
            if self.failure == nil { self.failure = failure }
            finish(failure)
        case .tunnelling(let channel, _), .handshaking(let channel, _):
            logger.debug("failing the connection", metadata: ["failure": "\(failure)"])
            if self.failure == nil { self.failure = failure }
            channel.close(promise: nil)
        }
    }

    /// Reports a connection that closed before it was established.
    private func finish(_ failure: WebSocket.Failure) {
        switch phase {
        case .closed, .open: return
        case .tunnelling(_, let timer), .handshaking(_, let timer): timer.cancel()
        case .connecting: break
        }
        phase = .closed
        // "If the establish a WebSocket connection algorithm fails, it triggers the fail the
        // WebSocket connection algorithm" (WHATWG WebSockets §3.1): always `error`.
        report(.closed(code: CloseCode.abnormalClosure.rawValue, reason: "", wasClean: false, failure: self.failure ?? failure, failed: true))
    }
}
