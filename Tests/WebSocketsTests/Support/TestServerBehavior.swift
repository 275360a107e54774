import NIOCore
import WebSocketCore

extension TestServer {
    /// What a ``TestServer`` does with each connection: how it answers the opening handshake, what
    /// it sends as soon as the connection is open, and how it answers each message.
    ///
    /// The presets (`.echo`, `.refuse(status:)`, `.wrongAccept`, `.maskedFrame`, …) cover the
    /// cases the `WebSocket` tests need; build your own with
    /// ``init(handshake:onOpen:onMessage:limits:closeTimeout:)`` for anything else.
    struct Behavior: Sendable {
        /// How the server answers the opening handshake.
        var handshake: Handshake
        /// Sent right after the `101` response, in the same write (so usually the same TCP
        /// segment) as the response head. Only used with ``Handshake/accept(selecting:extraHeaders:)``.
        var onOpen: [Output]
        /// Called for each complete message received, with its 1-based number; returns what to send.
        var onMessage: @Sendable (_ message: Message, _ number: Int) -> [Output]
        /// Bounds on what the server's engine accepts from the client.
        var limits: Limits
        /// How long the server waits for the client's close frame (after sending its own) before
        /// it closes the TCP connection anyway (RFC 6455 §7.1.1).
        var closeTimeout: TimeAmount

        init(
            handshake: Handshake = .accept(),
            onOpen: [Output] = [],
            onMessage: @escaping @Sendable (_ message: Message, _ number: Int) -> [Output] = { message, _ in
                [.send(message)]
            },
            limits: Limits = Limits(),
            closeTimeout: TimeAmount = .seconds(5)
        ) {
            self.handshake = handshake
            self.onOpen = onOpen
            self.onMessage = onMessage
            self.limits = limits
            self.closeTimeout = closeTimeout
        }
    }

    /// How the server answers a client's opening handshake.
    ///
    /// A request the engine's ``ServerHandshake`` refuses (not a valid WebSocket handshake) is
    /// always answered with the engine's error response, whatever the behaviour says.
    enum Handshake: Sendable {
        /// Accept with `101`, selecting the first of `selecting` that the client offered (none if
        /// the client offered none of them), adding `extraHeaders`; then run the engine.
        case accept(selecting: [String] = [], extraHeaders: HTTPHeaders = [:])
        /// Refuse with this status, reason phrase, extra header fields and body, then close.
        case refuse(status: Int, reason: String, headers: HTTPHeaders = [:], body: String = "")
        /// Write whatever bytes the closure returns for the request, instead of a correct
        /// response; then read and discard everything the client sends, without answering, until
        /// the client closes.
        case rawResponse(@Sendable (HandshakeRequest) -> ByteBuffer)
        /// Close the TCP connection as soon as it is accepted, before reading anything.
        case closeOnConnect
        /// Read the whole request, then close the TCP connection without answering.
        case closeBeforeResponding
        /// Read the request and never answer, keeping the connection open (handshake time-outs).
        case neverRespond
    }

    /// One step the server takes after the handshake; steps run in order and their bytes go out
    /// in one write.
    enum Output: Sendable {
        /// A data message, through the engine (correctly framed, unmasked).
        case send(Message)
        /// A ping with this payload (at most 125 bytes), through the engine.
        case ping(ByteBuffer)
        /// Start the closing handshake with this code and reason (`nil` code: empty close
        /// payload), through the engine. The server then waits for the client's close frame and
        /// closes TCP, or closes it after ``Behavior/closeTimeout``.
        case close(code: UInt16?, reason: String)
        /// Bytes written as they are, bypassing the engine: for frames a correct server never sends.
        case raw(ByteBuffer)
        /// Close the TCP connection after writing what came before, without a closing handshake.
        case closeTransport
        /// Stop answering: from now on read and discard everything, send nothing, never close.
        case ignoreEverything
    }
}

// MARK: - Presets

