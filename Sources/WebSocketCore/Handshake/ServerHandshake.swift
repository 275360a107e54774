public import NIOCore

/// The server side of the opening handshake (RFC 6455 §4.2), sans I/O: validates the client's
/// request as its bytes arrive and, when it must refuse, builds the HTTP error response to send.
///
/// On acceptance, answer with ``HandshakeRequest/acceptingResponse(subprotocol:extensions:extraHeaders:)``.
public struct ServerHandshake: Sendable {
    /// Where the server is in reading the request.
    public enum Progress: Sendable, Hashable {
        /// The request head is not complete yet; feed more bytes.
        case needMoreData
        /// The request is a valid WebSocket handshake. `leftover` holds bytes that followed the
        /// head in this chunk; a conforming client sends none before the response (RFC 6455 §4.1),
        /// but whatever came belongs to the frame stream.
        case accepted(HandshakeRequest, leftover: ByteBuffer)
        /// The request cannot be accepted: send `response`, then close the connection
        /// (RFC 6455 §4.2.1: "stop processing the client's handshake and return an HTTP response
        /// with an appropriate error code").
        case rejected(HandshakeError, response: ByteBuffer)
    }

    private var parser: HTTPHeadParser

    /// Creates a server handshake that bounds the request head by `limits`.
    public init(limits: HandshakeLimits = HandshakeLimits()) {
        self.parser = HTTPHeadParser(kind: .request, limits: limits)
    }

    /// Reads request bytes as they arrive, in any chunking.
    ///
    /// Returns ``Progress/needMoreData`` until the head is complete or broken, then the verdict.
    /// Once decided, later calls give the same verdict again (with their own bytes as leftover).
    public mutating func receive(_ bytes: ByteBuffer) -> Progress {
        var bytes = bytes
        do throws(HandshakeError) {
            guard case .request(let head) = try parser.parse(&bytes) else { return .needMoreData }
            return .accepted(try Self.validate(head), leftover: bytes)
        } catch {
            return .rejected(error, response: Self.rejectingResponse(for: error))
        }
    }

    /// Validates a complete request head against RFC 6455 §4.2.1, items 1–6 and the optional
    /// fields of items 8–9, in that order.
    ///
    /// - Throws: ``HandshakeError`` for the first rule the request breaks.
    public static func validate(_ head: HTTPRequestHead) throws(HandshakeError) -> HandshakeRequest {
        guard head.method == "GET" else { throw .methodNotAllowed(head.method) }
        guard head.version == .http1_1 else { throw .unsupportedHTTPVersion(head.version) }
        let headers = head.headers

        let hosts = headers["Host"]
        guard let host = hosts.first else { throw .missingHost }
        guard hosts.count == 1 else { throw .duplicateHeaderField("Host") }

        guard headers.containsToken("websocket", inList: "Upgrade") else { throw .missingUpgrade }
        guard headers.containsToken("upgrade", inList: "Connection") else { throw .missingConnectionUpgrade }

        // Checked before the key so that a client of another protocol version learns which
        // version to retry with (RFC 6455 §4.4).
        let versions = headers["Sec-WebSocket-Version"]
        guard versions == ["13"] else {
            throw .unsupportedWebSocketVersion(versions.isEmpty ? nil : versions.joined(separator: ", "))
        }

        let keys = headers["Sec-WebSocket-Key"]
        guard let keyValue = keys.first else { throw .missingKey }
        guard keys.count == 1 else { throw .duplicateHeaderField("Sec-WebSocket-Key") }
        guard let key = SecWebSocketKey(keyValue) else { throw .invalidKey(keyValue) }

        let protocols = headers.listValues(name: "Sec-WebSocket-Protocol")
        if let invalid = protocols.first(where: { !HTTPGrammar.isToken($0) }) {
            throw .invalidSubprotocolHeader(invalid)
        }
        if protocols.isEmpty, headers.contains(name: "Sec-WebSocket-Protocol") {
            throw .invalidSubprotocolHeader(headers["Sec-WebSocket-Protocol"].joined(separator: ", "))
        }
        let extensions = try ExtensionHeader.parse(headers["Sec-WebSocket-Extensions"])

        return HandshakeRequest(
            head: head, host: host, origin: headers.first(name: "Origin"), key: key, protocols: protocols,
            extensions: extensions)
    }

