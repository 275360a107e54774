import Testing
@testable import WebSocketCore

@Suite("Masking (RFC 6455 §5.3)")
struct MaskingKeyTests {
    /// Octet i of the payload is XORed with octet i mod 4 of the key: the definition, byte at a time.
    static func reference(_ bytes: [UInt8], key: MaskingKey, offset: Int) -> [UInt8] {
        let keyBytes = key.bytes
        return bytes.enumerated().map { $0.element ^ keyBytes[($0.offset + offset) % 4] }
    }

    @Test func theRFCExampleKeyMasksHello() {
        var bytes = Array("Hello".utf8)
        bytes.withUnsafeMutableBytes { MaskingKey(rawValue: 0x37FA_213D).apply(to: $0) }
        #expect(bytes == [0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    @Test func everyLengthAndOffsetMatchesTheDefinition() {
        var random = SeededRandom(seed: 42)
        for length in 0...200 {
            for offset in 0..<8 {
                let key = MaskingKey(rawValue: UInt32.random(in: .min ... .max, using: &random))
                let input = random.bytes(length)
                var output = [UInt8](repeating: 0, count: length)
                input.withUnsafeBytes { source in
                    output.withUnsafeMutableBytes { key.apply(from: source, to: $0, offset: offset) }
                }
                #expect(output == Self.reference(input, key: key, offset: offset), "length \(length), offset \(offset)")
            }
        }
    }

    @Test func maskingTwiceRestoresAndPiecewiseEqualsWhole() {
        var random = SeededRandom(seed: 7)
        let key = MaskingKey(rawValue: 0xDEAD_BEEF)
        let original = random.bytes(10_000)
        var whole = original
        whole.withUnsafeMutableBytes { key.apply(to: $0) }
        var pieces = original
        pieces.withUnsafeMutableBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...77, using: &random))
                key.apply(to: UnsafeMutableRawBufferPointer(rebasing: bytes[start..<end]), offset: start)
                start = end
            }
        }
        #expect(pieces == whole)
        whole.withUnsafeMutableBytes { key.apply(to: $0) }
        #expect(whole == original)
    }

    @Test func systemKeysAreNotRepeated() {
        var generator = SystemMaskingKeyGenerator()
        let keys = (0..<1_000).map { _ in generator.next() }
        #expect(Set(keys).count == keys.count)
    }

    /// Generators share one pool: from many threads at once, through several refills of it
    /// (8 192 words each), no word is handed out twice.
    @Test func generatorsOnManyThreadsNeverShareAKey() async {
        let perGenerator = 600  // a first batch of 8, then batches of 512
        let words = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<24 {
                group.addTask {
                    var generator = SystemMaskingKeyGenerator()
                    return (0..<perGenerator).map { _ in generator.next() }
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(words.count == 24 * perGenerator)
        #expect(Set(words).count == words.count)
        let nonces = (0..<100).map { _ in SecWebSocketKey().value }
        #expect(Set(nonces).count == nonces.count)
    }
}
