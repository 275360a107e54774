#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A source of masking keys from the operating system's CSPRNG (RFC 6455 §5.3, §10.3).
///
/// The RFC asks for keys an attacker cannot predict, so they come from the system generator
/// (`arc4random_buf` on Apple platforms, `/dev/urandom` on Linux). Keys are fetched 4 KiB at a
/// time: a system call per frame would cost more than serialising a small frame.
public struct SystemMaskingKeyGenerator: RandomNumberGenerator, Sendable {
    private var words: [UInt64] = []
    private var position = 0

    /// Creates a generator; the first call to ``next()`` fetches the first batch of keys.
    public init() {}

    /// The next random word, taken from the batch; a new batch is fetched from the system
    /// when this one is used up.
    public mutating func next() -> UInt64 {
        if position == words.count { refill() }
        defer { position += 1 }
        return words[position]
    }

    private mutating func refill() {
        if words.isEmpty { words = Array(repeating: 0, count: 512) }
        words.withUnsafeMutableBytes { Self.fillFromSystem($0) }
        position = 0
    }

    private static func fillFromSystem(_ buffer: UnsafeMutableRawBufferPointer) {
        #if canImport(Darwin)
        arc4random_buf(buffer.baseAddress, buffer.count)
        #else
        var filled = 0
        let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            defer { close(descriptor) }
            while filled < buffer.count {
                let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
                if count > 0 { filled += count } else if count < 0, errno == EINTR { continue } else { break }
            }
        }
        // Without /dev/urandom (a bare chroot, say) the standard library's generator still
        // draws from the kernel, one word per call.
        var system = SystemRandomNumberGenerator()
        while filled < buffer.count {
            buffer.storeBytes(of: UInt8(truncatingIfNeeded: system.next()), toByteOffset: filled, as: UInt8.self)
            filled += 1
        }
        #endif
    }
}