    /// The status code a server answers `error` with, and why that one:
    ///
    /// - 405 Method Not Allowed for a method other than GET: RFC 9110 §15.5.6 fits exactly and the
    ///   response names `GET` in `Allow`, which a plain 400 cannot tell the client.
    /// - 505 HTTP Version Not Supported for a version other than HTTP/1.1 (RFC 9110 §15.6.6).
    /// - 426 Upgrade Required when `Upgrade` lacks `websocket` (RFC 9110 §15.5.22: the resource
    ///   needs a protocol upgrade; python-websockets answers the same) or when
    ///   `Sec-WebSocket-Version` is not 13 (RFC 6455 §4.2.2 item 4, §4.4).
    /// - 431 Request Header Fields Too Large when a ``HandshakeLimits`` bound is hit (RFC 6585 §5).
    /// - 400 Bad Request for everything else (RFC 6455 §4.2.1, RFC 9112 §3.2 for `Host`).
    public static func rejectionStatus(for error: HandshakeError) -> (code: Int, reason: String) {
        switch error {
        case .methodNotAllowed: (405, "Method Not Allowed")
        case .unsupportedHTTPVersion: (505, "HTTP Version Not Supported")
        case .missingUpgrade, .unsupportedWebSocketVersion: (426, "Upgrade Required")
        case .headTooLarge, .tooManyHeaderFields: (431, "Request Header Fields Too Large")
        default: (400, "Bad Request")
        }
    }

    /// The response head refusing a handshake for `error`, with the fields its status calls for:
    /// `Allow: GET` for 405; `Upgrade: websocket` for 426 (RFC 9110 §15.5.22), plus
    /// `Sec-WebSocket-Version: 13` for a version mismatch (RFC 6455 §4.2.2 item 4). Every refusal
    /// says `Connection: close` and carries `error`'s description as a short plain-text body,
    /// which the head's `Content-Length` counts.
    public static func rejectingResponseHead(for error: HandshakeError) -> HTTPResponseHead {
        let status = rejectionStatus(for: error)
        var headers = HTTPHeaders()
        switch error {
        case .methodNotAllowed:
            headers.add(name: "Allow", value: "GET")
        case .missingUpgrade, .unsupportedWebSocketVersion:
            headers.add(name: "Upgrade", value: "websocket")
            if case .unsupportedWebSocketVersion = error { headers.add(name: "Sec-WebSocket-Version", value: "13") }
        default:
            break
        }
        // A sender of Upgrade must list it in Connection (RFC 9110 §7.8); we close either way.
        headers.add(name: "Connection", value: headers.contains(name: "Upgrade") ? "Upgrade, close" : "close")
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(rejectionBody(for: error).utf8.count))
        return HTTPResponseHead(statusCode: status.code, reasonPhrase: status.reason, headers: headers)
    }

    /// The full refusal for `error`, head and body, ready to send before closing.
    public static func rejectingResponse(for error: HandshakeError) -> ByteBuffer {
        var buffer = ByteBuffer()
        rejectingResponseHead(for: error).write(into: &buffer)
        buffer.writeString(rejectionBody(for: error))
        return buffer
    }

    /// A refusal the server's application chose (RFC 6455 §4.2.2 item 1: "the server MAY reply
    /// with any status code"): `status` and `reasonPhrase`, the caller's fields, then
    /// `Connection: close`, a `Content-Type` unless given, and the `Content-Length` of `body`.
    ///
    /// - Throws: ``HandshakeError/invalidHeaderField(name:)`` for a field that is not valid HTTP,
    ///   ``HandshakeError/reservedHeaderField(_:)`` for `Connection` or `Content-Length`.
    public static func refusingResponse(
        status: Int, reasonPhrase: String, headers: HTTPHeaders = [:], body: String = ""
    ) throws(HandshakeError) -> ByteBuffer {
        try headers.checkExtraFields(reserved: ["Connection", "Content-Length"])
        var fields = headers
        fields.add(name: "Connection", value: "close")
        if !fields.contains(name: "Content-Type") { fields.add(name: "Content-Type", value: "text/plain; charset=utf-8") }
        fields.add(name: "Content-Length", value: String(body.utf8.count))
        let reason = HTTPGrammar.isFieldValue(reasonPhrase) ? reasonPhrase : ""
        var buffer = ByteBuffer()
        HTTPResponseHead(statusCode: status, reasonPhrase: reason, headers: fields).write(into: &buffer)
        buffer.writeString(body)
        return buffer
    }

    private static func rejectionBody(for error: HandshakeError) -> String {
        "\(error)\n"
    }
}
