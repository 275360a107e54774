import DequeModule
public import NIOCore

/// The RFC 6455 protocol engine for one open connection, in either role: bytes in,
/// actions and bytes out, with no I/O of its own.
///
/// The I/O layer feeds what it reads to ``receiveData(_:)``, then takes actions from
/// ``nextAction(decodingInput:)`` until it returns `nil`; whenever it has called into the engine it writes
/// what ``nextBytesToSend()`` hands out and flushes once. When the transport closes it calls
/// ``transportClosed()`` for the outcome. Sending (`send…`, ``startTheClosingHandshake(code:reason:)``)
/// only queues bytes.
///
/// ```swift
/// connection.receiveData(bytes)
/// while let action = connection.nextAction() { … }
/// while let bytes = connection.nextBytesToSend() { channel.write(bytes) }
/// channel.flush()
/// ```
///
/// The opening handshake happens before: a `Connection` starts in the OPEN state (§4.1
/// "_The WebSocket Connection is Established_").
public struct Connection: Sendable {
    /// The connection's state from RFC 6455 §4.1 and §7, after the opening handshake.
    public enum State: Sendable, Hashable {
        /// Data may flow both ways.
        case open
        /// A close frame was sent or received; waiting for the rest of the closing handshake
        /// or for the transport to close.
        case closing
        /// The transport is closed (§7.1.4 "_The WebSocket Connection is Closed_").
        case closed
    }

    /// Options for one connection; every property has a documented default.
    public struct Configuration: Sendable, Hashable {
        /// Bounds on what the peer may send.
        public var limits: Limits
        /// Outgoing messages longer than this are split into frames carrying at most this many
        /// payload bytes (§5.4); `nil`, the default, sends every message as a single frame.
        public var outgoingFragmentSize: Int?
        /// RSV bits the negotiated extensions define (none until an extension is negotiated).
        /// RSV1 is added by itself when ``perMessageDeflate`` is set.
        public var allowedReservedBits: ReservedBits
        /// The permessage-deflate parameters the opening handshake negotiated (RFC 7692 §7.1),
        /// or `nil`, the default, if it did not: messages then go uncompressed and RSV1 is a
        /// protocol error. When set, a message whose first frame has RSV1 is decompressed, and
        /// messages are sent compressed as ``compression`` says.
        public var perMessageDeflate: PerMessageDeflate.Parameters?
        /// How this side compresses when ``perMessageDeflate`` is set: its
        /// ``PerMessageDeflate/Configuration/compressionLevel``,
        /// ``PerMessageDeflate/Configuration/memoryLevel`` and
        /// ``PerMessageDeflate/Configuration/threshold`` (the negotiation preferences in it
        /// are not used here). Pass the configuration that negotiated; the default is
        /// `PerMessageDeflate.Configuration()`.
        public var compression: PerMessageDeflate.Configuration

        /// Creates a configuration; every parameter has the documented default.
        public init(
            limits: Limits = Limits(), outgoingFragmentSize: Int? = nil, allowedReservedBits: ReservedBits = [],
            perMessageDeflate: PerMessageDeflate.Parameters? = nil,
            compression: PerMessageDeflate.Configuration = PerMessageDeflate.Configuration()
        ) {
            precondition(outgoingFragmentSize.map { $0 > 0 } ?? true, "outgoingFragmentSize must be positive")
            self.limits = limits
            self.outgoingFragmentSize = outgoingFragmentSize
            self.allowedReservedBits = allowedReservedBits
            self.perMessageDeflate = perMessageDeflate
            self.compression = compression
        }
    }

    /// Which end of the connection this engine is; it decides which way frames are masked (§5.1).
    public let role: Role
    /// The options the engine was created with.
    public let configuration: Configuration
    /// Where the connection is in its life (§4.1, §7); starts at ``State/open``.
    public private(set) var state = State.open
    /// The close frame received from the peer, if any (§7.1.5 takes the close code from it).
    public private(set) var receivedCloseFrame: CloseFrame?
    /// Whether this side has sent (queued) its close frame; no data frame may follow.
    public private(set) var closeFrameSent = false
    /// The peer's violation that made this side fail the connection, if any.
    public private(set) var failure: ProtocolError?

    private var decoder: FrameDecoder
    private var assembler: MessageAssembler
    private var outbound = OutboundQueue()
    // A deque allocates nothing until used: only closing queues actions, and every idle
    // connection holds this.
    private var actions = Deque<ConnectionAction>()
    private var maskingKeys: any RandomNumberGenerator & Sendable
    /// Compresses outgoing messages; `nil` without permessage-deflate, or when this side's
    /// window is 8 bits, which zlib cannot compress with.
    private var compressor: PerMessageDeflate.Compressor?

