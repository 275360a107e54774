/// A frame's opcode (RFC 6455 §5.2, §11.8).
///
/// Only the six defined opcodes exist as cases: a frame carrying a reserved opcode
/// (0x3–0x7, 0xB–0xF) is a protocol error and never becomes an `Opcode`.
public enum Opcode: UInt8, Sendable, Hashable {
    /// A later fragment of a fragmented message (§5.4).
    case continuation = 0x0
    /// The first, or only, frame of a text message, whose payload is UTF-8 (§5.6).
    case text = 0x1
    /// The first, or only, frame of a binary message (§5.6).
    case binary = 0x2
    /// A close frame: starts or answers the closing handshake (§5.5.1).
    case close = 0x8
    /// A ping: the receiver answers with a pong carrying the same payload (§5.5.2).
    case ping = 0x9
    /// A pong: the answer to a ping, or an unsolicited heartbeat (§5.5.3).
    case pong = 0xA

    /// Control frames have the high bit of the opcode set (RFC 6455 §5.5).
    @inlinable
    public var isControl: Bool { rawValue & 0x8 != 0 }
}
