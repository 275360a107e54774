import Foundation
import Testing
@testable import WebSockets

/// The `WebSocket` constructor's URL steps (WHATWG WebSockets §3.1 steps 2–6) on top of the WHATWG URL
/// Standard's basic URL parser, in the spirit of web-platform-tests `websockets/constructor` and the
/// ws-relevant cases of `url/urltestdata`.
@Suite("WebSocketURL: constructor steps 2–6 and the URL Standard's parser")
struct WebSocketURLTests {
    /// An input the constructor accepts, and what `socket.url` then returns.
    struct Accepted: Sendable, CustomTestStringConvertible {
        let input: String
        let base: String?
        let serialized: String

        init(_ input: String, base: String? = nil, _ serialized: String) {
            self.input = input
            self.base = base
            self.serialized = serialized
        }

        var testDescription: String { base.map { "\(input.debugDescription) against \($0)" } ?? input.debugDescription }
    }

    static let accepted: [Accepted] = [
        // Scheme: lower-cased, http(s) mapped to ws(s) (constructor step 4), default ports dropped.
        Accepted("ws://example.com", "ws://example.com/"),
        Accepted("WS://EXAMPLE.com:80/a/../b?c d", "ws://example.com/b?c%20d"),
        Accepted("http://h:8080/x", "ws://h:8080/x"),
        Accepted("https://h:443/", "wss://h/"),
        Accepted("wss://h:443", "wss://h/"),
        Accepted("HtTpS://h:80/", "wss://h:80/"),
        Accepted("http://h:443/", "ws://h:443/"),
        Accepted("WsS://H", "wss://h/"),
        // Whitespace: C0 controls and spaces trimmed, tabs and newlines removed anywhere.
        Accepted("  ws://h/x \n", "ws://h/x"),
        Accepted("\u{0}\u{1F} ws://h/ \u{7}", "ws://h/"),
        Accepted("ws://h/a\tb\nc\rd", "ws://h/abcd"),
        Accepted("w\ts://h:8\n0/", "ws://h/"),
        // Special-URL leniency: backslashes, missing or extra slashes.
        Accepted("ws:\\\\h\\a\\b", "ws://h/a/b"),
        Accepted("ws:h/p", "ws://h/p"),
        Accepted("ws:///h", "ws://h/"),
        Accepted("ws:////h/p", "ws://h/p"),
        // Userinfo is kept in the serialisation, percent-encoded.
        Accepted("ws://user:pass@h/", "ws://user:pass@h/"),
        Accepted("ws://us er:p@ss@h/", "ws://us%20er:p%40ss@h/"),
        Accepted("ws://:@h/", "ws://h/"),
        Accepted("ws://u:@h/", "ws://u@h/"),
        // Ports.
        Accepted("ws://h:/", "ws://h/"),
        Accepted("ws://h:", "ws://h/"),
        Accepted("ws://h:00080/", "ws://h/"),
        Accepted("ws://h:0/", "ws://h:0/"),
        Accepted("ws://h:65535/", "ws://h:65535/"),
        Accepted("wss://h:80/", "wss://h:80/"),
        // Domains: lower-cased, percent-decoded, IDNA.
        Accepted("ws://%65xample.COM/", "ws://example.com/"),
        Accepted("ws://münchen.de/", "ws://xn--mnchen-3ya.de/"),
        Accepted("ws://MÜNCHEN.de/", "ws://xn--mnchen-3ya.de/"),
        Accepted("ws://XN--MNCHEN-3YA.de/", "ws://xn--mnchen-3ya.de/"),
        Accepted("ws://bücher.example/", "ws://xn--bcher-kva.example/"),
        Accepted("ws://faß.de/", "ws://xn--fa-hia.de/"),
        Accepted("ws://☃.net/", "ws://xn--n3h.net/"),
        Accepted("ws://%E2%98%83.net/", "ws://xn--n3h.net/"),
        Accepted("ws://ＧＯ.com/", "ws://go.com/"),
        Accepted("ws://go。com/", "ws://go.com/"),
        Accepted("ws://a..b./", "ws://a..b./"),
        Accepted("ws://%2e%2E\u{AD}/", "ws://../"),
        Accepted("ws://💩.la/", "ws://xn--ls8h.la/"),
        Accepted("ws://xn--ZCA/", "ws://xn--zca/"),
        Accepted("ws://ü_b/", "ws://xn--_b-wka/"),
        // IPv4 in all its legacy forms.
        Accepted("ws://0x7f.1/", "ws://127.0.0.1/"),
        Accepted("ws://127.0.0.1/", "ws://127.0.0.1/"),
        Accepted("ws://1.2.3/", "ws://1.2.0.3/"),
        Accepted("ws://1.65535/", "ws://1.0.255.255/"),
        Accepted("ws://4294967295/", "ws://255.255.255.255/"),
        Accepted("ws://0xffffffff/", "ws://255.255.255.255/"),
        Accepted("ws://0377.0.0.1/", "ws://255.0.0.1/"),
        Accepted("ws://0x/", "ws://0.0.0.0/"),
        Accepted("ws://1.2.3.4./", "ws://1.2.3.4/"),
        Accepted("ws://%30%78%37%66.1/", "ws://127.0.0.1/"),
        // IPv6: parsed and written in the canonical compressed form.
        Accepted("ws://[::1]:8080/", "ws://[::1]:8080/"),
        Accepted("ws://[::]/", "ws://[::]/"),
        Accepted("ws://[1:0:0:2:0:0:0:8]/", "ws://[1:0:0:2::8]/"),
        Accepted("ws://[0:0:1:0:0:2:0:0]/", "ws://[::1:0:0:2:0:0]/"),
        Accepted("ws://[1:2:3:4:5:6:7:8]/", "ws://[1:2:3:4:5:6:7:8]/"),
        Accepted("ws://[1:0:2:3:4:5:6:7]/", "ws://[1:0:2:3:4:5:6:7]/"),
        Accepted("ws://[FFFF::ABCD]/", "ws://[ffff::abcd]/"),
        Accepted("ws://[0000:0000::0001]/", "ws://[::1]/"),
        Accepted("ws://[::ffff:192.168.0.1]/", "ws://[::ffff:c0a8:1]/"),
        Accepted("ws://[1:2:3:4:5:6:1.2.3.4]/", "ws://[1:2:3:4:5:6:102:304]/"),
        // Paths: dot segments resolved (also %2e), the path percent-encode set applied.
        Accepted("ws://h/%2e%2E/a/./b/.%2e/c", "ws://h/a/c"),
        Accepted("ws://h/a/b/..", "ws://h/a/"),
        Accepted("ws://h/a/.", "ws://h/a/"),
        Accepted("ws://h/../../..", "ws://h/"),
        Accepted("ws://h/a/...", "ws://h/a/..."),
        Accepted("ws://h//a//b", "ws://h//a//b"),
        Accepted("ws://h/ä ö", "ws://h/%C3%A4%20%C3%B6"),
        Accepted("ws://h/😀", "ws://h/%F0%9F%98%80"),
        Accepted("ws://h/a\"b<c>d`e{f}g^h|i~", "ws://h/a%22b%3Cc%3Ed%60e%7Bf%7Dg%5Eh|i~"),
        Accepted("ws://h/%zz/%41", "ws://h/%zz/%41"),
        // Queries: the special-query percent-encode set (`'` encoded, `?` and `/` not).
        Accepted("ws://h/?ä ö'\"<>`{}", "ws://h/?%C3%A4%20%C3%B6%27%22%3C%3E`{}"),
        Accepted("ws://h?x=1/2?3", "ws://h/?x=1/2?3"),
        Accepted("ws://h/?", "ws://h/?"),
        // Relative URLs resolve against the base URL (the document's, in a browser).
        Accepted("/chat", base: "http://example.com/app/", "ws://example.com/chat"),
        Accepted("chat", base: "http://example.com/app/index.html", "ws://example.com/app/chat"),
        Accepted("../chat", base: "https://example.com:8443/app/x/", "wss://example.com:8443/app/chat"),
        Accepted("//other.example/x", base: "https://example.com/app/", "wss://other.example/x"),
        Accepted("?room=1", base: "http://example.com/app/index.html?x", "ws://example.com/app/index.html?room=1"),
        Accepted("", base: "http://example.com/app/?q#f", "ws://example.com/app/?q"),
        Accepted("\\chat", base: "http://example.com/app/", "ws://example.com/chat"),
        Accepted("ws:chat", base: "ws://example.com/app/", "ws://example.com/app/chat"),
        Accepted("ws://h/x", base: "file:///home/user/page.html", "ws://h/x"),
        Accepted("wss://h/x", base: "about:blank", "wss://h/x"),
    ]

