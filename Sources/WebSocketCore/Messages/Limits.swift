/// Bounds on what a peer can make the engine buffer or process.
///
/// The defaults let a browser-like client receive anything a reasonable server sends
/// (browsers set no limit of their own) while keeping a hostile peer from making one
/// connection hold more than `maxMessageSize` bytes of payload.
public struct Limits: Sendable, Hashable {
    /// Largest payload one frame may carry, checked as soon as the frame header is read, before
    /// any of its payload is buffered. Default 64 MiB, equal to `maxMessageSize`, so by
    /// default only the message limit binds; set it lower to refuse single huge frames.
    public var maxFrameSize: Int

    /// Largest message (sum of its frames' payloads) accepted; beyond it the connection
    /// fails with 1009 (RFC 6455 §7.4.1). Default 64 MiB: four times the 16 MiB messages
    /// the interop tests echo, a quarter of Node `ws`'s 100 MiB, far above
    /// python-websockets' 1 MiB, because browsers accept whatever fits in memory.
    ///
    /// A compressed message (RFC 7692) is held to it twice: the payloads as sent, and the
    /// message decompressed, which is checked as decompression goes so that a small message
    /// inflating to gigabytes fails the moment it passes the limit.
    public var maxMessageSize: Int

    /// Most frames one message may be split into. Empty continuation frames cost no memory
    /// but do cost work, so without this bound a peer could keep one message open forever.
    /// Default 65 536: a 64 MiB message in 1 KiB frames still fits.
    public var maxFragmentsPerMessage: Int

    /// Creates limits; every parameter has the documented default.
    public init(
        maxFrameSize: Int = 64 << 20,
        maxMessageSize: Int = 64 << 20,
        maxFragmentsPerMessage: Int = 65_536
    ) {
        self.maxFrameSize = maxFrameSize
        self.maxMessageSize = maxMessageSize
        self.maxFragmentsPerMessage = maxFragmentsPerMessage
    }
}
