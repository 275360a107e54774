/// Bounds on the opening handshake a peer can make the engine buffer (RFC 6455 §4, RFC 9112 §2.3).
///
/// The HTTP head is the only part of a WebSocket connection read before the frame limits apply,
/// so without these a peer could stream header lines forever. Exceeding either limit fails the
/// handshake as soon as the offending byte or field arrives, before anything beyond it is read.
public struct HandshakeLimits: Sendable, Hashable {
    /// Most bytes the head may take, from the first byte of the start line up to and including the
    /// final CRLF CRLF. Default 32 768: four times what browsers send with a few cookies, and far
    /// above nginx's 8 KiB per line, so only an abusive peer meets it.
    public var maxHeadBytes: Int

    /// Most header fields (lines) the head may carry. Default 128: a handshake needs about ten,
    /// and it matches python-websockets' `MAX_NUM_HEADERS`.
    public var maxHeaderCount: Int

    /// Creates limits; every parameter has the documented default.
    public init(maxHeadBytes: Int = 32_768, maxHeaderCount: Int = 128) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
