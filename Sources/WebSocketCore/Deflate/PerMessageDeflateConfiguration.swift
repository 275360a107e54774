extension PerMessageDeflate {
    /// What this side asks for when negotiating permessage-deflate, and how it compresses.
    ///
    /// One value serves both roles. A client turns it into an offer (``offer``); a server uses
    /// it to answer the client's offers (``negotiate(offers:)``). The ``Connection`` takes the
    /// compression settings (``compressionLevel``, ``memoryLevel``, ``threshold``) from
    /// ``Connection/Configuration/compression``.
    ///
    /// The defaults are the WebSocket Standard's: a client offers exactly
    /// `permessage-deflate; client_max_window_bits` (WHATWG WebSockets §2.2, as browsers send),
    /// and a server accepts any valid offer without asking for more than the client did.
    ///
    /// ## Memory per connection
    ///
    /// zlib's state, per zlib's own figures (`zconf.h`), for a sending window of `w` bits and
    /// memory level `m`, and a receiving window of `r` bits:
    ///
    /// - compressing: `(1 << (w + 2)) + (1 << (m + 9))` bytes plus about 6 KiB;
    /// - decompressing: `1 << r` bytes plus about 7 KiB.
    ///
    /// | windows, memory level            | compressing | decompressing | total    |
    /// |----------------------------------|-------------|---------------|----------|
    /// | 15, 8 (the defaults)             | 262 KiB     | 39 KiB        | ~301 KiB |
    /// | 12, 5 (python-websockets' server)| 38 KiB      | 11 KiB        | ~49 KiB  |
    /// | 10, 3                            | 14 KiB      | 8 KiB         | ~22 KiB  |
    ///
    /// Each side of that is allocated only when first needed: the compressor with the first
    /// message sent compressed, the decompressor with the first compressed message received,
    /// so a connection that never compresses costs nothing. A server with many connections
    /// lowers its own window with ``serverMaxWindowBits``, the client's with
    /// ``clientMaxWindowBits`` (honoured when the client offers `client_max_window_bits`, as
    /// browsers do), and ``memoryLevel``. The decompressor's window follows what the peer may
    /// use, never less than 9 bits (see ``Decompressor``).
    public struct Configuration: Sendable, Hashable {
        /// Client: ask the server to reset its compression context after every message
        /// (`server_no_context_takeover`, RFC 7692 §7.1.1.1). Server: reset it, and say so in
        /// the response, even if the client did not ask. Default `false`: keeping the context
        /// compresses repeated content across messages far better.
        public var serverNoContextTakeover: Bool

        /// Client: announce that it resets its compression context after every message, and
        /// do so (`client_no_context_takeover`, RFC 7692 §7.1.1.2). Server: require the client
        /// to. Default `false`, for the same reason as ``serverNoContextTakeover``.
        public var clientNoContextTakeover: Bool

        /// Client: limit the server's window to `2^bits` bytes (`server_max_window_bits`,
        /// RFC 7692 §7.1.2.1); `nil`, the default, leaves it out, as browsers do. Server: the
        /// largest window it compresses with, answered as `server_max_window_bits` (the
        /// smaller of this and what the client asked); `nil` means 15 or the client's limit.
        /// 8...15. With 8 this side sends every message uncompressed: zlib cannot compress
        /// with a window that small, and RFC 7692 §6 lets a sender leave any message
        /// uncompressed.
        public var serverMaxWindowBits: Int?

        /// Client: the value of `client_max_window_bits` in the offer (RFC 7692 §7.1.2.2);
        /// `nil`, the default, offers the parameter without a value, which says only that the
        /// server may limit the client's window, exactly as the WebSocket Standard's offer.
        /// Server: the largest window the client may use, answered as
        /// `client_max_window_bits` when the client offered that parameter; `nil` sets no
        /// limit. 8...15.
        public var clientMaxWindowBits: Int?

        /// Client only: whether the offer carries `client_max_window_bits` at all. Default
        /// `true`, as the WebSocket Standard's offer; `false` leaves it out (and ignores
        /// ``clientMaxWindowBits``) for servers that refuse offers carrying it.
        public var offersClientMaxWindowBits: Bool

        /// zlib's compression level, 0 (store only) to 9 (smallest). Default 6, zlib's own
        /// default and what Chromium and Node's `ws` use, so messages compress as peers expect.
        public var compressionLevel: Int

        /// zlib's `memLevel`, 1...9: memory for the compressor's hash table and block buffer
        /// (`1 << (memoryLevel + 9)` bytes). Default 8, zlib's own default and what Chromium
        /// and `ws` use; lower it to save memory per connection at some cost in speed and size.
        public var memoryLevel: Int

        /// Messages shorter than this many bytes are sent uncompressed (RSV1 clear, which
        /// RFC 7692 §6 allows). Default 1: every message but the empty one is compressed,
        /// as browsers do — with context takeover even short messages shrink once their words
        /// have been seen — and an empty message could only grow.
        public var threshold: Int

        /// Creates a configuration; every parameter has the documented default.
        public init(
            serverNoContextTakeover: Bool = false,
            clientNoContextTakeover: Bool = false,
            serverMaxWindowBits: Int? = nil,
            clientMaxWindowBits: Int? = nil,
            offersClientMaxWindowBits: Bool = true,
            compressionLevel: Int = 6,
            memoryLevel: Int = 8,
            threshold: Int = 1
        ) {
            precondition(serverMaxWindowBits.map { windowBitsRange.contains($0) } ?? true, "serverMaxWindowBits must be in 8...15")
            precondition(clientMaxWindowBits.map { windowBitsRange.contains($0) } ?? true, "clientMaxWindowBits must be in 8...15")
            precondition((0...9).contains(compressionLevel), "compressionLevel must be in 0...9")
            precondition((1...9).contains(memoryLevel), "memoryLevel must be in 1...9")
            precondition(threshold >= 0, "threshold must not be negative")
            self.serverNoContextTakeover = serverNoContextTakeover
            self.clientNoContextTakeover = clientNoContextTakeover
            self.serverMaxWindowBits = serverMaxWindowBits
            self.clientMaxWindowBits = clientMaxWindowBits
            self.offersClientMaxWindowBits = offersClientMaxWindowBits
            self.compressionLevel = compressionLevel
            self.memoryLevel = memoryLevel
            self.threshold = threshold
        }
    }
}
