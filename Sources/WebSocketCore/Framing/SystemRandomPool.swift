#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOConcurrencyHelpers

/// Random words from the operating system's CSPRNG, fetched 64 KiB at a time for the whole
/// process and handed out once each: the masking keys and `Sec-WebSocket-Key` nonces of many
/// connections cost one system call, where each connection fetching its own cost three (open,
/// read and close `/dev/urandom`).
enum SystemRandomPool {
    private static let pool = NIOLockedValueBox(Words())

    /// Fills `words` with random words not handed out before.
    static func fill(_ words: UnsafeMutableBufferPointer<UInt64>) {
        pool.withLockedValue { $0.take(into: words) }
    }

    /// A generator that draws every word from the pool.
    struct Generator: RandomNumberGenerator, Sendable {
        init() {}

        mutating func next() -> UInt64 {
            var word: UInt64 = 0
            withUnsafeMutablePointer(to: &word) { SystemRandomPool.fill(UnsafeMutableBufferPointer(start: $0, count: 1)) }
            return word
        }
    }

    private struct Words {
        private var words = [UInt64](repeating: 0, count: 8192)
        private var position = 8192

        mutating func take(into destination: UnsafeMutableBufferPointer<UInt64>) {
            var filled = 0
            while filled < destination.count {
                if position == words.count {
                    words.withUnsafeMutableBytes { SystemRandomPool.fillFromSystem($0) }
                    position = 0
                }
                let count = min(destination.count - filled, words.count - position)
                for offset in 0..<count { destination[filled + offset] = words[position + offset] }
                position += count
                filled += count
            }
        }
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
