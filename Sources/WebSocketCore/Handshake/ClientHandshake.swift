public import NIOCore

/// The client side of the opening handshake (RFC 6455 §4.1), sans I/O: builds the request and
/// validates the server's response as its bytes arrive.
///
/// Also applies the WebSocket Standard's extra check (WHATWG WebSockets §2.2): a server that
/// selects no subprotocol when some were offered fails the connection.
public struct ClientHandshake: Sendable {
    /// Where the client is in reading the response.
    public enum Progress: Sendable, Hashable {
        /// The response head is not complete yet; feed more bytes.
        case needMoreData
        /// The server accepted; the connection is open (RFC 6455 §4.1, "established").
        case accepted(HandshakeResult)
    }

    /// Fields the handshake sets itself, so extra headers may not repeat them.
    static let reservedFields = [
        "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
        "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
    ]

    /// The `Host` field value, port included when it is not the scheme's default.
    public let host: String
    /// The request-target: path and query, `/` at least (RFC 6455 §3 "resource name").
    public let resourceName: String
    /// The subprotocols offered, in order of preference.
    public let protocols: [String]
    /// The extensions offered, in order of preference.
    public let extensions: [ExtensionOffer]
    /// Further fields sent after the handshake's own, in order.
    public let extraHeaders: HTTPHeaders
    /// The nonce sent as `Sec-WebSocket-Key`.
    public let key: SecWebSocketKey
    private var parser: HTTPHeadParser

    /// Creates a handshake from a ready `Host` value (`example.com`, `example.com:8080`, `[::1]`).
    ///
    /// - Parameters:
    ///   - host: The `Host` field value (RFC 9112 §3.2), port included if not the default.
    ///   - resourceName: Path and query to request, starting with `/` (RFC 6455 §3).
    ///   - protocols: Subprotocols to offer; tokens, no duplicates (WHATWG WebSockets §3.1).
    ///   - extensions: Extensions to offer, in `Sec-WebSocket-Extensions` (RFC 6455 §9.1).
    ///   - extraHeaders: Further fields, such as `Origin` or `Authorization`; none may be one of
    ///     the fields the handshake sets itself.
    ///   - key: The nonce; a fresh one from the system's secure generator by default.
    ///   - limits: Bounds on the response head.
    /// - Throws: ``HandshakeError`` naming the first argument that cannot be sent.
    public init(
        host: String,
        resourceName: String = "/",
        protocols: [String] = [],
        extensions: [ExtensionOffer] = [],
        extraHeaders: HTTPHeaders = [:],
        key: SecWebSocketKey = SecWebSocketKey(),
        limits: HandshakeLimits = HandshakeLimits()
    ) throws(HandshakeError) {
        guard !host.isEmpty, host.utf8.allSatisfy(HTTPGrammar.isVisibleASCII) else { throw .invalidHost(host) }
        guard resourceName.utf8.first == UInt8(ascii: "/"), resourceName.utf8.allSatisfy(HTTPGrammar.isVisibleASCII)
        else { throw .invalidResourceName(resourceName) }
        for (index, subprotocol) in protocols.enumerated() {
            guard HTTPGrammar.isToken(subprotocol) else { throw .invalidSubprotocol(subprotocol) }
            guard !protocols[..<index].contains(subprotocol) else { throw .duplicateSubprotocol(subprotocol) }
        }
        if let invalid = extensions.first(where: { !$0.isValid }) { throw .invalidExtension(invalid.description) }
        try extraHeaders.checkExtraFields(reserved: Self.reservedFields)
        self.host = host
        self.resourceName = resourceName
        self.protocols = protocols
        self.extensions = extensions
        self.extraHeaders = extraHeaders
        self.key = key
        self.parser = HTTPHeadParser(kind: .response, limits: limits)
    }

    /// Creates a handshake for a host name or IP literal and port, building the `Host` value
    /// with ``hostField(host:port:secure:)``. Other parameters as in
    /// ``init(host:resourceName:protocols:extensions:extraHeaders:key:limits:)``.
    public init(
        host: String,
        port: Int,
        secure: Bool,
        resourceName: String = "/",
        protocols: [String] = [],
        extensions: [ExtensionOffer] = [],
        extraHeaders: HTTPHeaders = [:],
        key: SecWebSocketKey = SecWebSocketKey(),
        limits: HandshakeLimits = HandshakeLimits()
    ) throws(HandshakeError) {
        try self.init(
            host: Self.hostField(host: host, port: port, secure: secure), resourceName: resourceName,
            protocols: protocols, extensions: extensions, extraHeaders: extraHeaders, key: key, limits: limits)
    }

