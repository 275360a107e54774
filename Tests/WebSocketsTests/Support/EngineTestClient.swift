import NIOCore
import NIOPosix
import NIOSSL
import WebSocketCore

/// A WebSocket client made of our engine and nothing else: ``ClientHandshake`` for the opening
/// handshake, then `Connection(role: .client)`, over a plain NIO TCP (or TLS) channel.
///
/// It proves the test servers and the peers work, and is the first interop of the engine with
/// code nobody here wrote. Every wait is bounded: a call that runs out of time closes the
/// channel and throws ``EngineTestClientError/timedOut(_:)``.
///
/// Not `Sendable`: use one client from one task.
final class EngineTestClient {
    /// What the client received, in order.
    enum Event: Sendable, Hashable {
        case message(Message)
        case ping(ByteBuffer)
        case pong(ByteBuffer)
        /// The peer's close frame; the engine has queued (and the client sent) its answer.
        case closeFrame(CloseFrame)
        /// The TCP connection closed; the outcome of the WebSocket connection.
        case closed(ConnectionClosure)
    }

    /// The accepted handshake: the server's response head, subprotocol, extensions, and the
    /// bytes that came with the head.
    let handshake: HandshakeResult
    /// The closing outcome once the TCP connection has closed.
    private(set) var closure: ConnectionClosure?

    private let channel: any Channel
    private var inbound: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
    private var connection: Connection
    private var events: [Event] = []
    private let closeTimeout: Duration

