import Testing
@testable import WebSockets

/// UTS #46 ToASCII with the URL Standard's flags (``UTS46/Options/url``), on the cases that show
/// each step: mapping, Nontransitional deviations, `xn--` labels, and the validity criteria.
@Suite("UTS #46 ToASCII as the URL Standard runs it")
struct UTS46Tests {
    @Test(
        "Mapping, NFC and Punycode give the ASCII form",
        arguments: [
            // Nontransitional: the deviation characters stay and are encoded.
            ("faß.de", "xn--fa-hia.de"),
            ("FASS.de", "fass.de"),
            ("βόλος.com", "xn--nxasmm1c.com"),
            ("ς.gr", "xn--3xa.gr"),
            ("xn--zca", "xn--zca"),
            ("XN--ZCA.de", "xn--zca.de"),
            ("xn--MNCHEN-3YA", "xn--mnchen-3ya"),
            // Case, width and compatibility mappings; ideographic and fullwidth full stops separate labels.
            ("MÜNCHEN.de", "xn--mnchen-3ya.de"),
            ("ＧＯ．ｃｏｍ", "go.com"),
            ("ｘｎ－－ｍｎｃｈｅｎ－３ｙａ.de", "xn--mnchen-3ya.de"),
            ("go。com｡ｊｐ", "go.com.jp"),
            ("ℌ𝔢𝔩𝔩𝔬", "hello"),
            ("①.com", "1.com"),
            // Composed by NFC after mapping: U+0065 U+0301 is é.
            ("e\u{301}.fr", "xn--9ca.fr"),
            // Ignored code points disappear.
            ("a\u{AD}b.ü", "ab.xn--tda"),
            ("ex\u{200B}ample.ü", "example.xn--tda"),
            ("a\u{FE0F}.ü", "a.xn--tda"),
            // Emoji and symbols are valid in UTS #46 (not in IDNA2008).
            ("💩.la", "xn--ls8h.la"),
            ("👍🏽.example", "xn--on8h5e.example"),
            ("☃.net", "xn--n3h.net"),
            ("a≠b", "xn--ab-miv"),
            // UseSTD3ASCIIRules is off: any ASCII is valid here (the URL parser rejects the forbidden ones after).
            ("ü_b", "xn--_b-wka"),
            // CheckHyphens is off, VerifyDnsLength is off.
            ("-ü-", "xn-----xka"),
            ("ab--ü", "xn--ab---3ra"),
            ("a..ü.", "a..xn--tda."),
            ("ü" + String(repeating: "a", count: 70), "xn--" + String(repeating: "a", count: 70) + "-tgh"),
            // Joiners where RFC 5892 allows them: after a virama, and ZWNJ between joining Arabic letters.
            ("क्\u{200D}", "xn--11b6iy14e"),
            ("क्\u{200C}", "xn--11b6iv14e"),
            ("می\u{200C}خواهم", "xn--mgbn2ecje63gr19l"),
            // Right-to-left labels that keep the Bidi Rule, also beside left-to-right ones.
            ("אב", "xn--4dbc"),
            ("العربية", "xn--mgbcd4a2b0d2b"),
            ("example.אב", "example.xn--4dbc"),
        ] as [(String, String)])
    func mapped(_ domain: String, _ ascii: String) throws {
        #expect(try UTS46.toASCII(domain, options: .url) == ascii)
    }
}

extension UTS46Tests {
    @Test(
        "Labels the validity criteria reject, with the reason",
        arguments: [
            // xn-- labels must be ASCII Punycode of a non-ASCII, valid, NFC label.
            ("xn--a", .disallowed("\u{80}", label: "\u{80}")),
            ("xn--ü", .nonASCIIACELabel(label: "xn--ü")),
            ("xn--a-", .asciiACELabel(label: "xn--a-")),
            ("xn--", .asciiACELabel(label: "xn--")),
            ("xn--99999999999999", .invalidPunycode(label: "xn--99999999999999")),
            ("xn--a-ä", .nonASCIIACELabel(label: "xn--a-ä")),
            ("xn--e-xbb", .notNFC(label: "e\u{301}")),
            ("xn--xn---3ra", .decodesToACELabel(label: "xn--ü")),
            // Disallowed code points: U+FFFD (invalid UTF-8 in a percent-encoded host), private use, controls.
            ("a\u{FFFD}b", .disallowed("\u{FFFD}", label: "a\u{FFFD}b")),
            ("\u{E000}", .disallowed("\u{E000}", label: "\u{E000}")),
            ("a\u{85}", .disallowed("\u{85}", label: "a\u{85}")),
            ("⒈com", .disallowed("⒈", label: "⒈com")),
            ("\u{2028}", .disallowed("\u{2028}", label: "\u{2028}")),
            // A combining mark can not begin a label, even after a full stop.
            ("\u{301}a", .leadingCombiningMark(label: "\u{301}a")),
            ("a.\u{300}", .leadingCombiningMark(label: "\u{300}")),
            // CheckJoiners: ZWJ only after a virama; ZWNJ also between joining letters.
            ("a\u{200D}b", .contextJ("\u{200D}", label: "a\u{200D}b")),
            ("a\u{200C}b", .contextJ("\u{200C}", label: "a\u{200C}b")),
            ("\u{200D}", .contextJ("\u{200D}", label: "\u{200D}")),
            ("ب\u{200C}ا\u{200C}ب", .contextJ("\u{200C}", label: "ب\u{200C}ا\u{200C}ب")),
            // CheckBidi: a Bidi domain name's labels must each keep the six conditions.
            ("1א", .bidiRule(1, label: "1א")),
            ("אa", .bidiRule(2, label: "אa")),
            ("א-", .bidiRule(3, label: "א-")),
            ("ا1١", .bidiRule(4, label: "ا1١")),
            ("aא", .bidiRule(5, label: "aא")),
            ("a-.א", .bidiRule(6, label: "a-")),
            ("0a.א", .bidiRule(1, label: "0a")),
        ] as [(String, UTS46.Error)])
    func rejected(_ domain: String, _ error: UTS46.Error) {
        #expect(throws: error) { try UTS46.toASCII(domain, options: .url) }
    }
}
