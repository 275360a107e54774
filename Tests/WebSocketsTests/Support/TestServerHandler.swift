import NIOCore
import WebSocketCore

/// The channel handler behind ``TestServer``: reads the request with ``ServerHandshake``,
/// answers as the ``TestServer/Behavior`` says, then feeds bytes to `Connection(role: .server)`,
/// carries out its actions, and writes what it queues, one flush per read.
final class TestServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// Reading the request head.
        case handshaking
        /// The `101` went out; the engine runs.
        case open
        /// Reading and discarding everything, answering nothing.
        case ignoring
        /// Closing or closed: nothing more is read or written.
        case closing
    }

    private static let maxRecordedRequestBytes = 64 * 1024

    private let behavior: TestServer.Behavior
    private let recorder: TestServerRecorder
    private var index = -1
    private var phase = Phase.handshaking
    private var handshake = ServerHandshake()
    private var connection: Connection?
    private var messageCount = 0
    private var closeTimer: Scheduled<Void>?

    init(behavior: TestServer.Behavior, recorder: TestServerRecorder) {
        self.behavior = behavior
        self.recorder = recorder
    }

    func channelActive(context: ChannelHandlerContext) {
        index = recorder.connectionOpened(context.channel)
        context.fireChannelActive()
        if case .closeOnConnect = behavior.handshake {
            phase = .closing
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeTimer?.cancel()
        let closure = connection?.transportClosed()
        recorder.update(index) { record in
            if let closure { record.closure = closure }
        }
        recorder.connectionClosed(index)
        phase = .closing
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        recorder.update(index) { $0.errors.append(String(describing: error)) }
        phase = .closing
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        recorder.update(index) { $0.bytesReceived += bytes.readableBytes }
        switch phase {
        case .handshaking:
            readHandshake(context: context, bytes: bytes)
        case .open:
            connection?.receiveData(bytes)
            var pending = ByteBuffer()
            runEngine(context: context, pending: &pending)
        case .ignoring, .closing:
            break
        }
    }

    // MARK: Handshake

    private func readHandshake(context: ChannelHandlerContext, bytes: ByteBuffer) {
        recorder.update(index) { record in
            let room = Self.maxRecordedRequestBytes - record.requestText.utf8.count
            if room > 0, let text = bytes.getString(at: bytes.readerIndex, length: min(room, bytes.readableBytes)) {
                record.requestText += text
            }
        }
        switch handshake.receive(bytes) {
        case .needMoreData:
            return
        case .rejected(let error, let response):
            recorder.update(index) { $0.handshakeError = error }
            writeThenClose(context: context, response)
        case .accepted(let request, let leftover):
            recorder.update(index) { $0.request = request }
            answer(request, leftover: leftover, context: context)
        }
    }

    private func answer(_ request: HandshakeRequest, leftover: ByteBuffer, context: ChannelHandlerContext) {
        switch behavior.handshake {
        case .accept(let supported, let extraHeaders):
            let subprotocol = request.selectSubprotocol(supported: supported)
            let response: ByteBuffer
            do {
                response = try request.acceptingResponse(subprotocol: subprotocol, extraHeaders: extraHeaders)
            } catch {
                recorder.update(index) { $0.errors.append("cannot build the 101 response: \(error)") }
                writeThenClose(context: context, TestServer.responseHead(status: 500, reason: "Internal Server Error", headers: ["Content-Length": "0"]))
                return
            }
            recorder.update(index) { record in
                record.opened = true
                record.selectedSubprotocol = subprotocol
            }
            phase = .open
            connection = Connection(role: .server, configuration: Connection.Configuration(limits: behavior.limits))
            // The response head and the first outputs go out in one write: a client must cope
            // with a frame in the same packet as the handshake.
            var pending = response
            let stop = perform(behavior.onOpen, context: context, pending: &pending)
            if stop {
                finish(context: context, pending: pending, closeTransport: phase != .ignoring)
                return
            }
            if leftover.readableBytes > 0 { connection?.receiveData(leftover) }
            runEngine(context: context, pending: &pending)
        case .refuse(let status, let reason, var headers, let body):
            if !headers.contains(name: "Content-Length") { headers.add(name: "Content-Length", value: String(body.utf8.count)) }
            if !headers.contains(name: "Connection") { headers.add(name: "Connection", value: "close") }
            var response = TestServer.responseHead(status: status, reason: reason, headers: headers)
            response.writeString(body)
            writeThenClose(context: context, response)
        case .rawResponse(let makeResponse):
            phase = .ignoring
            context.writeAndFlush(wrapOutboundOut(makeResponse(request)), promise: nil)
        case .closeOnConnect, .closeBeforeResponding:
            phase = .closing
            context.close(promise: nil)
        case .neverRespond:
            phase = .ignoring
        }
    }

    // MARK: Engine

    /// Takes the engine's actions until it has none, answering messages per the behaviour, then
    /// writes everything queued in one flush.
    private func runEngine(context: ChannelHandlerContext, pending: inout ByteBuffer) {
        var closeTransport = false
        actions: while phase == .open, let action = connection?.nextAction() {
            switch action {
            case .deliverMessage(let message):
                messageCount += 1
                recorder.update(index) { $0.messages.append(message) }
                if perform(behavior.onMessage(message, messageCount), context: context, pending: &pending) {
                    closeTransport = phase != .ignoring
                    break actions
                }
            case .deliverPing(let payload):
                recorder.update(index) { $0.pings.append(payload) }
            case .deliverPong(let payload):
                recorder.update(index) { $0.pongs.append(payload) }
            case .closeFrameReceived(let frame):
                recorder.update(index) { $0.closeFrame = frame }
            case .startCloseTimer:
                startCloseTimer(context: context)
            case .closeTransport:
                closeTransport = true
                break actions
            }
        }
        drainEngine(into: &pending)
        finish(context: context, pending: pending, closeTransport: closeTransport)
    }

    /// Carries out `outputs` in order, collecting their bytes in `pending`; returns `true` when
    /// one of them stops the engine (TCP close, or ignoring from now on).
    private func perform(_ outputs: [TestServer.Output], context: ChannelHandlerContext, pending: inout ByteBuffer) -> Bool {
        for output in outputs {
            do {
                switch output {
                case .send(let message):
                    try connection?.send(message)
                case .ping(let payload):
                    try connection?.sendPing(payload)
                case .close(let code, let reason):
                    try connection?.startTheClosingHandshake(code: code.map(CloseCode.init(rawValue:)), reason: reason)
                case .raw(var bytes):
                    drainEngine(into: &pending)
                    pending.writeBuffer(&bytes)
                case .closeTransport:
                    drainEngine(into: &pending)
                    return true
                case .ignoreEverything:
                    drainEngine(into: &pending)
                    phase = .ignoring
                    return true
                }
            } catch {
                recorder.update(index) { $0.errors.append("cannot send \(output): \(error)") }
            }
            drainEngine(into: &pending)
        }
        return false
    }

    private func drainEngine(into pending: inout ByteBuffer) {
        while var bytes = connection?.nextBytesToSend() {
            pending.writeBuffer(&bytes)
        }
    }

    private func finish(context: ChannelHandlerContext, pending: ByteBuffer, closeTransport: Bool) {
        if closeTransport {
            writeThenClose(context: context, pending)
        } else if pending.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(pending), promise: nil)
        }
    }

    private func startCloseTimer(context: ChannelHandlerContext) {
        guard closeTimer == nil else { return }
        closeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: behavior.closeTimeout) {
            context.close(promise: nil)
        }
    }

    /// Writes `bytes`, then closes the TCP connection once they are written (or failed).
    private func writeThenClose(context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        phase = .closing
        context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
