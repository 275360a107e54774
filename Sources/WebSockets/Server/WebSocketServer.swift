public import NIOCore
import Logging
import NIOPosix
import NIOSSL
public import ServiceLifecycle
import WebSocketCore

/// A WebSocket server on the same engine as the client: it accepts connections over TCP (IPv4
/// or IPv6), a Unix domain socket or TLS, lets a handler accept or refuse each opening
/// handshake, and runs the handler's code with the connection.
///
/// ```swift
/// let server = WebSocketServer(configuration: .init(host: "127.0.0.1", port: 8080)) { request in
///     guard request.path == "/echo" else { return .reject(status: 404) }
///     return .accept(protocol: request.protocols.first) { connection in
///         for try await message in connection.readable { try await connection.writable.write(message) }
///     }
/// }
/// try await server.run()
/// ```
///
/// It is a swift-service-lifecycle `Service`: ``run()`` serves until the service group shuts
/// down gracefully or its task is cancelled; then it stops accepting, closes every connection
/// with 1001, waits at most ``Configuration/shutdownTimeout`` for their closing handshakes, and
/// closes the rest.
public final class WebSocketServer: Service, Sendable {
    /// How the server listens and what it allows.
    public let configuration: Configuration
    private let handler: @Sendable (Request) async -> Decision
    private let state = ServerState()

    /// Creates a server; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: How the server listens and what it allows.
    ///   - handler: Decides on each opening handshake: ``Decision/accept(protocol:headers:handler:)``
    ///     with the code to run for the connection, or ``Decision/reject(status:headers:body:)``.
    ///     Requests that break RFC 6455 §4.2.1 are refused before it is called.
    public init(configuration: Configuration = .init(), handler: @escaping @Sendable (Request) async -> Decision) {
        self.configuration = configuration
        self.handler = handler
    }

    /// The address the server listens on, once bound (with the port chosen for port 0).
    ///
    /// - Throws: The error that made binding fail.
    public var listeningAddress: SocketAddress {
        get async throws { try await state.listeningAddress }
    }

    /// Connections alive now, from TCP accept to TCP close (handshakes included).
    public var connectionCount: Int { state.liveConnectionCount }