    @Test("An accepted URL serialises as the URL Standard says", arguments: accepted)
    func acceptedURL(_ example: Accepted) throws {
        let url = try WebSocketURL(parsing: example.input, baseURL: example.base.map { URL(string: $0)! })
        #expect(url.serialized == example.serialized)
        #expect(url.description == example.serialized)
        // A serialised URL parses back to itself (the URL Standard's idempotence goal).
        #expect(try WebSocketURL(parsing: url.serialized) == url)
    }

    /// What the constructor throws for an input: a ``WebSocketURL/ParseError`` of this kind.
    enum Failure: Sendable {
        case invalid(String)  // the validation error's name, which starts the reason
        case relativeWithoutBase
        case unsupportedScheme(String)
        case fragment
    }

    /// An input the constructor rejects with a "SyntaxError" DOMException.
    struct Rejected: Sendable, CustomTestStringConvertible {
        let input: String
        let base: String?
        let failure: Failure

        init(_ input: String, base: String? = nil, _ failure: Failure) {
            self.input = input
            self.base = base
            self.failure = failure
        }

        var testDescription: String { base.map { "\(input.debugDescription) against \($0)" } ?? input.debugDescription }
    }

    static let rejected: [Rejected] = [
        // Constructor step 5: only ws, wss, http and https.
        Rejected("ftp://h/", .unsupportedScheme("ftp")),
        Rejected("file:///x", .unsupportedScheme("file")),
        Rejected("mailto:x", .unsupportedScheme("mailto")),
        Rejected("javascript:alert(1)", .unsupportedScheme("javascript")),
        Rejected("data:text/plain,x", .unsupportedScheme("data")),
        Rejected("wss+unix://h/", .unsupportedScheme("wss+unix")),
        Rejected("/x", base: "file:///home/user/", .unsupportedScheme("file")),
        // Constructor step 6: any fragment, even an empty one.
        Rejected("ws://h/#", .fragment),
        Rejected("ws://h/#frag", .fragment),
        Rejected("ws://h?q#", .fragment),
        Rejected("#frag", base: "http://example.com/", .fragment),
        Rejected("#", base: "about:blank", .unsupportedScheme("about")),
        // Relative URLs need a base that can have relative URLs.
        Rejected("/chat", .relativeWithoutBase),
        Rejected("chat", .relativeWithoutBase),
        Rejected("//h/chat", .relativeWithoutBase),
        Rejected("?q", .relativeWithoutBase),
        Rejected("", .relativeWithoutBase),
        Rejected("   ", .relativeWithoutBase),
        Rejected("example.com:80/chat", .unsupportedScheme("example.com")),
        Rejected("/chat", base: "about:blank", .relativeWithoutBase),
        // Hosts.
        Rejected("ws://exa mple.com/", .invalid("domain-invalid-code-point")),
        Rejected("ws://ex%2Fample.com/", .invalid("domain-invalid-code-point")),
        Rejected("ws://ex%ample.com/", .invalid("domain-invalid-code-point")),
        Rejected("ws://a<b/", .invalid("domain-invalid-code-point")),
        Rejected("ws://a^b/", .invalid("domain-invalid-code-point")),
        Rejected("ws://%00/", .invalid("domain-invalid-code-point")),
        Rejected("ws://%ff/", .invalid("domain-to-ASCII")),
        Rejected("ws://xn--/", .invalid("domain-to-ASCII")),
        Rejected("ws://xn--a/", .invalid("domain-to-ASCII")),
        Rejected("ws://", .invalid("host-missing")),
        Rejected("ws:///", .invalid("host-missing")),
        Rejected("ws://u@/", .invalid("host-missing")),
        Rejected("ws://:80/", .invalid("host-missing")),
        Rejected("ws://\u{AD}/", .invalid("domain-to-ASCII")),
        Rejected("ws://xn--a-/", .invalid("domain-to-ASCII")),
        Rejected("ws://a\u{200D}b/", .invalid("domain-to-ASCII")),
        Rejected("ws://1א/", .invalid("domain-to-ASCII")),
        // UTS #46 keeps ASCII symbols (UseSTD3ASCIIRules is off); the URL Standard rejects them after.
        Rejected("ws://ü<b/", .invalid("domain-invalid-code-point")),
        Rejected("ws://ü／b/", .invalid("domain-invalid-code-point")),
        // IPv4: a host ending in a number must be a valid address.
        Rejected("ws://1.2.3.4.5/", .invalid("IPv4-too-many-parts")),
        Rejected("ws://1.2.3.256/", .invalid("IPv4-out-of-range-part")),
        Rejected("ws://256.1.1.1/", .invalid("IPv4-out-of-range-part")),
        Rejected("ws://4294967296/", .invalid("IPv4-out-of-range-part")),
        Rejected("ws://0x100000000/", .invalid("IPv4-out-of-range-part")),
        Rejected("ws://1.2.3.09/", .invalid("IPv4-non-numeric-part")),
        Rejected("ws://foo.09/", .invalid("IPv4-non-numeric-part")),
        Rejected("ws://foo.0x4/", .invalid("IPv4-non-numeric-part")),
        // IPv6.
        Rejected("ws://[::1/", .invalid("IPv6-unclosed")),
        Rejected("ws://[:1]/", .invalid("IPv6-invalid-compression")),
        Rejected("ws://[1::2::3]/", .invalid("IPv6-multiple-compression")),
        Rejected("ws://[1:2:3:4:5:6:7:8:9]/", .invalid("IPv6-too-many-pieces")),
        Rejected("ws://[1:2:3]/", .invalid("IPv6-too-few-pieces")),
        Rejected("ws://[12345::]/", .invalid("IPv6-invalid-code-point")),
        Rejected("ws://[::00001]/", .invalid("IPv6-invalid-code-point")),
        Rejected("ws://[1:]/", .invalid("IPv6-invalid-code-point")),
        Rejected("ws://[::1]x/", .invalid("IPv6-unclosed")),
        Rejected("ws://[::1.2.3]/", .invalid("IPv4-in-IPv6-too-few-parts")),
        Rejected("ws://[::1.2.3.256]/", .invalid("IPv4-in-IPv6-out-of-range-part")),
        Rejected("ws://[::1.2.3.04]/", .invalid("IPv4-in-IPv6-invalid-code-point")),
        Rejected("ws://[1:2:3:4:5:6:7:1.2.3.4]/", .invalid("IPv4-in-IPv6-too-many-pieces")),
        Rejected("ws://[www.example.com]/", .invalid("IPv6-invalid-code-point")),
        // Ports.
        Rejected("ws://h:65536/", .invalid("port-out-of-range")),
        Rejected("ws://h:99999999999999999999/", .invalid("port-out-of-range")),
        Rejected("ws://h:8a/", .invalid("port-invalid")),
        Rejected("ws://h:-1/", .invalid("port-invalid")),
        Rejected("ws://h: 80/", .invalid("port-invalid")),
    ]

