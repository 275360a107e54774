import Foundation
import WebSockets

/// The messages of `wsc soak`: each one carries its sequence number, when it was sent and a
/// checksum of its body, so that the echo proves itself complete, in order and intact.
///
/// Layout (ASCII, so a text message stays valid UTF-8): 16 hex digits of sequence number, 16 of
/// send time (``BenchClock`` nanoseconds), 16 of the body's FNV-1a 64-bit hash, a colon, then
/// the body.
enum SoakMessage {
    static let headerSize = 49

    /// What the receiver learns from an echo that verified.
    struct Echo {
        var sequenceNumber: UInt64
        var sentAt: UInt64
    }

    /// Why an echo did not verify.
    struct Corruption: Error, CustomStringConvertible {
        let description: String
    }

    /// A message of `size` bytes (at least the header; rounded down to whole 4-byte units of
    /// the text pool for text) with a body taken from a random place in a pool.
    static func make(sequenceNumber: UInt64, size: Int, text: Bool) -> WebSocketMessage {
        let pool = text ? SoakPool.text : SoakPool.binary
        let bodySize = actualSize(size, text: text) - headerSize
        var start = Int.random(in: 0...(pool.count - bodySize))
        if text { start -= start % SoakPool.textUnit }
        let body = pool[start..<(start + bodySize)]
        var bytes = [UInt8]()
        bytes.reserveCapacity(headerSize + bodySize)
        for field in [sequenceNumber, BenchClock.now(), fnv1a(body)] {
            bytes.append(contentsOf: String(format: "%016llx", field).utf8)
        }
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: body)
        return text ? .text(String(decoding: bytes, as: UTF8.self)) : .binary(Data(bytes))
    }

    /// Checks an echo against what was sent as number `sequenceNumber`: its kind, its size, its
    /// number and its body's checksum.
    static func verify(
        _ message: WebSocketMessage, sequenceNumber: UInt64, size: Int, text: Bool
    ) throws(Corruption) -> Echo {
        let bytes: [UInt8]
        switch message {
        case .text(let string) where text: bytes = Array(string.utf8)
        case .binary(let data) where !text: bytes = Array(data)
        default: throw Corruption(description: "message \(sequenceNumber) came back as the other kind")
        }
        let expectedSize = actualSize(size, text: text)
        guard bytes.count == expectedSize else {
            throw Corruption(description: "message \(sequenceNumber) came back with \(bytes.count) bytes, not \(expectedSize)")
        }
        func field(_ index: Int) -> UInt64? {
            UInt64(String(decoding: bytes[(index * 16)..<(index * 16 + 16)], as: UTF8.self), radix: 16)
        }
        guard let number = field(0), let sentAt = field(1), let checksum = field(2), bytes[48] == UInt8(ascii: ":") else {
            throw Corruption(description: "message \(sequenceNumber) came back with a broken header")
        }
        guard number == sequenceNumber else {
            throw Corruption(description: "message \(number) came back where \(sequenceNumber) was due")
        }
        guard fnv1a(bytes[headerSize...]) == checksum else {
            throw Corruption(description: "message \(sequenceNumber) came back with a body that fails its checksum")
        }
        return Echo(sequenceNumber: number, sentAt: sentAt)
    }

    /// The size ``make(sequenceNumber:size:text:)`` gives a message asked to be `size` bytes.
    static func actualSize(_ size: Int, text: Bool) -> Int {
        let body = max(0, size - headerSize)
        return headerSize + (text ? body - body % SoakPool.textUnit : body)
    }

    /// FNV-1a, 64 bits: cheap, and any changed byte changes it.
    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.withUnsafeBufferPointer { buffer in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in buffer { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            return hash
        }
    }
}

/// The bytes message bodies are cut from, made once per run: 1 MiB of random bytes, and 1 MiB
/// of random text in 4-byte units (four ASCII characters, two 2-byte characters, a 3-byte one
/// with an ASCII one, or one 4-byte character) so that a cut on a unit boundary is valid UTF-8.
enum SoakPool {
    static let size = 1 << 20
    static let textUnit = 4

    static let binary: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }()

    static let text: [UInt8] = {
        let units = ["abcd", "WXYZ", "0123", "    ", "éü", "Жж", "€!", "中.", "😀", "🎉"].map { Array($0.utf8) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        while bytes.count < size { bytes.append(contentsOf: units.randomElement()!) }
        return bytes
    }()
}
