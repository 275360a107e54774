import Crypto

/// A source of masking keys from a CSPRNG (RFC 6455 §5.3, §10.3).
///
/// The RFC asks for keys an attacker cannot predict, so they come from swift-crypto's
/// cryptographic generator (BoringSSL's `RAND_bytes`, or the system's on Apple platforms).
/// Keys are fetched 512 bytes at a time: asking per frame would cost more than
/// serialising a small frame.
public struct SystemMaskingKeyGenerator: RandomNumberGenerator, Sendable {
    private var words: [UInt64] = []
    private var position = 0

    public init() {}

    public mutating func next() -> UInt64 {
        if position == words.count { refill() }
        defer { position += 1 }
        return words[position]
    }

    private mutating func refill() {
        let random = SymmetricKey(size: SymmetricKeySize(bitCount: 64 * 64))
        words = random.withUnsafeBytes { bytes in
            (0..<64).map { bytes.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
        }
        position = 0
    }
}