    private init(
        channel: any Channel, inbound: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator,
        handshake: HandshakeResult, connection: Connection, closeTimeout: Duration
    ) {
        self.channel = channel
        self.inbound = inbound
        self.handshake = handshake
        self.connection = connection
        self.closeTimeout = closeTimeout
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects to `host:port` on 127.0.0.1 (or TLS with `tls`), sends the handshake request for
    /// `path` offering `protocols`, and validates the response.
    ///
    /// - Parameters:
    ///   - host: The name for `Host` and for TLS verification; the TCP connection always goes to
    ///     `address`. Defaults to `127.0.0.1`.
    ///   - tls: A client TLS configuration (see ``TestCertificates/makeClientTLSConfiguration()``);
    ///     `nil` for plain TCP. The server name is `host` unless it is an IP address.
    ///   - limits: The client engine's limits.
    ///   - timeout: Bound on connecting plus the whole handshake.
    /// - Throws: ``HandshakeError`` for a refused or wrong response, ``EngineTestClientError`` if
    ///   the server closed or timed out first, or the TLS / connect error.
    static func connect(
        port: Int,
        path: String = "/",
        host: String = "127.0.0.1",
        address: String = "127.0.0.1",
        protocols: [String] = [],
        extensions: [ExtensionOffer] = [],
        extraHeaders: HTTPHeaders = [:],
        tls: TLSConfiguration? = nil,
        limits: Limits = Limits(),
        timeout: Duration = .seconds(10),
        closeTimeout: Duration = .seconds(5)
    ) async throws -> EngineTestClient {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        // TLS verifies an IP address against the certificate's IP SANs when no name is given.
        let isIPAddress = host.contains(":") || host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }
        let serverHostname = isIPAddress ? nil : host
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(InboundStreamHandler(continuation))
                }
            }
            .connect(host: address, port: port)
            .get()

        var inbound = stream.makeAsyncIterator()
        let watchdog = ChannelWatchdog(channel: channel, timeout: timeout)
        defer { watchdog.cancel() }
        do {
            var clientHandshake = try ClientHandshake(
                host: ClientHandshake.hostField(host: host, port: port, secure: tls != nil), resourceName: path,
                protocols: protocols, extensions: extensions, extraHeaders: extraHeaders)
            // Not awaited: a failed write (TLS handshake failure, reset) shows up in the read below.
            channel.writeAndFlush(clientHandshake.request(), promise: nil)
            while true {
                let read: ByteBuffer?
                do {
                    read = try await inbound.next()
                } catch is IOError {
                    read = nil  // a reset (the server closed before reading our request) is a close too
                }
                guard let bytes = read else {
                    throw watchdog.fired ? EngineTestClientError.timedOut("handshake") : EngineTestClientError.closedDuringHandshake
                }
                guard case .accepted(let result) = try clientHandshake.receive(bytes) else { continue }
                let client = EngineTestClient(
                    channel: channel, inbound: inbound, handshake: result,
                    connection: Connection(role: .client, configuration: Connection.Configuration(limits: limits)),
                    closeTimeout: closeTimeout)
                if result.leftover.readableBytes > 0 {
                    client.connection.receiveData(result.leftover)
                    await client.pump()
                }
                return client
            }
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    // MARK: Sending

    /// Sends a message (masked, as a client must).
    func send(_ message: Message) async throws {
        try connection.send(message)
        try await writeQueuedBytes()
    }

    /// Sends a text message.
    func send(_ text: String) async throws {
        try await send(.text(text))
    }

    /// Sends a binary message.
    func send(_ bytes: [UInt8]) async throws {
        try await send(.binary(ByteBuffer(bytes: bytes)))
    }

    /// Sends a ping.
    func ping(_ payload: [UInt8] = []) async throws {
        try connection.sendPing(ByteBuffer(bytes: payload))
        try await writeQueuedBytes()
    }

    /// Writes bytes as they are, bypassing the engine.
    func sendRaw(_ bytes: ByteBuffer) async throws {
        try await channel.writeAndFlush(bytes).get()
    }

    // MARK: Receiving

    /// The next event: a message, ping, pong, close frame, or the TCP close (after which it
    /// returns `.closed` again).
    func nextEvent(timeout: Duration = .seconds(10)) async throws -> Event {
        if !events.isEmpty { return events.removeFirst() }
        if let closure { return .closed(closure) }
        let watchdog = ChannelWatchdog(channel: channel, timeout: timeout)
        defer { watchdog.cancel() }
        while events.isEmpty {
            let bytes: ByteBuffer?
            do {
                bytes = try await inbound.next()
            } catch {
                bytes = nil  // a reset or TLS error ends the connection like an EOF
            }
            guard let bytes else {
                if watchdog.fired { throw EngineTestClientError.timedOut("next event") }
                transportClosed()
                break
            }
            connection.receiveData(bytes)
            await pump()
        }
        return events.removeFirst()
    }

    /// The next data message, answering pings on the way.
    ///
    /// - Throws: ``EngineTestClientError/unexpectedEvent(_:)`` if the connection closes first.
    func receiveMessage(timeout: Duration = .seconds(10)) async throws -> Message {
        let deadline = ContinuousClock.now + timeout
        while true {
            let event = try await nextEvent(timeout: deadline - ContinuousClock.now)
            switch event {
            case .message(let message): return message
            case .ping, .pong: continue
            case .closeFrame, .closed: throw EngineTestClientError.unexpectedEvent(event)
            }
        }
    }

    /// Reads until the TCP connection closes, answering pings and close frames, and returns the
    /// outcome. Messages received on the way are dropped.
    func waitForClosure(timeout: Duration = .seconds(10)) async throws -> ConnectionClosure {
        let deadline = ContinuousClock.now + timeout
        while true {
            if case .closed(let closure) = try await nextEvent(timeout: deadline - ContinuousClock.now) { return closure }
        }
    }

    // MARK: Closing

    /// Starts the closing handshake (RFC 6455 §7.1.2) and waits for the server's close frame and
    /// TCP close; if the server does not close TCP within the close time-out, closes it itself
    /// (RFC 6455 §7.1.1). Returns the outcome.
    func close(code: UInt16? = 1000, reason: String = "") async throws -> ConnectionClosure {
        if let closure { return closure }
        try connection.startTheClosingHandshake(code: code.map(CloseCode.init(rawValue:)), reason: reason)
        await pump()  // sends the close frame; the wait below is the close timer it asks for
        do {
            return try await waitForClosure(timeout: closeTimeout)
        } catch EngineTestClientError.timedOut {
            return transportClosed()
        }
    }

    /// Closes the TCP connection without a closing handshake.
    func abort() {
        channel.close(promise: nil)
    }

    // MARK: Inside

    /// Takes the engine's actions, turning them into events, then writes what it queued.
    private func pump() async {
        var closeTransport = false
        while let action = connection.nextAction() {
            switch action {
            case .deliverMessage(let message): events.append(.message(message))
            case .deliverPing(let payload): events.append(.ping(payload))
            case .deliverPong(let payload): events.append(.pong(payload))
            case .closeFrameReceived(let frame): events.append(.closeFrame(frame))
            case .startCloseTimer: break  // the caller's next read is bounded by its own time-out
            case .closeTransport: closeTransport = true
            }
        }
        try? await writeQueuedBytes()
        if closeTransport { try? await channel.close() }
    }

    private func writeQueuedBytes() async throws {
        var last: EventLoopFuture<Void>?
        while let bytes = connection.nextBytesToSend() {
            last = channel.write(bytes)
        }
        guard let last else { return }
        channel.flush()
        try await last.get()
    }

    @discardableResult
    private func transportClosed() -> ConnectionClosure {
        channel.close(promise: nil)
        let closure = connection.transportClosed()
        self.closure = closure
        events.append(.closed(closure))
        return closure
    }
}

/// Why an ``EngineTestClient`` call failed.
enum EngineTestClientError: Error, CustomStringConvertible {
    /// The server closed the connection before completing the handshake.
    case closedDuringHandshake
    /// The named wait ran out of time; the channel was closed.
    case timedOut(String)
    /// An event other than the awaited one arrived.
    case unexpectedEvent(EngineTestClient.Event)

    var description: String {
        switch self {
        case .closedDuringHandshake: "the server closed the connection during the opening handshake"
        case .timedOut(let what): "timed out waiting for \(what)"
        case .unexpectedEvent(let event): "unexpected event \(event)"
        }
    }
}