    /// Creates the engine for a connection whose opening handshake has completed.
    ///
    /// - Parameters:
    ///   - role: Which end of the connection this engine is.
    ///   - configuration: Limits, fragmentation, and the extensions negotiated in the
    ///     handshake, permessage-deflate among them.
    ///   - maskingKeyGenerator: where a client's masking keys come from; the default
    ///     is the system CSPRNG, as RFC 6455 §5.3 requires. Tests pass a seeded generator.
    public init(
        role: Role,
        configuration: Configuration = Configuration(),
        maskingKeyGenerator: some RandomNumberGenerator & Sendable = SystemMaskingKeyGenerator()
    ) {
        self.role = role
        self.configuration = configuration
        let limits = configuration.limits
        var allowedReservedBits = configuration.allowedReservedBits
        var decompressor: PerMessageDeflate.Decompressor?
        if let deflate = configuration.perMessageDeflate {
            allowedReservedBits.insert(.rsv1)
            let peer: Role = role == .client ? .server : .client
            decompressor = PerMessageDeflate.Decompressor(
                windowBits: deflate.maxWindowBits(sentBy: peer), noContextTakeover: deflate.noContextTakeover(sentBy: peer))
            // With an 8-bit window every message goes uncompressed, as RFC 7692 §6 allows.
            let windowBits = deflate.maxWindowBits(sentBy: role)
            if windowBits >= 9 {
                compressor = PerMessageDeflate.Compressor(
                    windowBits: windowBits, noContextTakeover: deflate.noContextTakeover(sentBy: role),
                    level: configuration.compression.compressionLevel, memoryLevel: configuration.compression.memoryLevel)
            }
        }
        self.decoder = FrameDecoder(
            role: role, allowedReservedBits: allowedReservedBits, maxFrameSize: min(limits.maxFrameSize, limits.maxMessageSize))
        self.assembler = MessageAssembler(limits: limits, decompressor: decompressor)
        self.maskingKeys = maskingKeyGenerator
    }

    // MARK: Input

    /// Hands the engine bytes read from the transport. Bytes that arrive after a close frame
    /// was received, or after the connection was failed, are discarded (§5.5.1, §7.1.7).
    public mutating func receiveData(_ bytes: ByteBuffer) {
        guard processesInput else { return }
        decoder.append(bytes)
    }

    /// The next thing the I/O layer must do, or `nil` when the received bytes are used up.
    ///
    /// With `decodingInput` false only actions already queued (by sending, closing or failing)
    /// are returned and received bytes stay buffered: that is how the I/O layer applies
    /// backpressure without holding back the engine's own requests, such as the close timer.
    public mutating func nextAction(decodingInput: Bool = true) -> ConnectionAction? {
        if let action = actions.popFirst() { return action }
        guard decodingInput else { return nil }
        do {
            while processesInput, let output = try decoder.next() {
                switch output {
                case .header(let header):
                    if header.opcode.isControl { try checkControlHeader(header) } else { try assembler.receiveHeader(header) }
                case .frame(let frame):
                    if let action = try receiveFrame(frame) { return action }
                }
            }
            if processesInput {
                try decoder.withPendingPayload { header, bytes throws(ProtocolError) in
                    if !header.opcode.isControl { try assembler.receivePartialPayload(bytes) }
                }
            }
        } catch {
            failTheWebSocketConnection(error)
        }
        return actions.popFirst()
    }

    /// Records that the TCP connection is closed and returns how the WebSocket connection
    /// ended (§7.1.4–§7.1.6). Calling it again returns the same outcome.
    public mutating func transportClosed() -> ConnectionClosure {
        if state != .closed {
            state = .closed
            actions.removeAll()
        }
        // Built each time rather than kept (every connection would carry it): nothing it reads
        // changes once the connection is closed.
        return ConnectionClosure(
            code: receivedCloseFrame.map { $0.code?.rawValue ?? CloseCode.noStatusReceived.rawValue }
                ?? CloseCode.abnormalClosure.rawValue,
            reason: receivedCloseFrame?.reason ?? "",
            wasClean: closeFrameSent && receivedCloseFrame != nil && failure == nil,
            failure: failure)
    }

    // MARK: Output