    @Test("A rejected URL throws the ParseError the constructor maps to SyntaxError", arguments: rejected)
    func rejectedURL(_ example: Rejected) {
        let base = example.base.map { URL(string: $0)! }
        let error = #expect(throws: WebSocketURL.ParseError.self) {
            try WebSocketURL.forWebSocket(example.input, baseURL: base)
        }
        switch (example.failure, error) {
        case (.invalid(let name), .invalidURL(let input, let reason)?):
            #expect(input == example.input)
            #expect(reason.hasPrefix(name + ":"), "reason: \(reason)")
        case (.relativeWithoutBase, .relativeURLWithoutBase(let input)?):
            #expect(input == example.input)
        case (.unsupportedScheme(let expected), .unsupportedScheme(let scheme)?):
            #expect(scheme == expected)
        case (.fragment, .fragmentNotAllowed(let input)?):
            #expect(input == example.input)
        default:
            Issue.record("expected \(example.failure), got \(String(describing: error))")
        }
    }

    // MARK: The parts the WebSocket uses

    @Test("host, port, effectivePort and isSecure (WebSockets §2.1 obtain a WebSocket connection)")
    func connectionParts() throws {
        let plain = try WebSocketURL(parsing: "ws://Example.com/chat")
        #expect(plain.scheme == "ws")
        #expect(plain.host == "example.com")
        #expect(plain.port == nil)
        #expect(plain.effectivePort == 80)
        #expect(!plain.isSecure)

        let secure = try WebSocketURL(parsing: "https://example.com/chat")
        #expect(secure.scheme == "wss")
        #expect(secure.port == nil)
        #expect(secure.effectivePort == 443)
        #expect(secure.isSecure)

        let explicit = try WebSocketURL(parsing: "wss://example.com:8443/")
        #expect(explicit.port == 8443)
        #expect(explicit.effectivePort == 8443)
        #expect(explicit.authority == "example.com:8443")

        let ipv6 = try WebSocketURL(parsing: "ws://[::1]:8080/")
        #expect(ipv6.host == "[::1]")
        #expect(ipv6.connectionHost == "::1")
        #expect(ipv6.port == 8080)
        #expect(ipv6.authority == "[::1]:8080")

        let ipv4 = try WebSocketURL(parsing: "ws://0x7f.1/")
        #expect(ipv4.host == "127.0.0.1")
        #expect(ipv4.connectionHost == "127.0.0.1")
    }

    @Test(
        "resourceName is / and the path segments, then ?query only if the query is non-empty",
        arguments: [
            ("ws://h", "/"),
            ("ws://h/", "/"),
            ("ws://h/chat", "/chat"),
            ("ws://h/a/b/", "/a/b/"),
            ("ws://h//a//b", "//a//b"),
            ("ws://h/chat?room=1&x=2", "/chat?room=1&x=2"),
            ("ws://h/?", "/"),
            ("ws://h?", "/"),
            ("ws://h/a?b?c", "/a?b?c"),
            ("ws://h/ä?ö", "/%C3%A4?%C3%B6"),
            ("ws://user:pw@h:81/p?q", "/p?q"),
        ])
    func resourceName(_ input: String, _ expected: String) throws {
        #expect(try WebSocketURL(parsing: input).resourceName == expected)
    }

    @Test(
        "origin is scheme://host[:port] with the mapped scheme and without default port or userinfo",
        arguments: [
            ("ws://example.com/chat", "ws://example.com"),
            ("WS://EXAMPLE.COM:80/", "ws://example.com"),
            ("wss://example.com:443/", "wss://example.com"),
            ("https://example.com:8443/x?y", "wss://example.com:8443"),
            ("http://user:pw@h:80/", "ws://h"),
            ("ws://[::1]:9000/", "ws://[::1]:9000"),
            ("ws://münchen.de/", "ws://xn--mnchen-3ya.de"),
        ])
    func origin(_ input: String, _ expected: String) throws {
        #expect(try WebSocketURL(parsing: input).origin == expected)
    }

    @Test("Userinfo, path and query are exposed percent-encoded; an empty query differs from none")
    func components() throws {
        let url = try WebSocketURL(parsing: "ws://us er:p@ss@h/a b?c d")
        #expect(url.username == "us%20er")
        #expect(url.password == "p%40ss")
        #expect(url.path == "/a%20b")
        #expect(url.query == "c%20d")
        #expect(try WebSocketURL(parsing: "ws://h/").query == nil)
        #expect(try WebSocketURL(parsing: "ws://h/?").query == "")
        #expect(try WebSocketURL(parsing: "ws://h/?") != WebSocketURL(parsing: "ws://h/"))
    }

    @Test("Equal URLs are equal whatever way they were written")
    func equality() throws {
        let written = try ["ws://example.com", "WS://EXAMPLE.COM:80/", "http://example.com/.", " ws:example.com/a/.. "]
            .map { try WebSocketURL(parsing: $0) }
        #expect(Set(written).count == 1)
    }

    // MARK: Errors

    @Test("ParseError messages name the input and what was wrong")
    func errorMessages() {
        #expect(
            WebSocketURL.ParseError.invalidURL(input: "ws://h:65536/", reason: "port-out-of-range: port 65536 is greater than 65535")
                .description == "The URL \"ws://h:65536/\" is invalid: port-out-of-range: port 65536 is greater than 65535.")
        #expect(WebSocketURL.ParseError.unsupportedScheme("ftp").description.contains("\"ftp\""))
        #expect(WebSocketURL.ParseError.fragmentNotAllowed(input: "ws://h/#").description.contains("fragment"))
        #expect(WebSocketURL.ParseError.relativeURLWithoutBase(input: "/chat").description.contains("no base URL"))

        let error = #expect(throws: WebSocketURL.ParseError.self) { try WebSocketURL(parsing: "ws://exa mple.com/") }
        #expect(error?.description.contains("\"ws://exa mple.com/\"") == true)
        #expect(error?.description.contains("U+0020") == true)
    }

    @Test("A base URL that is not itself a URL is reported as such")
    func invalidBase() throws {
        let base = URL(string: "relative/path")!
        let error = #expect(throws: WebSocketURL.ParseError.self) { try WebSocketURL(parsing: "/chat", baseURL: base) }
        guard case .invalidBaseURL(let string, _)? = error else {
            Issue.record("expected invalidBaseURL, got \(String(describing: error))")
            return
        }
        #expect(string == "relative/path")
        // An absolute input never looks at the base.
        #expect(try WebSocketURL(parsing: "ws://h/", baseURL: base).serialized == "ws://h/")
    }

    // MARK: The URL Standard's parser beneath, for other schemes

    @Test(
        "The basic URL parser handles the schemes the constructor then rejects",
        arguments: [
            ("file:///C|/x/../y", nil, "file:///C:/y"),
            ("file://LOCALHOST/x", nil, "file:///x"),
            ("/x", "file:///C:/dir/file", "file:///C:/x"),
            ("mailto:Joe@Example.COM", nil, "mailto:Joe@Example.COM"),
            ("foo://H%41ost:80/a/../b", nil, "foo://H%41ost:80/b"),
            ("foo:/.//p", nil, "foo:/.//p"),
            ("non-spec:/..", nil, "non-spec:/"),
            ("#x", "about:blank", "about:blank#x"),
            ("ftp://h:21/", nil, "ftp://h/"),
        ] as [(String, String?, String)])
    func otherSchemes(_ input: String, _ base: String?, _ expected: String) throws {
        let baseRecord = try base.map { try WebSocketURL.Parser.parse($0) }
        #expect(try WebSocketURL.Parser.parse(input, base: baseRecord).serialized() == expected)
    }

    // MARK: Punycode (RFC 3492)

    @Test(
        "Punycode encodes and decodes the RFC 3492 §7.1 samples",
        arguments: [
            ("ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"),
            ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
            ("Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"),
            ("PorquénopuedensimplementehablarenEspañol", "PorqunopuedensimplementehablarenEspaol-fmd56a"),
            ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
            ("安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"),
            ("-> $1.00 <-", "-> $1.00 <--"),
            ("münchen", "mnchen-3ya"),
        ])
    func punycode(_ unicode: String, _ encoded: String) {
        #expect(Punycode.encode(unicode) == encoded)
        #expect(Punycode.decode(encoded) == unicode)
    }

    @Test("Punycode decoding rejects what is not Punycode", arguments: ["ü", "a!", "abc-!", "99999999999999"])
    func invalidPunycode(_ input: String) {
        #expect(Punycode.decode(input) == nil)
    }
}
