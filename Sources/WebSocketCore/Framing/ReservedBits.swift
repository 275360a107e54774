/// The RSV1–RSV3 bits of a frame header (RFC 6455 §5.2).
///
/// They must be zero unless a negotiated extension defines them, so the decoder is told
/// which bits the negotiated extensions claim and fails on any other.
public struct ReservedBits: OptionSet, Sendable, Hashable {
    /// The bits where they sit in a frame's first byte: RSV1 0x40, RSV2 0x20, RSV3 0x10.
    public let rawValue: UInt8

    /// Creates the set from a frame's first byte, or any mask of it: bits other than RSV1–RSV3
    /// (FIN, the opcode) are dropped.
    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x70 }

    /// RSV1, used by permessage-deflate to mark a compressed message (RFC 7692 §6).
    public static let rsv1 = ReservedBits(rawValue: 0x40)
    /// RSV2; no extension this package implements defines it, so it is accepted only when
    /// explicitly allowed (§5.2).
    public static let rsv2 = ReservedBits(rawValue: 0x20)
    /// RSV3; no extension this package implements defines it, so it is accepted only when
    /// explicitly allowed (§5.2).
    public static let rsv3 = ReservedBits(rawValue: 0x10)
}