    /// The next bytes to write to the transport, oldest first; `nil` when none are queued.
    public mutating func nextBytesToSend() -> ByteBuffer? {
        outbound.next()
    }

    /// Whether bytes are waiting for ``nextBytesToSend()``.
    public var hasBytesToSend: Bool { !outbound.isEmpty }

    /// Queues a data message.
    public mutating func send(_ message: Message) throws(SendError) {
        switch message {
        case .text(let text): try sendText(text)
        case .binary(let bytes): try sendBinary(bytes)
        }
    }

    /// Queues a text message: the string's UTF-8 bytes, compressed if permessage-deflate is
    /// in use, split per `outgoingFragmentSize`.
    public mutating func sendText(_ text: String) throws(SendError) {
        guard !closeFrameSent else { throw .closeAlreadySent }
        var text = text
        text.withUTF8 { sendFrames(copying: UnsafeRawBufferPointer($0), opcode: .text) }
    }

    /// Queues a binary message whose bytes are copied into the frames as they are serialised
    /// (a client masks them in the same pass), compressed if permessage-deflate is in use,
    /// split per `outgoingFragmentSize`. For bytes that are not in a `ByteBuffer` already,
    /// this saves making one first.
    public mutating func sendBinary(_ bytes: UnsafeRawBufferPointer) throws(SendError) {
        guard !closeFrameSent else { throw .closeAlreadySent }
        sendFrames(copying: bytes, opcode: .binary)
    }

    /// Queues a binary message, compressed if permessage-deflate is in use, split per
    /// `outgoingFragmentSize`. A server sends a large uncompressed payload straight from
    /// `bytes`, without copying it.
    public mutating func sendBinary(_ bytes: ByteBuffer) throws(SendError) {
        guard !closeFrameSent else { throw .closeAlreadySent }
        if let compressed = bytes.withUnsafeReadableBytes({ compressed($0) }) {
            return sendFrames(of: compressed, opcode: .binary, compressed: true)
        }
        sendFrames(of: bytes, opcode: .binary, compressed: false)
    }

    /// Queues a ping (§5.5.2); its payload is at most 125 bytes.
    public mutating func sendPing(_ payload: ByteBuffer = ByteBuffer()) throws(SendError) {
        try sendControlFrame(.ping, payload: payload)
    }

    /// Queues an unsolicited pong, a unidirectional heartbeat (§5.5.3).
    public mutating func sendPong(_ payload: ByteBuffer = ByteBuffer()) throws(SendError) {
        try sendControlFrame(.pong, payload: payload)
    }

    /// RFC 6455 §7.1.2 "_Start the WebSocket Closing Handshake_": queues a close frame with
    /// `code` and `reason` (no payload when `code` is `nil`; `reason` is then ignored) and
    /// asks for the close timer. Does nothing once a close frame was sent or received, or
    /// the connection was failed.
    public mutating func startTheClosingHandshake(code: CloseCode? = nil, reason: String = "") throws(SendError) {
        guard state == .open else { return }
        if let code, !code.isAllowedOnTheWire { throw .invalidCloseCode(code.rawValue) }
        let frame = CloseFrame(code: code, reason: reason)
        let payload = frame.payload
        guard payload.readableBytes <= 125 else { throw .controlPayloadTooLong(payload.readableBytes) }
        sendCloseFrame(frame)
        actions.append(.startCloseTimer)
    }

    // MARK: Inside

    /// Input is processed until a close frame arrives or the connection is failed.
    private var processesInput: Bool {
        receivedCloseFrame == nil && failure == nil && state != .closed
    }

    private mutating func receiveFrame(_ frame: Frame) throws(ProtocolError) -> ConnectionAction? {
        switch frame.opcode {
        case .text, .binary, .continuation:
            return try assembler.receiveFrame(frame).map(ConnectionAction.deliverMessage)
        case .ping:
            // Once our close frame is out, only the peer's close matters (§5.5.1).
            if !closeFrameSent {
                outbound.writeFrame(fin: true, opcode: .pong, payload: frame.payload, maskingKey: nextMaskingKey())
            }
            return .deliverPing(frame.payload)
        case .pong:
            return .deliverPong(frame.payload)
        case .close:
            let close = try CloseFrame(parsing: frame.payload)
            receivedCloseFrame = close
            let weStarted = closeFrameSent
            // Echo the code (§5.5.1) and the reason: the peer sees its own close answered.
            if !weStarted { sendCloseFrame(close) }
            state = .closing
            actions.append(.closeFrameReceived(close))
            // §7.1.1: the server closes TCP first; a client waits for it, within a timeout.
            switch role {
            case .server: actions.append(.closeTransport)
            case .client where !weStarted: actions.append(.startCloseTimer)
            case .client: break
            }
            return actions.popFirst()
        }
    }

