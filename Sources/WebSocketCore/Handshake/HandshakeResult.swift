public import NIOCore

/// What a client learns from a server's accepted opening handshake (RFC 6455 §4.1).
public struct HandshakeResult: Sendable, Hashable {
    /// The subprotocol the server selected, `nil` if none; the WHATWG `protocol` attribute.
    public var subprotocol: String?
    /// The extensions the server accepted, in the server's order, with the parameters it chose;
    /// the extensions in use (RFC 6455 §9.1).
    public var extensions: [ExtensionOffer]
    /// The server's response head, for callers that want other fields (cookies, server name).
    public var response: HTTPResponseHead
    /// Bytes that arrived after the head in the same reads: the start of the frame stream,
    /// to be fed to the frame decoder before anything read later.
    public var leftover: ByteBuffer

    /// Creates a result.
    public init(subprotocol: String?, extensions: [ExtensionOffer], response: HTTPResponseHead, leftover: ByteBuffer) {
        self.subprotocol = subprotocol
        self.extensions = extensions
        self.response = response
        self.leftover = leftover
    }
}
