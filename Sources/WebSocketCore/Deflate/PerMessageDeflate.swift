/// The permessage-deflate extension (RFC 7692): messages compressed with DEFLATE (RFC 1951),
/// negotiated in the opening handshake.
///
/// - Negotiation (RFC 7692 §5, §7.1): a client sends ``Configuration/offer`` and checks the
///   server's answer with ``Configuration/accept(extensions:)``; a server picks an offer with
///   ``Configuration/negotiate(offers:)`` and sends back ``Agreement/response``. Both end with
///   ``Parameters``, which ``Connection/Configuration/perMessageDeflate`` takes.
/// - Compression (RFC 7692 §7.2): the ``Connection`` compresses and decompresses on its own
///   once given the parameters; ``Compressor`` and ``Decompressor`` do the work through the
///   system zlib, and are public for benchmarks and fuzzing.
public enum PerMessageDeflate {
    /// The extension token, `permessage-deflate` (RFC 7692 §7).
    public static let extensionName = "permessage-deflate"

    /// The LZ77 window sizes RFC 7692 §7.1.2 allows, as base-2 logarithms.
    public static let windowBitsRange = 8...15

    /// The four octets a sender removes from the end of a compressed message and a receiver
    /// appends back before decompressing (RFC 7692 §7.2.1, §7.2.2).
    static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
}