    /// Binds, serves, and returns after graceful shutdown (the service group's, or cancellation
    /// of the calling task). It runs once.
    ///
    /// - Throws: The error that made binding fail (also thrown by ``listeningAddress``), or
    ///   ``AlreadyRunning`` when called a second time.
    public func run() async throws {
        guard state.start() else { throw AlreadyRunning() }
        let logger = configuration.logger
        let serverChannel: any Channel
        let (handshakes, newHandshake) = AsyncStream.makeStream(of: PendingHandshake.self)
        do {
            serverChannel = try await bind(newHandshake)
            guard let address = serverChannel.localAddress else { throw ChannelError.inappropriateOperationForState }
            state.listening(on: serverChannel, address: address)
            logger.info("listening", metadata: ["address": "\(address)"])
        } catch {
            state.bindFailed(error)
            throw error
        }

        await withTaskCancellationOrGracefulShutdownHandler {
            if configuration.runsHandlersOnEventLoop, #available(macOS 15, iOS 18, tvOS 18, watchOS 11, *) {
                // The loop that starts the handlers' tasks runs on an event loop too: a handshake
                // done there then wakes no thread of the global pool to start its handler.
                await withTaskExecutorPreference(EventLoopTaskExecutor(serverChannel.eventLoop)) {
                    await self.serve(handshakes, closingOn: serverChannel)
                }
            } else {
                await self.serve(handshakes, closingOn: serverChannel)
            }
        } onCancelOrGracefulShutdown: {
            logger.info("shutting down")
            self.state.beginShutdown()
            newHandshake.finish()
        }
        try? await serverChannel.closeFuture.get()
        logger.info("stopped")
    }

    /// The error ``run()`` throws when called again.
    public struct AlreadyRunning: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String { "WebSocketServer.run() runs once" }
    }

    // MARK: Inside

    /// A complete opening handshake waiting for the handler's decision.
    private struct PendingHandshake: Sendable {
        /// Weak: the handler's task keeps this for the connection's whole life, and the
        /// handshake's state is of no use once answered. The pipeline owns the handler until
        /// then; `nil` means the connection closed before the answer.
        weak var handshakeHandler: ServerHandshakeHandler?
        let request: Request
        let channel: any Channel
    }

    private struct TooManyConnections: Error {}

    /// The close every connection gets when the server shuts down.
    static let shuttingDown = CloseRequest(trusted: .goingAway, reason: "server shutting down")

    private func bind(_ newHandshake: AsyncStream<PendingHandshake>.Continuation) async throws -> any Channel {
        let configuration = self.configuration
        let tlsContext = try configuration.tls?.makeContext()
        let state = self.state
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.recvAllocator, value: ReceiveBuffers.allocator)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard state.admit(channel, maxConnections: configuration.maxConnections) else {
                        configuration.logger.warning("connection refused: at maxConnections")
                        throw TooManyConnections()
                    }
                    #if !os(Linux)
                    // Linux copies TCP_NODELAY from the listening socket, where ServerBootstrap
                    // sets it, to every accepted one: a system call per connection saved there.
                    if configuration.unixSocketPath == nil {
                        // At the TCP level: `.socketOption(.tcp_nodelay)` would set SO_DEBUG.
                        try channel.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1)
                    }
                    #endif
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    let handshakeHandler = ServerHandshakeHandler(configuration: configuration, eventLoop: channel.eventLoop) {
                        handler, request in
                        newHandshake.yield(PendingHandshake(handshakeHandler: handler, request: request, channel: channel))
                    }
                    try channel.pipeline.syncOperations.addHandler(handshakeHandler)
                }
            }
        if let path = configuration.unixSocketPath {
            return try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        }
        return try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
    }

    /// Starts a task for each handshake, as a child of ``run()``'s, until shutdown ends the
    /// handshakes; then waits for the connections to close, and cancels the tasks left.
    private func serve(_ handshakes: AsyncStream<PendingHandshake>, closingOn serverChannel: any Channel) async {
        await withDiscardingTaskGroup { group in
            for await handshake in handshakes {
                if configuration.runsHandlersOnEventLoop, #available(macOS 15, iOS 18, tvOS 18, watchOS 11, *) {
                    group.addTask(executorPreference: EventLoopTaskExecutor(handshake.channel.eventLoop)) {
                        await self.serve(handshake)
                    }
                } else {
                    group.addTask { await self.serve(handshake) }
                }
            }
            await state.drain(timeout: configuration.shutdownTimeout, on: serverChannel.eventLoop)
            group.cancelAll()
        }
    }

    // A connection's task is two steps, and the work between their suspensions is synchronous:
    // async frames live in the task's allocator, whose slabs (984 bytes each) stay with the task
    // for the connection's whole life, so the frames of the handshake must be gone before the
    // handler's code runs (`open` is never inlined), and those left under it few and small
    // (`run` always is: one frame fewer under every handler).

    /// Asks the handler, answers the handshake, and runs the connection's code.
    private func serve(_ pending: PendingHandshake) async {
        guard let (connection, body) = await open(pending) else { return }
        await run(body, with: connection)
    }

    /// Asks the handler and answers the handshake; the connection and the code to run for it,
    /// when it is accepted and open.
    @inline(never)
    private func open(_ pending: PendingHandshake) async -> (WebSocketConnection, Decision.Body)? {
        let decision = await handler(pending.request)
        guard let connection = await answer(pending, with: decision), case .accept(_, _, let body) = decision else { return nil }
        return (connection, body)
    }

    /// Answers the handshake as `decision` says; the connection when it is accepted and open.
    private func answer(_ pending: PendingHandshake, with decision: Decision) async -> WebSocketConnection? {
        // A handler running on the event loop (the default) needs no hop.
        let eventLoop = pending.channel.eventLoop
        if eventLoop.inEventLoop { return answerOnEventLoop(pending, with: decision) }
        return try? await eventLoop.submit { self.answerOnEventLoop(pending, with: decision) }.get()
    }

    private func answerOnEventLoop(_ pending: PendingHandshake, with decision: Decision) -> WebSocketConnection? {
        let timing = ConnectionDriver.Timing(
            closeTimeout: .timeInterval(configuration.closeTimeout), keepalive: configuration.keepalive,
            idleTimeout: configuration.idleTimeout.map(TimeAmount.timeInterval))
        let eventLoop = pending.channel.eventLoop
        let connection = pending.handshakeHandler?.complete(decision, for: pending.request) { engine, report in
            ConnectionDriver(connection: engine, timing: timing, eventLoop: eventLoop, report: report)
        }
        guard let connection else { return nil }
        // The handler runs even for a connection that is already closing: it sees it end.
        if !state.attach(connection, to: pending.channel) {
            connection.close(Self.shuttingDown)
        }
        configuration.logger.debug("connection accepted", metadata: ["path": "\(pending.request.path)"])
        return connection
    }

    /// Runs the handler's code for `connection`, then closes it as the way the code ended says.
    @inline(__always)
    private func run(_ body: Decision.Body, with connection: WebSocketConnection) async {
        do {
            try await body(connection)
            connection.close(CloseRequest(trusted: .normalClosure))
        } catch {
            connection.close(closing(after: error))
        }
    }

    /// The close for a handler that threw `error`.
    private func closing(after error: any Error) -> CloseRequest {
        // Only `run()` being cancelled cancels a handler: the server is going away, and the
        // handler may see that before the shutdown's own close reaches its connection.
        if error is CancellationError, Task.isCancelled { return Self.shuttingDown }
        configuration.logger.debug("connection handler threw", metadata: ["error": "\(error)"])
        return CloseRequest(trusted: .internalError)
    }
}
