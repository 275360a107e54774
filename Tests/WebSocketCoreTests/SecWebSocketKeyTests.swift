import Testing
@testable import WebSocketCore

/// Yields the bytes 0x01, 0x02, … 0x10, the nonce of the WebSocket Standard's example (WHATWG §2.2).
struct CountingBytes: RandomNumberGenerator, Sendable {
    private var nextByte: UInt8 = 1

    mutating func next() -> UInt64 {
        var word: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) {
            word |= UInt64(nextByte) << UInt64(shift)
            nextByte &+= 1
        }
        return word
    }
}

@Suite("Sec-WebSocket-Key and Sec-WebSocket-Accept (RFC 6455 §1.3, §4.1, §4.2.2)")
struct SecWebSocketKeyTests {
    @Test func theRFCExampleKeyGivesTheRFCExampleAccept() throws {
        // RFC 6455 §1.3.
        #expect(SecWebSocketKey.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let key = try #require(SecWebSocketKey("dGhlIHNhbXBsZSBub25jZQ=="))
        #expect(key.acceptValue == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(key.description == "dGhlIHNhbXBsZSBub25jZQ==")
    }

    @Test func aKeyIsTheBase64OfSixteenBytesFromTheGenerator() {
        var generator = CountingBytes()
        #expect(SecWebSocketKey(using: &generator).value == "AQIDBAUGBwgJCgsMDQ4PEA==")
    }

    @Test func seededKeysAreReproducibleAndDistinct() {
        var first = SeededRandom(seed: 99)
        var second = SeededRandom(seed: 99)
        let a = SecWebSocketKey(using: &first)
        #expect(a == SecWebSocketKey(using: &second))
        #expect(a != SecWebSocketKey(using: &first))
        #expect(a.value.utf8.count == 24)
    }

    @Test func systemKeysAreValidAndDistinct() throws {
        let keys = (0..<64).map { _ in SecWebSocketKey() }
        #expect(Set(keys).count == 64)
        for key in keys { #expect(SecWebSocketKey(key.value) == key) }
    }

    @Test(arguments: ["dGhlIHNhbXBsZSBub25jZQ==", "AQIDBAUGBwgJCgsMDQ4PEA==", "AQIDBAUGBwgJCgsMDQ4PEC==", "/////////////////////w=="])
    func keysOfSixteenBytesAreAccepted(_ value: String) {
        #expect(SecWebSocketKey(value)?.value == value)
    }

    @Test(arguments: [
        "", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZ===",
        "dGhlIHNhbXBsZSBub25jZSE=", "dGhlIHNhbXBsZSBub25j", "dGhlIHNhbXBsZSBub25jZQ==dGhl", "dGhlIHNhbXBsZSBub25jZ-==",
        "dGhlIHNhbXBsZSBub25jZ_==", "dGhl IHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub2=jZQ==", "=GhlIHNhbXBsZSBub25jZQ==",
    ])
    func keysThatAreNotSixteenBytesOfBase64AreRefused(_ value: String) {
        #expect(SecWebSocketKey(value) == nil)
    }

    @Test func base64RoundTripsEveryLength() {
        var random = SeededRandom(seed: 5)
        for length in 0...40 {
            let input = random.bytes(length)
            let encoded = Base64.encode(input)
            #expect(encoded.utf8.count == (length + 2) / 3 * 4)
            #expect(Base64.decode(encoded) == input, "length \(length)")
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fooba".utf8)) == "Zm9vYmE=")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
    }
}
