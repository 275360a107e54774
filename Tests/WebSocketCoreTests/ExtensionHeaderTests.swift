import Testing
@testable import WebSocketCore

@Suite("Sec-WebSocket-Extensions (RFC 6455 §9.1)")
struct ExtensionHeaderTests {
    static let deflate = ExtensionOffer(name: "permessage-deflate", parameters: [(name: "client_max_window_bits", value: nil)])

    static let wellFormed: [(String, [ExtensionOffer])] = [
        ("permessage-deflate", [ExtensionOffer(name: "permessage-deflate")]),
        ("permessage-deflate; client_max_window_bits", [deflate]),
        (
            "permessage-deflate;server_no_context_takeover;server_max_window_bits=10",
            [
                ExtensionOffer(
                    name: "permessage-deflate",
                    parameters: [(name: "server_no_context_takeover", value: nil), (name: "server_max_window_bits", value: "10")])
            ]
        ),
        (
            "foo ; a = 1 ;b=\"x\" , bar\t;\tc",
            [
                ExtensionOffer(name: "foo", parameters: [(name: "a", value: "1"), (name: "b", value: "x")]),
                ExtensionOffer(name: "bar", parameters: [(name: "c", value: nil)]),
            ]
        ),
        ("foo; a=\"1\\0\"", [ExtensionOffer(name: "foo", parameters: [(name: "a", value: "10")])]),
        ("foo; a=1; a; a=2", [ExtensionOffer(name: "foo", parameters: [(name: "a", value: "1"), (name: "a", value: nil), (name: "a", value: "2")])]),
        (", foo,, bar ,", [ExtensionOffer(name: "foo"), ExtensionOffer(name: "bar")]),
        ("x-Weird_name!#$%&'*+.^`|~", [ExtensionOffer(name: "x-Weird_name!#$%&'*+.^`|~")]),
    ]

    @Test(arguments: wellFormed)
    func wellFormedValuesParse(_ value: String, _ expected: [ExtensionOffer]) throws {
        #expect(try ExtensionHeader.parse(value) == expected)
    }

    @Test(arguments: wellFormed)
    func serialisingAndParsingAgainGivesTheSameExtensions(_ value: String, _ expected: [ExtensionOffer]) throws {
        let parsed = try ExtensionHeader.parse(value)
        #expect(try ExtensionHeader.parse(ExtensionHeader.serialize(parsed)) == parsed)
    }

    @Test func serialisationIsCanonical() throws {
        #expect(ExtensionHeader.serialize([Self.deflate]) == "permessage-deflate; client_max_window_bits")
        let parsed = try ExtensionHeader.parse("foo ;a = \"1\"  ,bar;b;c=x")
        #expect(ExtensionHeader.serialize(parsed) == "foo; a=1, bar; b; c=x")
        #expect(parsed.map(\.description) == ["foo; a=1", "bar; b; c=x"])
        #expect(ExtensionHeader.serialize([]) == "")
    }

    @Test func severalHeaderLinesFormOneList() throws {
        let parsed = try ExtensionHeader.parse(["foo; a=1", "bar", "baz, qux"])
        #expect(parsed.map(\.name) == ["foo", "bar", "baz", "qux"])
        #expect(try ExtensionHeader.parse(["", "foo"]) == [ExtensionOffer(name: "foo")])
    }

    @Test func noHeaderLinesMeanNoExtensions() throws {
        #expect(try ExtensionHeader.parse([String]()) == [])
    }

    static let malformed = [
        "", " ", ",", " , ,", ";", "foo;", "foo; ", "foo;;a", "foo; =1", "foo; a=", "foo; a= ;b",
        "foo; a=\"x y\"", "foo; a=\"\"", "foo; a=\"x", "foo; a=\"x\\", "foo; a=\"a\\\"b\"", "foo; a=\"x\"y",
        "foo bar", "foo; a b", "foo; a=1 b", "fo@o", "foo; a=1=2", "foo; a=\u{E9}", "foo; a=\"\u{1}\"", "foo,;a",
        "\"foo\"", "foo; \"a\"=1",
    ]

    @Test(arguments: malformed)
    func malformedValuesAreRefused(_ value: String) {
        #expect(throws: HandshakeError.invalidExtensionHeader(value)) { try ExtensionHeader.parse(value) }
    }

    @Test func theErrorCarriesTheCombinedValue() {
        #expect(throws: HandshakeError.invalidExtensionHeader("foo, bar;")) { try ExtensionHeader.parse(["foo", "bar;"]) }
        #expect(throws: HandshakeError.invalidExtensionHeader(", ")) { try ExtensionHeader.parse(["", ""]) }
    }

    @Test func parameterValuesAreLookedUpByName() {
        let offer = ExtensionOffer(name: "x", parameters: [(name: "a", value: "1"), (name: "b", value: nil), (name: "a", value: "2")])
        #expect(offer.values(ofParameter: "a") == ["1", "2"])
        #expect(offer.values(ofParameter: "b") == [nil])
        #expect(offer.values(ofParameter: "c").isEmpty)
    }

    @Test func offersCompareByNameAndOrderedParameters() {
        let ab = ExtensionOffer(name: "x", parameters: [(name: "a", value: nil), (name: "b", value: "1")])
        let ba = ExtensionOffer(name: "x", parameters: [(name: "b", value: "1"), (name: "a", value: nil)])
        #expect(ab != ba)
        #expect(ab == ExtensionOffer(name: "x", parameters: [(name: "a", value: nil), (name: "b", value: "1")]))
        #expect(ab != ExtensionOffer(name: "x", parameters: [(name: "a", value: ""), (name: "b", value: "1")]))
        #expect(Set([ab, ba, ab]).count == 2)
    }
}