extension TestServer.Behavior {
    /// Echo every message: text as text, binary as binary. Answers pings and closes like a
    /// correct server.
    static let echo = Self()

    /// Echo, selecting the first of `subprotocols` (the server's order of preference) that the
    /// client offered, or none.
    static func echo(selecting subprotocols: [String], extraHeaders: HTTPHeaders = [:]) -> Self {
        Self(handshake: .accept(selecting: subprotocols, extraHeaders: extraHeaders))
    }

    /// Send nothing and answer no message, but close like a correct server when the client does.
    static let silent = Self(onMessage: { _, _ in [] })

    /// Echo the first `count` messages, then start the closing handshake with `code` and
    /// `reason` after echoing the `count`th; with `count` 0, close right after the handshake.
    static func close(afterMessages count: Int, code: UInt16?, reason: String = "", echo: Bool = true) -> Self {
        Self(
            onOpen: count == 0 ? [.close(code: code, reason: reason)] : [],
            onMessage: { message, number in
                var outputs: [TestServer.Output] = echo ? [.send(message)] : []
                if number == count { outputs.append(.close(code: code, reason: reason)) }
                return outputs
            })
    }

    /// Accept the handshake, then close TCP at once, with no close frame: the client sees the
    /// connection open, then close abnormally (1006).
    static let closeAfterHandshake = Self(onOpen: [.closeTransport])

    /// Accept the handshake, then read and discard everything without answering or closing,
    /// not even the client's close frame: for close time-outs.
    static let ignoreAfterHandshake = Self(onOpen: [.ignoreEverything])

    /// Refuse the handshake with `status`, e.g. 403 or 500.
    static func refuse(status: Int, headers: HTTPHeaders = [:], body: String = "") -> Self {
        Self(handshake: .refuse(status: status, reason: reasonPhrase(status), headers: headers, body: body))
    }

    /// Refuse with `302 Found` and `Location: location`.
    static func redirect(to location: String, status: Int = 302) -> Self {
        Self(handshake: .refuse(status: status, reason: reasonPhrase(status), headers: ["Location": location]))
    }

    /// Close the TCP connection right after accepting it, before reading the request.
    static let closeOnConnect = Self(handshake: .closeOnConnect)

    /// Read the request, then close the TCP connection without a response.
    static let closeBeforeResponding = Self(handshake: .closeBeforeResponding)

    /// Read the request and never answer (handshake time-outs).
    static let neverRespond = Self(handshake: .neverRespond)

    // MARK: Wrong responses to the handshake

    /// Write `head` (a whole response head, CRLF CRLF included) instead of a correct response.
    static func rawResponse(_ head: String) -> Self {
        Self(handshake: .rawResponse { _ in ByteBuffer(string: head) })
    }

