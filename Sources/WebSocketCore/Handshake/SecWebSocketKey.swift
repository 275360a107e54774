import Crypto

/// The nonce a client sends in `Sec-WebSocket-Key`, and the `Sec-WebSocket-Accept` value a server
/// derives from it (RFC 6455 §4.1 step 7, §4.2.2 step 5.4).
///
/// The exchange proves the server understood a WebSocket handshake, not that it is trustworthy;
/// the nonce must still be unpredictable so a cache or intermediary cannot replay an answer.
public struct SecWebSocketKey: Sendable, Hashable, CustomStringConvertible {
    /// The GUID RFC 6455 §1.3 appends to the key before hashing.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The key as it appears in the header: base64 of 16 bytes, 24 characters.
    public let value: String

    /// Creates a key from 16 random bytes drawn from `generator` (RFC 6455 §4.1 step 7).
    ///
    /// Pass a cryptographically secure generator in production; tests pass a seeded one to get
    /// exact bytes.
    public init(using generator: inout some RandomNumberGenerator) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        self.value = Base64.encode(bytes)
    }

    /// Creates a key from the system's cryptographically secure generator (fetched in bulk for
    /// the whole process, as masking keys are).
    public init() {
        var generator = SystemRandomPool.Generator()
        self.init(using: &generator)
    }

    /// Accepts a received key if it is base64 that decodes to exactly 16 bytes, the check a server
    /// makes (RFC 6455 §4.2.1 item 5); returns `nil` otherwise.
    public init?(_ value: String) {
        guard Base64.decode(value)?.count == 16 else { return nil }
        self.value = value
    }

    /// The `Sec-WebSocket-Accept` value for this key: base64 of the SHA-1 of the key followed by
    /// the RFC 6455 GUID (RFC 6455 §4.2.2 step 5.4).
    public var acceptValue: String {
        Self.acceptValue(for: value)
    }

    /// The `Sec-WebSocket-Accept` value for any key string, as RFC 6455 §1.3 computes it.
    public static func acceptValue(for key: String) -> String {
        var hasher = Insecure.SHA1()
        var input = key + guid
        input.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return Base64.encode(Array(hasher.finalize()))
    }

    public var description: String { value }
}
