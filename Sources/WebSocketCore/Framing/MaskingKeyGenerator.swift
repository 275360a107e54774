/// A source of masking keys from the operating system's CSPRNG (RFC 6455 §5.3, §10.3).
///
/// The RFC asks for keys an attacker cannot predict, so they come from the system generator
/// (`arc4random_buf` on Apple platforms, `/dev/urandom` on Linux), fetched in bulk for the whole
/// process. A generator takes a few keys at first and larger batches once its connection sends
/// many frames: a connection that sends only a Close costs no system call, and a busy one
/// takes the process-wide lock once per 512 frames.
public struct SystemMaskingKeyGenerator: RandomNumberGenerator, Sendable {
    private var words: [UInt64] = []
    private var position = 0

    /// Creates a generator; the first call to ``next()`` takes the first batch of keys.
    public init() {}

    /// The next random word, taken from the batch; a new batch is taken from the pool when
    /// this one is used up.
    public mutating func next() -> UInt64 {
        if position == words.count { refill() }
        defer { position += 1 }
        return words[position]
    }

    private mutating func refill() {
        let count = words.isEmpty ? 8 : 512
        if words.count != count { words = Array(repeating: 0, count: count) }
        words.withUnsafeMutableBufferPointer { SystemRandomPool.fill($0) }
        position = 0
    }
}