    /// A `101` whose `Sec-WebSocket-Accept` is computed from another key.
    static let wrongAccept = acceptLike { request in
        var headers = correctAcceptHeaders(for: request)
        headers.remove(name: "Sec-WebSocket-Accept")
        headers.add(name: "Sec-WebSocket-Accept", value: SecWebSocketKey.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ=="))
        return headers
    }

    /// A `101` with a correct `Sec-WebSocket-Accept` and `Connection` but no `Upgrade` field.
    static let missingUpgrade = acceptLike { request in
        var headers = correctAcceptHeaders(for: request)
        headers.remove(name: "Upgrade")
        return headers
    }

    /// A `101` with a correct `Sec-WebSocket-Accept` and `Upgrade` but no `Connection` field.
    static let missingConnection = acceptLike { request in
        var headers = correctAcceptHeaders(for: request)
        headers.remove(name: "Connection")
        return headers
    }

    /// `200 OK` with an empty body instead of `101`.
    static let status200 = rawResponse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    /// A correct `101` that also selects `subprotocol`, which the client did not offer.
    static func unofferedSubprotocol(_ subprotocol: String = "unoffered") -> Self {
        acceptLike { request in
            var headers = correctAcceptHeaders(for: request)
            headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
            return headers
        }
    }

    /// A correct `101` that also accepts extension `name`, which the client did not offer.
    static func unofferedExtension(_ name: String = "x-unoffered") -> Self {
        acceptLike { request in
            var headers = correctAcceptHeaders(for: request)
            headers.add(name: "Sec-WebSocket-Extensions", value: name)
            return headers
        }
    }

    // MARK: Wrong frames after a correct handshake

    /// A masked text frame (`"masked"`) from the server, right after the handshake (RFC 6455
    /// §5.1: the client must fail the connection, 1002).
    static let maskedFrame = Self(onOpen: [.raw(TestServer.frameBytes(.text, "masked", maskingKey: MaskingKey(rawValue: 0x37FA_213D)))])

    /// A text frame whose payload is not UTF-8 (`C3 28`), right after the handshake (the
    /// client must fail the connection, 1007).
    static let invalidUTF8 = Self(onOpen: [.raw(TestServer.frameBytes(.text, [0xC3, 0x28]))])

    /// A frame header announcing 100 bytes of binary payload, then 10 bytes, then TCP close.
    static let closeMidFrame = Self(onOpen: [.raw(TestServer.truncatedFrameBytes(announced: 100, sent: 10)), .closeTransport])

    /// A text message sent in the same write as the `101` response head.
    static func messageWithHandshake(_ text: String = "sent with the handshake") -> Self {
        Self(onOpen: [.send(.text(text))])
    }

    /// A binary message of `size` bytes right after the handshake (for the client's size limit).
    static func oversizedMessage(size: Int) -> Self {
        Self(onOpen: [.send(.binary(ByteBuffer(repeating: 0x2A, count: size)))])
    }

    // MARK: Building blocks

    /// Accept the request's key, but with the header fields `fields` returns: a `101` head
    /// written raw, then the server sends nothing more.
    static func acceptLike(_ fields: @escaping @Sendable (HandshakeRequest) -> HTTPHeaders) -> Self {
        Self(handshake: .rawResponse { request in
            TestServer.responseHead(status: 101, reason: "Switching Protocols", headers: fields(request))
        })
    }

    /// The fields of a correct `101` for `request`, selecting nothing.
    static func correctAcceptHeaders(for request: HandshakeRequest) -> HTTPHeaders {
        [
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Accept": request.key.acceptValue,
        ]
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 101: "Switching Protocols"
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 307: "Temporary Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status \(status)"
        }
    }
}

// MARK: - Wire helpers

extension TestServer {
    /// A response head on the wire: status line, fields, CRLF CRLF.
    static func responseHead(status: Int, reason: String, headers: HTTPHeaders) -> ByteBuffer {
        var text = "HTTP/1.1 \(status) \(reason)\r\n"
        for field in headers { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return ByteBuffer(string: text)
    }

    /// One complete frame with a text payload, masked if `maskingKey` is given.
    static func frameBytes(_ opcode: Opcode, _ text: String, fin: Bool = true, maskingKey: MaskingKey? = nil) -> ByteBuffer {
        frameBytes(opcode, Array(text.utf8), fin: fin, maskingKey: maskingKey)
    }

    /// One complete frame with `payload`, masked if `maskingKey` is given.
    static func frameBytes(_ opcode: Opcode, _ payload: [UInt8], fin: Bool = true, maskingKey: MaskingKey? = nil) -> ByteBuffer {
        var buffer = ByteBuffer()
        Frame(fin: fin, opcode: opcode, payload: ByteBuffer(bytes: payload)).write(to: &buffer, maskingKey: maskingKey)
        return buffer
    }

    /// An unmasked binary frame header announcing `announced` payload bytes, followed by only
    /// `sent` of them.
    static func truncatedFrameBytes(announced: Int, sent: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        FrameHeader(fin: true, opcode: .binary, maskingKey: nil, payloadLength: announced).write(to: &buffer)
        buffer.writeRepeatingByte(0x2A, count: min(sent, announced))
        return buffer
    }
}
