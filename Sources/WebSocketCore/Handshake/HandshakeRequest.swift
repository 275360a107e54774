public import NIOCore

/// A client's opening handshake that a server has validated (RFC 6455 §4.2.1), and the means to
/// answer it with `101 Switching Protocols` (RFC 6455 §4.2.2).
public struct HandshakeRequest: Sendable, Hashable {
    /// Fields the accepting response sets itself, so extra headers may not repeat them.
    static let reservedFields = [
        "Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
    ]

    /// The request head as received, for fields the handshake does not interpret (cookies,
    /// authorization).
    public var head: HTTPRequestHead
    /// The `Host` field value (RFC 6455 §4.2.1 item 3).
    public var host: String
    /// The `Origin` field value if sent; browsers always send it, and a server that serves
    /// browsers should check it (RFC 6455 §4.2.1 item 7, §10.2).
    public var origin: String?
    /// The client's nonce (RFC 6455 §4.2.1 item 5).
    public var key: SecWebSocketKey
    /// The subprotocols offered, in the client's order of preference; empty if none.
    public var protocols: [String]
    /// The extensions offered, in the client's order of preference; empty if none.
    public var extensions: [ExtensionOffer]

    /// The requested resource: path and query, as sent (RFC 6455 §4.2.1 item 1).
    public var resourceName: String { head.target }

    /// Creates a validated request; ``ServerHandshake`` is the usual source.
    public init(
        head: HTTPRequestHead, host: String, origin: String?, key: SecWebSocketKey, protocols: [String],
        extensions: [ExtensionOffer]
    ) {
        self.head = head
        self.host = host
        self.origin = origin
        self.key = key
        self.protocols = protocols
        self.extensions = extensions
    }

    /// The first of the server's `supported` subprotocols that the client offered, so the
    /// server's order of preference decides (RFC 6455 §4.2.2 item 5.4 leaves the choice to the
    /// server); `nil` if they share none.
    public func selectSubprotocol(supported: [String]) -> String? {
        supported.first(where: protocols.contains)
    }

    /// The `101 Switching Protocols` head that accepts this request (RFC 6455 §4.2.2 item 5), fields
    /// in this order: `Upgrade`, `Connection`, `Sec-WebSocket-Accept`, then
    /// `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions` when something was selected, then
    /// the extra headers.
    ///
    /// - Parameters:
    ///   - subprotocol: The subprotocol selected, which must be one the client offered; `nil`
    ///     for none.
    ///   - extensions: The extensions accepted, each named in the client's offers, with the
    ///     parameters the server chose.
    ///   - extraHeaders: Further fields, such as `Set-Cookie`.
    /// - Throws: ``HandshakeError`` if the selection was not offered or an argument cannot be sent.
    public func acceptingResponseHead(
        subprotocol: String? = nil, extensions: [ExtensionOffer] = [], extraHeaders: HTTPHeaders = [:]
    ) throws(HandshakeError) -> HTTPResponseHead {
        if let subprotocol, !protocols.contains(subprotocol) { throw .unofferedSubprotocol(subprotocol) }
        for element in extensions {
            guard element.isValid else { throw .invalidExtension(element.description) }
            guard self.extensions.contains(where: { $0.name == element.name }) else {
                throw .unofferedExtension(element.name)
            }
        }
        try extraHeaders.checkExtraFields(reserved: Self.reservedFields)
        var headers: HTTPHeaders = [
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Accept": key.acceptValue,
        ]
        if let subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
        if !extensions.isEmpty {
            headers.add(name: "Sec-WebSocket-Extensions", value: ExtensionHeader.serialize(extensions))
        }
        for field in extraHeaders { headers.add(name: field.name, value: field.value) }
        return HTTPResponseHead(statusCode: 101, reasonPhrase: "Switching Protocols", headers: headers)
    }

    /// The bytes of ``acceptingResponseHead(subprotocol:extensions:extraHeaders:)``, ready to send.
    public func acceptingResponse(
        subprotocol: String? = nil, extensions: [ExtensionOffer] = [], extraHeaders: HTTPHeaders = [:]
    ) throws(HandshakeError) -> ByteBuffer {
        let head = try acceptingResponseHead(subprotocol: subprotocol, extensions: extensions, extraHeaders: extraHeaders)
        var buffer = ByteBuffer()
        head.write(into: &buffer)
        return buffer
    }
}
