import HTTPTypes
import Logging
import NIOCore
import WebSocketCore

/// The server pipeline's handler during the opening handshake (after TLS, for `wss:`): reads the
/// request through the engine's ``ServerHandshake`` (refusing a bad one with the RFC's status),
/// holds reading while the server's handler decides, then answers and hands the channel to a
/// ``ConnectionDriver`` — or refuses with the handler's status.
final class ServerHandshakeHandler: ChannelDuplexHandler, RemovableChannelHandler, @unchecked Sendable {
    // `@unchecked`: everything mutable is touched on the channel's event loop only; the decision
    // arrives from a task through `complete(_:)`, which hops there.
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What each phase owns.
    private enum Phase {
        case reading(ServerHandshake)
        /// The request is complete; bytes that follow it wait for the driver.
        case deciding(HandshakeRequest, leftover: ByteBuffer)
        case done
    }

    private let configuration: WebSocketServer.Configuration
    private let eventLoop: any EventLoop
    /// Called once with the complete request; the server decides in a task.
    private let requestReceived: (ServerHandshakeHandler, WebSocketServer.Request) -> Void
    private var phase: Phase
    private var context: ChannelHandlerContext?
    private var handshakeTimer: Scheduled<Void>?
    private var readPending = false

    init(
        configuration: WebSocketServer.Configuration, eventLoop: any EventLoop,
        requestReceived: @escaping (ServerHandshakeHandler, WebSocketServer.Request) -> Void
    ) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.requestReceived = requestReceived
        self.phase = .reading(ServerHandshake(limits: configuration.handshakeLimits))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // Slow-loris protection: the whole request head must arrive in time.
        handshakeTimer = context.eventLoop.scheduleTask(in: .timeInterval(configuration.handshakeTimeout)) { [weak self] in
            guard let self, case .reading = self.phase else { return }
            self.configuration.logger.debug("handshake timed out")
            self.phase = .done
            self.context?.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch phase {
        case .reading(var handshake):
            phase = .done
            switch handshake.receive(bytes) {
            case .needMoreData:
                phase = .reading(handshake)
            case .rejected(let error, let response):
                configuration.logger.debug("handshake refused", metadata: ["error": "\(error)"])
                respondAndClose(response, context: context)
            case .accepted(let request, let leftover):
                handshakeTimer?.cancel()
                phase = .deciding(request, leftover: leftover)
                requestReceived(self, WebSocketServer.Request(request, remoteAddress: context.channel.remoteAddress))
            }
        case .deciding(let request, var leftover):
            leftover.writeBuffer(&bytes)
            phase = .deciding(request, leftover: leftover)
        case .done:
            break
        }
    }

    func read(context: ChannelHandlerContext) {
        // While the server decides, the client's frames stay in the socket.
        if case .deciding = phase { readPending = true } else { context.read() }
    }

    /// Carries out the server's decision about `serverRequest` (what the handler was given for
    /// this handshake, kept by the connection); the accepted connection, or `nil`. On the event
    /// loop.
    func complete(
        _ decision: WebSocketServer.Decision, for serverRequest: WebSocketServer.Request,
        makeDriver: (Connection, @escaping (TransportEvent) -> Void) -> ConnectionDriver
    ) -> WebSocketConnection? {
        eventLoop.assertInEventLoop()
        guard let context, case .deciding(let request, let leftover) = phase else { return nil }
        phase = .done
        switch decision {
        case .reject(let status, let headers, let body):
            respondAndClose(Self.refusal(status: status, headers: headers, body: body), context: context)
            return nil
        case .accept(let subprotocol, let headers, _):
            let agreement = configuration.perMessageDeflate?.negotiate(request)
            let response: ByteBuffer
            do {
                response = try request.acceptingResponse(
                    subprotocol: subprotocol, extensions: agreement.map { [$0.response] } ?? [],
                    extraHeaders: Self.engineHeaders(headers))
            } catch {
                configuration.logger.error("the handler's acceptance cannot be sent", metadata: ["error": "\(error)"])
                respondAndClose(Self.refusal(status: 500, headers: [:], body: "\(error)\n"), context: context)
                return nil
            }
            context.writeAndFlush(wrapOutboundOut(response), promise: nil)
            let engine = Connection(
                role: .server, maxMessageSize: configuration.maxMessageSize,
                maxFragmentsPerMessage: configuration.maxFragmentsPerMessage,
                perMessageDeflate: agreement?.parameters, compression: configuration.perMessageDeflate)
            let extensions = agreement.map { ExtensionHeader.serialize([$0.response]) } ?? ""
            let endpointBox = EndpointBox()
            let driver = makeDriver(engine) { event in endpointBox.endpoint?.handle(event) }
            let endpoint = StreamEndpoint(
                driver: driver, readBufferLimit: configuration.readBufferLimit, writeBufferLimit: configuration.writeBufferLimit)
            endpointBox.endpoint = endpoint
            do {
                try context.pipeline.syncOperations.addHandler(driver, position: .after(self))
            } catch {
                context.close(promise: nil)
                return nil
            }
            let readPending = self.readPending
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            driver.start(leftover: leftover)
            if readPending { context.channel.read() }
            return WebSocketConnection(
                request: serverRequest, protocol: subprotocol ?? "", extensions: extensions, endpoint: endpoint)
        }
    }

    private func respondAndClose(_ response: ByteBuffer, context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in channel.close(promise: nil) }
    }

    /// An HTTP refusal with the handler's status, headers and body; it always closes the
    /// connection. Headers HTTP cannot carry make it a plain 500.
    private static func refusal(status: Int, headers: HTTPFields, body: String) -> ByteBuffer {
        let reason = Self.reasonPhrases[status] ?? ""
        do {
            return try ServerHandshake.refusingResponse(status: status, reasonPhrase: reason, headers: engineHeaders(headers), body: body)
        } catch {
            return (try? ServerHandshake.refusingResponse(status: 500, reasonPhrase: "Internal Server Error", body: "\(error)\n")) ?? ByteBuffer()
        }
    }

    /// RFC 9110's reason phrases for the statuses a WebSocket server refuses with.
    private static let reasonPhrases: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        408: "Request Timeout", 409: "Conflict", 410: "Gone", 426: "Upgrade Required", 429: "Too Many Requests",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    ]

    private static func engineHeaders(_ fields: HTTPFields) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for field in fields { headers.add(name: field.name.rawName, value: field.value) }
        return headers
    }

}

/// Lets the driver report to the endpoint created after it.
private final class EndpointBox: @unchecked Sendable {
    // `@unchecked`: set once on the event loop before the driver reports anything.
    var endpoint: StreamEndpoint?
}
