import NIOCore
import Testing
@testable import WebSocketCore

@Suite("Client opening handshake (RFC 6455 §4.1, WHATWG WebSockets §2.2)")
struct ClientHandshakeTests {
    static let rfcKey = SecWebSocketKey("dGhlIHNhbXBsZSBub25jZQ==")!
    static let rfcAccept = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    static let deflate = ExtensionOffer(name: "permessage-deflate", parameters: [(name: "client_max_window_bits", value: nil)])

    /// The client of the RFC 6455 §1.3 example, also offering permessage-deflate.
    static func offeringClient() throws -> ClientHandshake {
        try ClientHandshake(
            host: "server.example.com", resourceName: "/chat", protocols: ["chat", "superchat"], extensions: [deflate],
            key: rfcKey)
    }

    /// A client offering neither subprotocols nor extensions.
    static func plainClient() throws -> ClientHandshake {
        try ClientHandshake(host: "server.example.com", key: rfcKey)
    }

    /// A response head from its lines, CRLF added.
    static func response(_ lines: [String]) -> [UInt8] {
        httpBytes(lines.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    static let switching = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", rfcAccept]

    // MARK: The request

    @Test func theRequestIsTheRFCExampleByteForByte() throws {
        let client = try ClientHandshake(
            host: "server.example.com", resourceName: "/chat", protocols: ["chat", "superchat"],
            extraHeaders: ["Origin": "http://example.com"], key: Self.rfcKey)
        let expected =
            "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: chat, superchat\r\nOrigin: http://example.com\r\n\r\n"
        #expect(String(buffer: client.request()) == expected)
    }

    @Test func theRequestWithAGeneratedKeyExtensionsAndExtraHeadersIsExact() throws {
        var generator = CountingBytes()
        let client = try ClientHandshake(
            host: "[::1]:8080", resourceName: "/a/b?c=d&e", extensions: [Self.deflate, ExtensionOffer(name: "x-foo")],
            extraHeaders: ["Authorization": "Bearer t", "X-Twice": "1", "X-Twice": "2"], key: SecWebSocketKey(using: &generator))
        let expected =
            "GET /a/b?c=d&e HTTP/1.1\r\nHost: [::1]:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-foo\r\n"
            + "Authorization: Bearer t\r\nX-Twice: 1\r\nX-Twice: 2\r\n\r\n"
        #expect(String(buffer: client.request()) == expected)
        var appended = ByteBuffer(string: "prefix")
        client.writeRequest(into: &appended)
        #expect(String(buffer: appended) == "prefix" + expected)
    }

    @Test func aMinimalRequestHasOnlyTheRequiredFields() throws {
        let expected =
            "GET / HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        #expect(String(buffer: try Self.plainClient().request()) == expected)
    }

    @Test func theRequestParsesBackToItsHead() throws {
        let client = try Self.offeringClient()
        var parser = HTTPHeadParser(kind: .request)
        var buffer = client.request()
        #expect(try parser.parse(&buffer) == .request(client.requestHead))
        #expect(buffer.readableBytes == 0)
    }

    @Test func eachNewHandshakeGetsAFreshKey() throws {
        #expect(try ClientHandshake(host: "a").key != ClientHandshake(host: "a").key)
    }

    static let hostFields: [(String, Int?, Bool, String)] = [
        ("example.com", 80, false, "example.com"),
        ("example.com", 443, true, "example.com"),
        ("example.com", 443, false, "example.com:443"),
        ("example.com", 80, true, "example.com:80"),
        ("example.com", 8080, false, "example.com:8080"),
        ("example.com", nil, true, "example.com"),
        ("127.0.0.1", 9001, false, "127.0.0.1:9001"),
        ("::1", 80, false, "[::1]"),
        ("::1", 9001, true, "[::1]:9001"),
        ("[2001:db8::1]", 9001, false, "[2001:db8::1]:9001"),
    ]

    @Test(arguments: hostFields)
    func theHostFieldOmitsTheDefaultPortAndBracketsIPv6(_ host: String, _ port: Int?, _ secure: Bool, _ expected: String) {
        #expect(ClientHandshake.hostField(host: host, port: port, secure: secure) == expected)
    }

    @Test func theHostAndPortInitializerBuildsTheHostField() throws {
        let client = try ClientHandshake(host: "::1", port: 8443, secure: true, key: Self.rfcKey)
        #expect(client.host == "[::1]:8443")
        #expect(client.requestHead.headers.first(name: "Host") == "[::1]:8443")
    }

    /// Each way of building a handshake that cannot be sent, and the error it gives.
    static let invalidArguments: [(HandshakeError, @Sendable () throws -> Void)] = [
        (.invalidHost(""), { _ = try ClientHandshake(host: "") }),
        (.invalidHost("a b"), { _ = try ClientHandshake(host: "a b") }),
        (.invalidHost("a\r\nX: y"), { _ = try ClientHandshake(host: "a\r\nX: y") }),
        (.invalidResourceName("chat"), { _ = try ClientHandshake(host: "a", resourceName: "chat") }),
        (.invalidResourceName(""), { _ = try ClientHandshake(host: "a", resourceName: "") }),
        (.invalidResourceName("/a b"), { _ = try ClientHandshake(host: "a", resourceName: "/a b") }),
        (.invalidSubprotocol("a b"), { _ = try ClientHandshake(host: "a", protocols: ["ok", "a b"]) }),
        (.invalidSubprotocol(""), { _ = try ClientHandshake(host: "a", protocols: [""]) }),
        (.duplicateSubprotocol("chat"), { _ = try ClientHandshake(host: "a", protocols: ["chat", "x", "chat"]) }),
        (.invalidExtension("x y"), { _ = try ClientHandshake(host: "a", extensions: [ExtensionOffer(name: "x y")]) }),
        (
            .invalidExtension("x; a=1 2"),
            { _ = try ClientHandshake(host: "a", extensions: [ExtensionOffer(name: "x", parameters: [(name: "a", value: "1 2")])]) }
        ),
        (.reservedHeaderField("sec-websocket-key"), { _ = try ClientHandshake(host: "a", extraHeaders: ["sec-websocket-key": "x"]) }),
        (.reservedHeaderField("HOST"), { _ = try ClientHandshake(host: "a", extraHeaders: ["HOST": "b"]) }),
        (.invalidHeaderField(name: "X-Evil"), { _ = try ClientHandshake(host: "a", extraHeaders: ["X-Evil": "1\r\nHost: b"]) }),
        (.invalidHeaderField(name: "X:Evil"), { _ = try ClientHandshake(host: "a", extraHeaders: ["X:Evil": "1"]) }),
        (.invalidHeaderField(name: "X-Padded"), { _ = try ClientHandshake(host: "a", extraHeaders: ["X-Padded": " 1"]) }),
    ]

    @Test func argumentsThatCannotBeSentAreRefused() {
        for (error, build) in Self.invalidArguments {
            #expect(throws: error) { try build() }
        }
    }

    // MARK: Accepting the response

    @Test(arguments: Chunking.all)
    func theRFCExampleResponseIsAccepted(_ chunking: Chunking) throws {
        var client = try Self.offeringClient()
        let input = Self.response(Self.switching + ["Sec-WebSocket-Protocol: chat"])
        let result = try #require(try client.feed(input, chunking: chunking))
        #expect(result.subprotocol == "chat")
        #expect(result.extensions.isEmpty)
        #expect(result.response.statusCode == 101)
        #expect(result.response.headers.first(name: "Sec-WebSocket-Protocol") == "chat")
        #expect(result.leftover.readableBytes == 0)
    }

    @Test(arguments: Chunking.all)
    func framesInTheSamePacketAsTheResponseAreHandedBackExactly(_ chunking: Chunking) throws {
        var client = try Self.plainClient()
        let frames: [UInt8] = [0x81, 0x05] + Array("Hello".utf8) + [0x89, 0x00, 0x0D, 0x0A, 0x0D, 0x0A]
        let result = try #require(try client.feed(Self.response(Self.switching) + frames, chunking: chunking))
        #expect(Array(result.leftover.readableBytesView) == frames)
    }

    @Test func anIncompleteResponseNeedsMoreData() throws {
        var client = try Self.plainClient()
        #expect(try client.receive(ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")) == .needMoreData)
    }

    @Test func afterAcceptanceLaterBytesPassThroughAsLeftover() throws {
        var client = try Self.plainClient()
        guard case .accepted = try client.receive(ByteBuffer(bytes: Self.response(Self.switching))) else {
            Issue.record("not accepted")
            return
        }
        guard case .accepted(let again) = try client.receive(ByteBuffer(bytes: [0x88, 0x00])) else {
            Issue.record("not accepted again")
            return
        }
        #expect(Array(again.leftover.readableBytesView) == [0x88, 0x00])
    }

    static let acceptableVariations: [[String]] = [
        ["HTTP/1.1 101 Switching Protocols", "upgrade: WebSocket", "connection: upgrade", rfcAccept],
        ["HTTP/1.1 101 Switching Protocols", "Upgrade: WEBSOCKET", "Connection: keep-alive, Upgrade", rfcAccept],
        ["HTTP/1.1 101 Switching Protocols", "Upgrade: foo, websocket", "Connection: Upgrade", "Connection: close", rfcAccept],
        ["HTTP/1.1 101 ", "Server: test", "Upgrade: websocket", "Connection: Upgrade", rfcAccept, "Set-Cookie: a=b"],
        ["HTTP/1.1 101 Whatever", rfcAccept, "Connection:Upgrade", "Upgrade:\twebsocket\t"],
    ]

    @Test(arguments: acceptableVariations)
    func responsesWithinTheRulesAreAccepted(_ lines: [String]) throws {
        for chunking in Chunking.all {
            var client = try Self.plainClient()
            let result = try #require(try client.feed(Self.response(lines), chunking: chunking), "\(chunking)")
            #expect(result.subprotocol == nil)
        }
    }

    @Test func acceptedExtensionsAreReportedWithTheServersParameters() throws {
        var client = try Self.offeringClient()
        let lines =
            Self.switching + [
                "Sec-WebSocket-Protocol: superchat",
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=\"15\"",
            ]
        let result = try #require(try client.feed(Self.response(lines), chunking: .byteByByte))
        #expect(result.subprotocol == "superchat")
        let expected = ExtensionOffer(
            name: "permessage-deflate",
            parameters: [(name: "server_no_context_takeover", value: nil), (name: "client_max_window_bits", value: "15")])
        #expect(result.extensions == [expected])
    }

    // MARK: Refusing the response

    static let wrongResponsesToAnOfferingClient: [(String, [String], HandshakeError)] = [
        (
            "HTTP/1.0", ["HTTP/1.0 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", rfcAccept, "Sec-WebSocket-Protocol: chat"],
            .unsupportedHTTPVersion(HTTPVersion(major: 1, minor: 0))
        ),
        ("no Upgrade", ["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", rfcAccept], .missingUpgrade),
        ("Upgrade: h2c", ["HTTP/1.1 101 Switching Protocols", "Upgrade: h2c", "Connection: Upgrade", rfcAccept], .missingUpgrade),
        ("Upgrade: websocketx", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocketx", "Connection: Upgrade", rfcAccept], .missingUpgrade),
        ("no Connection", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", rfcAccept], .missingConnectionUpgrade),
        ("Connection: keep-alive", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: keep-alive", rfcAccept], .missingConnectionUpgrade),
        ("Connection: upgraded", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: upgraded", rfcAccept], .missingConnectionUpgrade),
        ("no Accept", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade"], .missingAccept),
        (
            "Accept of another key", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk="],
            .wrongAccept("HSmrc0sMlYUkAGmm5OPpG2HaGWk=")
        ),
        (
            "Accept in other case", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO="],
            .wrongAccept("S3PPLMBITXAQ9KYGZZHZRBK+XOO=")
        ),
        (
            "empty Accept", ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept:"],
            .wrongAccept("")
        ),
        ("two Accepts", switching + [rfcAccept, "Sec-WebSocket-Protocol: chat"], .duplicateHeaderField("Sec-WebSocket-Accept")),
        (
            "unoffered extension", switching + ["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Extensions: permessage-deflate, x-foo"],
            .unofferedExtension("x-foo")
        ),
        (
            "malformed extensions", switching + ["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Extensions: permessage-deflate;"],
            .invalidExtensionHeader("permessage-deflate;")
        ),
        ("unoffered subprotocol", switching + ["Sec-WebSocket-Protocol: Chat"], .unofferedSubprotocol("Chat")),
        ("two subprotocol lines", switching + ["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"], .duplicateHeaderField("Sec-WebSocket-Protocol")),
        ("subprotocol list", switching + ["Sec-WebSocket-Protocol: chat, superchat"], .invalidSubprotocolHeader("chat, superchat")),
        ("empty subprotocol", switching + ["Sec-WebSocket-Protocol:"], .invalidSubprotocolHeader("")),
        ("no subprotocol selected", switching, .noSubprotocolSelected),
        ("bare LF", ["HTTP/1.1 101 Switching Protocols\nUpgrade: websocket"], .invalidLineEnding),
        ("folded line", switching + ["  chat"], .obsoleteLineFolding),
    ]

    @Test(arguments: wrongResponsesToAnOfferingClient)
    func wrongResponsesFailTheConnection(_ label: String, _ lines: [String], _ error: HandshakeError) throws {
        for chunking in Chunking.all {
            var client = try Self.offeringClient()
            #expect(throws: error, "\(label), \(chunking)") { try client.feed(Self.response(lines), chunking: chunking) }
        }
    }

    @Test(arguments: [200, 204, 301, 302, 307, 308, 400, 401, 403, 404, 426, 500, 503])
    func anyStatusButSwitchingProtocolsFailsCarryingTheHead(_ status: Int) throws {
        let lines = ["HTTP/1.1 \(status) Nope", "Location: wss://elsewhere.example/", "Content-Length: 3"]
        for chunking in Chunking.all {
            var client = try Self.plainClient()
            let head = HTTPResponseHead(statusCode: status, reasonPhrase: "Nope", headers: ["Location": "wss://elsewhere.example/", "Content-Length": "3"])
            #expect(throws: HandshakeError.unexpectedStatus(code: status, head: head)) {
                try client.feed(Self.response(lines) + httpBytes("abc"), chunking: chunking)
            }
        }
    }

    @Test func aSubprotocolFromAServerWhenNoneWasOfferedFails() throws {
        var client = try Self.plainClient()
        #expect(throws: HandshakeError.unofferedSubprotocol("chat")) {
            try client.feed(Self.response(Self.switching + ["Sec-WebSocket-Protocol: chat"]), chunking: .whole)
        }
    }

    @Test func anExtensionFromAServerWhenNoneWasOfferedFails() throws {
        var client = try Self.plainClient()
        #expect(throws: HandshakeError.unofferedExtension("permessage-deflate")) {
            try client.feed(Self.response(Self.switching + ["Sec-WebSocket-Extensions: permessage-deflate"]), chunking: .whole)
        }
    }

    @Test func anOversizedResponseFailsAtTheLimit() throws {
        var client = try ClientHandshake(host: "a", key: Self.rfcKey, limits: HandshakeLimits(maxHeadBytes: 100, maxHeaderCount: 4))
        #expect(throws: HandshakeError.headTooLarge(limit: 100)) {
            try client.feed(Self.response(Self.switching + ["X-Padding: " + String(repeating: "p", count: 100)]), chunking: .whole)
        }
        var counted = try ClientHandshake(host: "a", key: Self.rfcKey, limits: HandshakeLimits(maxHeaderCount: 3))
        #expect(throws: HandshakeError.tooManyHeaderFields(limit: 3)) {
            try counted.feed(Self.response(Self.switching + ["X: 1"]), chunking: .byteByByte)
        }
    }

    @Test func aFailedHandshakeKeepsFailing() throws {
        var client = try Self.plainClient()
        #expect(throws: HandshakeError.invalidStatusCode) { try client.receive(ByteBuffer(string: "HTTP/1.1 1x")) }
        #expect(throws: HandshakeError.invalidStatusCode) { try client.receive(ByteBuffer(string: "01 OK\r\n\r\n")) }
    }
}
