import Testing
@testable import WebSocketCore

@Suite("Incremental UTF-8 validation (RFC 6455 §8.1)")
struct UTF8ValidatorTests {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { UTF8Validator.isValid($0) }
    }

    /// Feeds `bytes` split at `split`; returns whether both parts were accepted and the end is a boundary.
    static func isValid(_ bytes: [UInt8], splitAt split: Int) -> Bool {
        var validator = UTF8Validator()
        let first = bytes[..<split].withUnsafeBytes { validator.validate($0) }
        let second = first && bytes[split...].withUnsafeBytes { validator.validate($0) }
        return second && validator.isAtCharacterBoundary
    }

    @Test(arguments: HostilePeerTests.validUTF8.map(\.1) + ["", "plain ASCII of some length to pass the 32-byte fast path...", "mixed ascii and ü and 😀 and more ascii text"])
    func validTextIsAcceptedWholeAndSplitAtEveryByte(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.isValid(bytes))
        for split in 0...bytes.count {
            #expect(Self.isValid(bytes, splitAt: split), "split at \(split)")
        }
    }

    @Test(arguments: HostilePeerTests.invalidUTF8.map(\.1))
    func invalidTextIsRejectedWholeAndSplitAtEveryByte(_ bytes: [UInt8]) {
        #expect(!Self.isValid(bytes))
        for split in 0...bytes.count {
            #expect(!Self.isValid(bytes, splitAt: split), "split at \(split)")
        }
    }

    @Test func failsAtTheFirstImpossibleByteNotAtTheEnd() {
        var validator = UTF8Validator()
        #expect(([0xF4, 0x8F] as [UInt8]).withUnsafeBytes { validator.validate($0) })  // could still become U+10FFFF
        #expect(!validator.isAtCharacterBoundary)
        var failing = UTF8Validator()
        #expect(!([0xF4, 0x90] as [UInt8]).withUnsafeBytes { failing.validate($0) })  // can only exceed U+10FFFF
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var random = SeededRandom(seed: 2024)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &random)
            // Bias towards bytes that form sequences so that valid inputs come up too.
            let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xEF,
                                     0xF0, 0xF1, 0xF4, 0xF5, 0xFF]
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &random)! }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(Self.isValid(bytes) == expected, "\(bytes)")
        }
    }
}