    /// RFC 6455 §7.1.7 "_Fail the WebSocket Connection_": send a close frame with the
    /// error's code unless one was sent, process nothing more, close the transport.
    private mutating func failTheWebSocketConnection(_ error: ProtocolError) {
        failure = error
        if !closeFrameSent { sendCloseFrame(CloseFrame(code: error.closeCode)) }
        state = .closing
        actions.append(.closeTransport)
    }

    private mutating func sendCloseFrame(_ frame: CloseFrame) {
        outbound.writeFrame(fin: true, opcode: .close, payload: frame.payload, maskingKey: nextMaskingKey())
        closeFrameSent = true
        state = .closing
    }

    /// The message compressed (RFC 7692 §7.2.1), or `nil` when it goes as it is: without
    /// permessage-deflate, or below the threshold.
    private mutating func compressed(_ message: UnsafeRawBufferPointer) -> ByteBuffer? {
        guard compressor != nil, message.count >= configuration.compression.threshold else { return nil }
        return compressor!.compress(message)
    }

    /// Queues a message's payload, compressed or else copied into its frames.
    private mutating func sendFrames(copying payload: UnsafeRawBufferPointer, opcode: Opcode) {
        if let compressed = compressed(payload) {
            return sendFrames(of: compressed, opcode: opcode, compressed: true)
        }
        Self.forEachFragment(of: payload.count, size: configuration.outgoingFragmentSize, opcode: opcode) {
            frameOpcode, range, fin in
            outbound.writeFrame(
                fin: fin, opcode: frameOpcode, payload: UnsafeRawBufferPointer(rebasing: payload[range]),
                maskingKey: nextMaskingKey())
        }
    }

    /// Queues a message's payload as frames, split per `outgoingFragmentSize`; RSV1 marks a
    /// compressed message on its first frame only (RFC 7692 §6).
    private mutating func sendFrames(of payload: ByteBuffer, opcode: Opcode, compressed: Bool) {
        Self.forEachFragment(of: payload.readableBytes, size: configuration.outgoingFragmentSize, opcode: opcode) {
            frameOpcode, range, fin in
            let fragment = payload.getSlice(at: payload.readerIndex + range.lowerBound, length: range.count)!
            let reservedBits: ReservedBits = compressed && frameOpcode != .continuation ? .rsv1 : []
            outbound.writeFrame(
                fin: fin, reservedBits: reservedBits, opcode: frameOpcode, payload: fragment, maskingKey: nextMaskingKey())
        }
    }

    /// With permessage-deflate, RSV1 on a control frame is a protocol error (RFC 7692 §6:
    /// control frames are never compressed). Without it, the decoder refuses RSV1 unless
    /// another extension claims the bit.
    private func checkControlHeader(_ header: FrameHeader) throws(ProtocolError) {
        guard configuration.perMessageDeflate != nil, header.reservedBits.contains(.rsv1) else { return }
        throw .misplacedCompressionBit(header.opcode)
    }

    private mutating func sendControlFrame(_ opcode: Opcode, payload: ByteBuffer) throws(SendError) {
        guard !closeFrameSent else { throw .closeAlreadySent }
        guard payload.readableBytes <= 125 else { throw .controlPayloadTooLong(payload.readableBytes) }
        outbound.writeFrame(fin: true, opcode: opcode, payload: payload, maskingKey: nextMaskingKey())
    }

    /// Calls `body` for each frame of a message of `count` bytes split into frames of at most
    /// `size` bytes: its opcode (the message's, then continuation), its byte range, and
    /// whether it is the last. An empty message is one empty frame.
    private static func forEachFragment(
        of count: Int, size: Int?, opcode: Opcode, _ body: (Opcode, Range<Int>, Bool) -> Void
    ) {
        let size = size ?? max(count, 1)
        var start = 0
        var frameOpcode = opcode
        repeat {
            let end = min(start + size, count)
            body(frameOpcode, start..<end, end == count)
            frameOpcode = .continuation
            start = end
        } while start < count
    }

    private mutating func nextMaskingKey() -> MaskingKey? {
        role == .client ? MaskingKey(rawValue: UInt32(truncatingIfNeeded: maskingKeys.next())) : nil
    }
}
