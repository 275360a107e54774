import Foundation
import Testing
@testable import WebSockets

/// `Blob` as the File API defines it (File API § 3).
@Suite("Blob (File API)")
struct BlobTests {
    private static let digits = Blob("0123456789")

    // MARK: Constructors (§ 3.1)

    @Test func sizeIsTheByteCount() {
        #expect(Blob(Data([1, 2, 3])).size == 3)
        #expect(Blob("héllo").size == 6)  // UTF-8
        #expect(Blob(parts: []).size == 0)
        #expect(Blob().size == 0)
        #expect(Blob().type == "")
    }

    @Test func stringsAreStoredAsUTF8() {
        #expect(Blob("é€😀").bytes() == [0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80])
    }

    @Test func typeIsLowerCased() {
        #expect(Blob("x", type: "Text/Plain;Charset=UTF-8").type == "text/plain;charset=utf-8")
        #expect(Blob(Data(), type: "APPLICATION/OCTET-STREAM").type == "application/octet-stream")
    }

    @Test(arguments: ["text/plain\u{0}", "text/\u{7F}plain", "text/plaîn", "text/plain\n", "\t", "image/😀"])
    func typeWithACharacterOutsideU0020ToU007EBecomesEmpty(_ type: String) {
        #expect(Blob("x", type: type).type == "")
        #expect(Blob("x").slice(contentType: type).type == "")
    }

    @Test func typeKeepsEveryPrintableASCIICharacter() {
        let printable = String(decoding: Array(UInt8(0x20)...UInt8(0x7E)), as: UTF8.self)
        #expect(Blob("x", type: printable).type == printable.lowercased())
    }

    @Test func partsAreConcatenatedInOrder() {
        let blob = Blob(parts: [.string("ab"), .data(Data([0x63])), .blob(Blob("de", type: "text/x"))], type: "Text/Plain")
        #expect(blob.text() == "abcde")
        #expect(blob.type == "text/plain")
        #expect(Blob(parts: [.data(Data([9]))]).bytes() == [9])
    }

    @Test func lineEndingsAreKept() {
        #expect(Blob(parts: [.string("a\r\nb\nc\r")]).text() == "a\r\nb\nc\r")
    }

    // MARK: Reading (§ 3.3)

    @Test func dataArrayBufferAndBytesReturnTheBytes() {
        let blob = Blob(Data([0, 1, 0xFF]))
        #expect(blob.data() == Data([0, 1, 0xFF]))
        #expect(blob.arrayBuffer() == Data([0, 1, 0xFF]))
        #expect(blob.bytes() == [0, 1, 0xFF])
    }

    @Test func textDecodesUTF8() {
        #expect(Blob("héllo wörld").text() == "héllo wörld")
        #expect(Blob(Data()).text() == "")
    }

    @Test func textReplacesInvalidSequencesWithU_FFFD() {
        #expect(Blob(Data([0x61, 0xFF, 0x62])).text() == "a\u{FFFD}b")
        #expect(Blob(Data([0x61, 0xE2, 0x82])).text() == "a\u{FFFD}")
    }

    @Test func textDropsOneLeadingByteOrderMark() {
        #expect(Blob(Data([0xEF, 0xBB, 0xBF, 0x61])).text() == "a")
        #expect(Blob(Data([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF])).text() == "\u{FEFF}")
        #expect(Blob(Data([0x61, 0xEF, 0xBB, 0xBF])).text() == "a\u{FEFF}")
    }

    @Test func textOfASliceDropsAByteOrderMarkAtTheSlicesStart() {
        let blob = Blob(Data([0x61, 0xEF, 0xBB, 0xBF, 0x62]))
        #expect(blob.slice(start: 1).text() == "b")
    }

    // MARK: slice() (§ 3.3.1)

    @Test(arguments: [
        (Int?.none, Int?.none, "0123456789"),
        (3, nil, "3456789"),
        (3, 7, "3456"),
        (nil, 4, "0123"),
        (-3, nil, "789"),
        (-3, -1, "78"),
        (2, -2, "234567"),
        (-100, 2, "01"),
        (-100, -100, ""),
        (8, 100, "89"),
        (100, nil, ""),
        (100, 200, ""),
        (7, 3, ""),
        (-1, -3, ""),
        (5, 5, ""),
        (0, 0, ""),
        (Int.min, Int.max, "0123456789"),
        (Int.max, Int.min, ""),
    ])
    func sliceFollowsTheFileAPIsIndexRules(_ start: Int?, _ end: Int?, _ expected: String) {
        let slice = Self.digits.slice(start: start, end: end)
        #expect(slice.text() == expected)
        #expect(slice.size == UInt64(expected.utf8.count))
    }

    @Test func sliceOfASliceIsRelativeToTheSlice() {
        let middle = Self.digits.slice(start: 2, end: 8)  // "234567"
        #expect(middle.slice(start: 1, end: -1).text() == "3456")
        #expect(middle.slice(start: -2).text() == "67")
        #expect(middle.slice(start: 10).size == 0)
        #expect(middle.slice(start: 1, end: 3).slice(start: 1).bytes() == [UInt8(ascii: "4")])
    }

    @Test func sliceContentTypeIsNormalisedAndDoesNotInheritTheOriginalType() {
        let blob = Blob("abc", type: "text/plain")
        #expect(blob.slice().type == "")
        #expect(blob.slice(contentType: nil).type == "")
        #expect(blob.slice(contentType: "").type == "")
        #expect(blob.slice(start: 1, contentType: "Application/JSON").type == "application/json")
    }

    @Test func sliceOfAnEmptyBlobIsEmpty() {
        #expect(Blob().slice(start: -1, end: 1).size == 0)
        #expect(Blob().slice(start: 1).size == 0)
    }

    // MARK: Value semantics

    @Test func equalBlobsHaveEqualBytesAndType() {
        #expect(Blob("ab") == Blob(Data([0x61, 0x62])))
        #expect(Blob("ab", type: "text/plain") == Blob("ab", type: "TEXT/PLAIN"))
        #expect(Blob("ab", type: "text/plain") != Blob("ab"))
        #expect(Blob("ab") != Blob("abc"))
        #expect(Self.digits.slice(start: 2, end: 4) == Blob("23"))
        #expect(Set([Blob("a"), Blob("a"), Blob("b")]).count == 2)
    }

    @Test func descriptionShowsSizeAndTypeButNotTheContent() {
        let blob = Blob("secret", type: "text/plain")
        #expect(blob.description == #"Blob(size: 6, type: "text/plain")"#)
    }
}
