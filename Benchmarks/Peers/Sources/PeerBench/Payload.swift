/// The message every connection of a run sends, described once; each client turns it into its
/// library's own message type once, up front. Echoes are checked by kind and size only, so that
/// comparing megabytes does not count as the client's work.
public struct Payload: Sendable {
    public let size: Int
    public let binary: Bool

    public init(size: Int, binary: Bool) {
        self.size = size
        self.binary = binary
    }

    /// `size` times 'z'.
    public var text: String { String(repeating: "z", count: size) }

    /// `size` times 0x5A (also 'Z', so a binary echo mistaken for text would still be ASCII).
    public var bytes: [UInt8] { Array(repeating: 0x5A, count: size) }

    /// Whether a received message of this kind and byte count echoes the payload.
    public func isEcho(binary receivedBinary: Bool, byteCount: Int) -> Bool {
        receivedBinary == binary && byteCount == size
    }
}