    /// The `Host` field value for a host and port (RFC 6455 §4.1 item 4, RFC 9112 §3.2): the port
    /// is left out when it is the scheme's default (80 for `ws`, 443 for `wss`), and an IPv6
    /// literal is put in brackets (RFC 3986 §3.2.2).
    public static func hostField(host: String, port: Int?, secure: Bool) -> String {
        let isBareIPv6 = host.utf8.contains(UInt8(ascii: ":")) && host.utf8.first != UInt8(ascii: "[")
        let name = isBareIPv6 ? "[\(host)]" : host
        guard let port, port != (secure ? 443 : 80) else { return name }
        return "\(name):\(port)"
    }

    /// The request head the client sends (RFC 6455 §4.1 items 1–12), fields in this order:
    /// `Host`, `Upgrade`, `Connection`, `Sec-WebSocket-Key`, `Sec-WebSocket-Version`, then
    /// `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions` if anything is offered, then the
    /// extra headers.
    public var requestHead: HTTPRequestHead {
        var headers: HTTPHeaders = [
            "Host": host,
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": key.value,
            "Sec-WebSocket-Version": "13",
        ]
        if !protocols.isEmpty {
            // One combined line, as the WebSocket Standard's "combine" produces (WHATWG §2.2).
            headers.add(name: "Sec-WebSocket-Protocol", value: protocols.joined(separator: ", "))
        }
        if !extensions.isEmpty {
            headers.add(name: "Sec-WebSocket-Extensions", value: ExtensionHeader.serialize(extensions))
        }
        for field in extraHeaders { headers.add(name: field.name, value: field.value) }
        return HTTPRequestHead(method: "GET", target: resourceName, headers: headers)
    }

    /// Appends the request's bytes to `buffer`.
    public func writeRequest(into buffer: inout ByteBuffer) {
        requestHead.write(into: &buffer)
    }

    /// The request's bytes, ready to send.
    public func request() -> ByteBuffer {
        var buffer = ByteBuffer()
        writeRequest(into: &buffer)
        return buffer
    }

    /// Reads response bytes as they arrive, in any chunking.
    ///
    /// Returns ``Progress/needMoreData`` until the response head is complete, then validates it.
    /// Bytes after the head, in this chunk, are handed back in ``HandshakeResult/leftover``;
    /// once accepted, each later call returns the same result with its own bytes as leftover.
    ///
    /// - Throws: ``HandshakeError`` if the head is malformed or too large, or the server refused
    ///   or answered wrongly; the client must then fail the connection (RFC 6455 §4.1).
    public mutating func receive(_ bytes: ByteBuffer) throws(HandshakeError) -> Progress {
        var bytes = bytes
        guard case .response(let head) = try parser.parse(&bytes) else { return .needMoreData }
        return .accepted(try validate(head, leftover: bytes))
    }

    /// Validates a complete response head, following RFC 6455 §4.1 (the last set of steps,
    /// items 1–6) and WHATWG WebSockets §2.2, in that order.
    ///
    /// - Throws: ``HandshakeError`` for the first rule the response breaks.
    public func validate(_ head: HTTPResponseHead, leftover: ByteBuffer = ByteBuffer()) throws(HandshakeError)
        -> HandshakeResult
    {
        // A redirect is refused like any other status: following it is the caller's decision,
        // and browsers never do (WHATWG WebSockets §2.2, redirect mode "error").
        guard head.statusCode == 101 else { throw .unexpectedStatus(code: head.statusCode, head: head) }
        guard head.version == .http1_1 else { throw .unsupportedHTTPVersion(head.version) }
        let headers = head.headers
        guard headers.containsToken("websocket", inList: "Upgrade") else { throw .missingUpgrade }
        guard headers.containsToken("upgrade", inList: "Connection") else { throw .missingConnectionUpgrade }

        let accepts = headers["Sec-WebSocket-Accept"]
        guard let accept = accepts.first else { throw .missingAccept }
        guard accepts.count == 1 else { throw .duplicateHeaderField("Sec-WebSocket-Accept") }
        guard accept == key.acceptValue else { throw .wrongAccept(accept) }

        let accepted = try ExtensionHeader.parse(headers["Sec-WebSocket-Extensions"])
        for element in accepted where !extensions.contains(where: { $0.name == element.name }) {
            throw .unofferedExtension(element.name)
        }

        let selections = headers["Sec-WebSocket-Protocol"]
        guard selections.count <= 1 else { throw .duplicateHeaderField("Sec-WebSocket-Protocol") }
        let subprotocol = selections.first
        if let subprotocol {
            guard HTTPGrammar.isToken(subprotocol) else { throw .invalidSubprotocolHeader(subprotocol) }
            guard protocols.contains(subprotocol) else { throw .unofferedSubprotocol(subprotocol) }
        } else if !protocols.isEmpty {
            throw .noSubprotocolSelected
        }
        return HandshakeResult(subprotocol: subprotocol, extensions: accepted, response: head, leftover: leftover)
    }
}
