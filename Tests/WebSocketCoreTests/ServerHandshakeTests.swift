import NIOCore
import Testing
@testable import WebSocketCore

@Suite("Server opening handshake (RFC 6455 §4.2)")
struct ServerHandshakeTests {
    /// A request head from its lines, CRLF added.
    static func request(_ lines: [String]) -> [UInt8] {
        httpBytes(lines.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    static let required = [
        "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
    ]

    /// The request of RFC 6455 §1.3, field for field.
    static let rfcRequest = [
        "GET /chat HTTP/1.1", "Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://example.com",
        "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Version: 13",
    ]

    /// The request `lines` with the line starting with `prefix` removed.
    static func required(without prefix: String) -> [String] {
        required.filter { !$0.hasPrefix(prefix) }
    }

    static func accept(_ input: [UInt8], chunking: Chunking = .whole) -> (request: HandshakeRequest, leftover: [UInt8])? {
        var server = ServerHandshake()
        guard case .accepted(let request, let leftover) = server.feed(input, chunking: chunking) else { return nil }
        return (request, Array(leftover.readableBytesView))
    }

    // MARK: Accepting

    @Test(arguments: Chunking.all)
    func theRFCExampleRequestIsAcceptedAndAnsweredWithTheRFCExampleResponse(_ chunking: Chunking) throws {
        let accepted = try #require(Self.accept(Self.request(Self.rfcRequest), chunking: chunking))
        let request = accepted.request
        #expect(request.resourceName == "/chat")
        #expect(request.host == "server.example.com")
        #expect(request.origin == "http://example.com")
        #expect(request.key.value == "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(request.protocols == ["chat", "superchat"])
        #expect(request.extensions.isEmpty)
        #expect(request.head.method == "GET")
        #expect(accepted.leftover.isEmpty)

        let response = try request.acceptingResponse(subprotocol: request.selectSubprotocol(supported: ["chat"]))
        let expected =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
        #expect(String(buffer: response) == expected)
    }

    @Test(arguments: Chunking.all)
    func bytesAfterTheRequestAreHandedBackExactly(_ chunking: Chunking) throws {
        let frames: [UInt8] = [0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6B, 0x0D, 0x0A, 0x0D, 0x0A]
        let accepted = try #require(Self.accept(Self.request(Self.required) + frames, chunking: chunking))
        #expect(accepted.leftover == frames)
    }

    @Test func anIncompleteRequestNeedsMoreData() {
        var server = ServerHandshake()
        #expect(server.receive(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n")) == .needMoreData)
    }

    static let acceptableVariations: [[String]] = [
        [
            "GET / HTTP/1.1", "host: a", "upgrade: WebSocket", "connection: keep-alive, Upgrade",
            "sec-websocket-key: AQIDBAUGBwgJCgsMDQ4PEC==", "sec-websocket-version: 13",
        ],
        [
            "GET /x?y=z HTTP/1.1", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Connection: Upgrade", "Connection: keep-alive", "Upgrade: websocket", "Host: [::1]:9001", "User-Agent: test",
        ],
        required + ["Sec-WebSocket-Protocol: a,, b ", "Sec-WebSocket-Protocol: c", "Sec-WebSocket-Extensions: x; y=1, z"],
    ]

    @Test(arguments: acceptableVariations)
    func requestsWithinTheRulesAreAccepted(_ lines: [String]) throws {
        for chunking in Chunking.all {
            #expect(Self.accept(Self.request(lines), chunking: chunking) != nil, "\(chunking)")
        }
    }

    @Test func offeredSubprotocolsAndExtensionsAreCollectedFromEveryLine() throws {
        let accepted = try #require(Self.accept(Self.request(Self.acceptableVariations[2])))
        #expect(accepted.request.protocols == ["a", "b", "c"])
        #expect(accepted.request.extensions == [ExtensionOffer(name: "x", parameters: [(name: "y", value: "1")]), ExtensionOffer(name: "z")])
        #expect(accepted.request.origin == nil)
    }

    // MARK: Refusing

    static let wrongRequests: [(String, [String], HandshakeError, Int)] = [
        ("POST", ["POST /chat HTTP/1.1"] + required.dropFirst(), .methodNotAllowed("POST"), 405),
        ("lowercase get", ["get /chat HTTP/1.1"] + required.dropFirst(), .methodNotAllowed("get"), 405),
        ("HTTP/1.0", ["GET /chat HTTP/1.0"] + required.dropFirst(), .unsupportedHTTPVersion(HTTPVersion(major: 1, minor: 0)), 505),
        ("no Host", required(without: "Host"), .missingHost, 400),
        ("two Hosts", required + ["Host: other.example.com"], .duplicateHeaderField("Host"), 400),
        ("no Upgrade", required(without: "Upgrade"), .missingUpgrade, 426),
        ("Upgrade: h2c", required(without: "Upgrade") + ["Upgrade: h2c"], .missingUpgrade, 426),
        ("no Connection", required(without: "Connection"), .missingConnectionUpgrade, 400),
        ("Connection: keep-alive", required(without: "Connection") + ["Connection: keep-alive"], .missingConnectionUpgrade, 400),
        ("no version", required(without: "Sec-WebSocket-Version"), .unsupportedWebSocketVersion(nil), 426),
        ("version 8", required(without: "Sec-WebSocket-Version") + ["Sec-WebSocket-Version: 8"], .unsupportedWebSocketVersion("8"), 426),
        ("version 13, 8", required(without: "Sec-WebSocket-Version") + ["Sec-WebSocket-Version: 13, 8"], .unsupportedWebSocketVersion("13, 8"), 426),
        ("two version lines", required + ["Sec-WebSocket-Version: 13"], .unsupportedWebSocketVersion("13, 13"), 426),
        ("no key", required(without: "Sec-WebSocket-Key"), .missingKey, 400),
        ("two keys", required + ["Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA=="], .duplicateHeaderField("Sec-WebSocket-Key"), 400),
        ("15-byte key", required(without: "Sec-WebSocket-Key") + ["Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4P"], .invalidKey("AQIDBAUGBwgJCgsMDQ4P"), 400),
        ("17-byte key", required(without: "Sec-WebSocket-Key") + ["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZSE="], .invalidKey("dGhlIHNhbXBsZSBub25jZSE="), 400),
        ("non-base64 key", required(without: "Sec-WebSocket-Key") + ["Sec-WebSocket-Key: not base64 at all!!!!!!"], .invalidKey("not base64 at all!!!!!!"), 400),
        ("non-token subprotocol", required + ["Sec-WebSocket-Protocol: chat, c@t"], .invalidSubprotocolHeader("c@t"), 400),
        ("empty subprotocol header", required + ["Sec-WebSocket-Protocol: "], .invalidSubprotocolHeader(""), 400),
        ("malformed extensions", required + ["Sec-WebSocket-Extensions: permessage-deflate; a=\"x y\""], .invalidExtensionHeader("permessage-deflate; a=\"x y\""), 400),
        ("bare LF", ["GET / HTTP/1.1\nHost: a"], .invalidLineEnding, 400),
        ("space before colon", required + ["Origin : x"], .whitespaceBeforeColon, 400),
    ]

    @Test(arguments: wrongRequests)
    func wrongRequestsAreRefusedWithTheRightStatus(_ label: String, _ lines: [String], _ error: HandshakeError, _ status: Int) throws {
        for chunking in Chunking.all {
            var server = ServerHandshake()
            guard case .rejected(let rejected, let response) = server.feed(Self.request(lines), chunking: chunking) else {
                Issue.record("\(label) was not refused (\(chunking))")
                continue
            }
            #expect(rejected == error, "\(label), \(chunking)")
            #expect(response == ServerHandshake.rejectingResponse(for: error))
            #expect(ServerHandshake.rejectionStatus(for: error).code == status, "\(label)")
        }
    }

    /// The parsed head and body of a refusal.
    static func parseRejection(_ error: HandshakeError) throws -> (head: HTTPResponseHead, body: String) {
        var buffer = ServerHandshake.rejectingResponse(for: error)
        var parser = HTTPHeadParser(kind: .response)
        guard case .response(let head) = try parser.parse(&buffer) else { throw HandshakeError.missingAccept }
        return (head, String(buffer: buffer))
    }

    @Test(arguments: wrongRequests)
    func everyRefusalIsAWellFormedResponseThatClosesTheConnection(_ label: String, _ lines: [String], _ error: HandshakeError, _ status: Int) throws {
        let (head, body) = try Self.parseRejection(error)
        #expect(head.statusCode == status)
        #expect(head.headers.containsToken("close", inList: "Connection"))
        #expect(head.headers.first(name: "Content-Length") == String(body.utf8.count))
        #expect(body == "\(error)\n")
        #expect(head == ServerHandshake.rejectingResponseHead(for: error))
    }

    @Test func aVersionMismatchIsAnswered426WithTheVersionWeSpeak() throws {
        let error = HandshakeError.unsupportedWebSocketVersion("8")
        let body = "Sec-WebSocket-Version 8 is not supported; only 13 is\n"
        let expected =
            "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            + "Connection: Upgrade, close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            + body
        #expect(String(buffer: ServerHandshake.rejectingResponse(for: error)) == expected)
    }

    @Test func aPlainHTTPRequestIsAnswered426NamingWebSocket() throws {
        let (head, _) = try Self.parseRejection(.missingUpgrade)
        #expect(head.statusCode == 426)
        #expect(head.headers["Upgrade"] == ["websocket"])
        #expect(head.headers.containsToken("upgrade", inList: "Connection"))
        #expect(!head.headers.contains(name: "Sec-WebSocket-Version"))
    }

    @Test func aWrongMethodIsAnswered405AllowingGET() throws {
        let (head, _) = try Self.parseRejection(.methodNotAllowed("POST"))
        #expect(head.statusCode == 405)
        #expect(head.headers["Allow"] == ["GET"])
    }

    @Test func otherRefusalsAre400WithoutUpgradeFields() throws {
        let (head, _) = try Self.parseRejection(.missingKey)
        #expect(head.statusCode == 400)
        #expect(head.reasonPhrase == "Bad Request")
        #expect(head.headers["Connection"] == ["close"])
        #expect(!head.headers.contains(name: "Upgrade"))
    }

    @Test(arguments: Chunking.all)
    func anOversizedRequestIsRefused431(_ chunking: Chunking) {
        var server = ServerHandshake(limits: HandshakeLimits(maxHeadBytes: 200))
        let input = Self.request(Self.required + ["Cookie: " + String(repeating: "c", count: 200)])
        guard case .rejected(let error, let response) = server.feed(input, chunking: chunking) else {
            Issue.record("not refused")
            return
        }
        #expect(error == .headTooLarge(limit: 200))
        #expect(String(buffer: response).hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
    }

    @Test(arguments: Chunking.all)
    func tooManyFieldsAreRefused431(_ chunking: Chunking) {
        var server = ServerHandshake(limits: HandshakeLimits(maxHeaderCount: 4))
        guard case .rejected(let error, let response) = server.feed(Self.request(Self.required), chunking: chunking) else {
            Issue.record("not refused")
            return
        }
        #expect(error == .tooManyHeaderFields(limit: 4))
        #expect(String(buffer: response).hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
    }

    @Test func anEndlessRequestIsRefusedAsSoonAsItPassesTheLimit() {
        var server = ServerHandshake()
        let chunk = ByteBuffer(bytes: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000))
        #expect(server.receive(ByteBuffer(string: "GET / HTTP/1.1\r\nX: ")) == .needMoreData)
        var progress = ServerHandshake.Progress.needMoreData
        var chunks = 0
        while case .needMoreData = progress {
            progress = server.receive(chunk)
            chunks += 1
        }
        #expect(chunks == 33)  // 19 + 32 × 1000 < 32 768 < 19 + 33 × 1000
        guard case .rejected(.headTooLarge(limit: 32_768), _) = progress else {
            Issue.record("refused for the wrong reason: \(progress)")
            return
        }
    }

    @Test func aRefusedHandshakeStaysRefused() {
        var server = ServerHandshake()
        guard case .rejected(let first, _) = server.receive(ByteBuffer(string: "PUT / HTTP/1.1\r\n\r\n")) else {
            Issue.record("not refused")
            return
        }
        guard case .rejected(let second, _) = server.receive(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")) else {
            Issue.record("not refused again")
            return
        }
        #expect(first == .methodNotAllowed("PUT"))
        #expect(second == first)
    }

    // MARK: Answering

    static func validatedRFCRequest() throws -> HandshakeRequest {
        try ServerHandshake.validate(HTTPRequestHead(method: "GET", target: "/chat", headers: HTTPHeaders(
            Self.rfcRequest.dropFirst().map {
                let parts = $0.split(separator: ":", maxSplits: 1)
                return HTTPHeaders.Field(name: String(parts[0]), value: String(parts[1].dropFirst()))
            })))
    }

    @Test func subprotocolSelectionFollowsTheServersPreference() throws {
        let request = try Self.validatedRFCRequest()
        #expect(request.selectSubprotocol(supported: ["superchat", "chat"]) == "superchat")
        #expect(request.selectSubprotocol(supported: ["other", "chat"]) == "chat")
        #expect(request.selectSubprotocol(supported: ["Chat", "other"]) == nil)
        #expect(request.selectSubprotocol(supported: []) == nil)
    }

    @Test func theAcceptingResponseCarriesAcceptedExtensionsAndExtraHeaders() throws {
        var server = ServerHandshake()
        let input = Self.request(Self.required + ["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-foo"])
        guard case .accepted(let request, _) = server.receive(ByteBuffer(bytes: input)) else {
            Issue.record("not accepted")
            return
        }
        let accepted = ExtensionOffer(name: "permessage-deflate", parameters: [(name: "client_max_window_bits", value: "10")])
        let response = try request.acceptingResponse(extensions: [accepted], extraHeaders: ["Set-Cookie": "a=b", "Server": "wsc"])
        let expected =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n"
            + "Set-Cookie: a=b\r\nServer: wsc\r\n\r\n"
        #expect(String(buffer: response) == expected)
    }

    @Test func answersTheClientDidNotAskForAreRefused() throws {
        let request = try Self.validatedRFCRequest()
        #expect(throws: HandshakeError.unofferedSubprotocol("other")) { try request.acceptingResponse(subprotocol: "other") }
        #expect(throws: HandshakeError.unofferedExtension("permessage-deflate")) {
            try request.acceptingResponse(extensions: [ExtensionOffer(name: "permessage-deflate")])
        }
        #expect(throws: HandshakeError.invalidExtension("a b")) { try request.acceptingResponse(extensions: [ExtensionOffer(name: "a b")]) }
        #expect(throws: HandshakeError.reservedHeaderField("sec-websocket-accept")) {
            try request.acceptingResponse(extraHeaders: ["sec-websocket-accept": "x"])
        }
        #expect(throws: HandshakeError.invalidHeaderField(name: "X")) { try request.acceptingResponse(extraHeaders: ["X": "a\nb"]) }
    }

    // MARK: Both ends

    @Test(arguments: Chunking.all)
    func aClientAndAServerCompleteTheHandshakeWithEachOther(_ chunking: Chunking) throws {
        var generator = SeededRandom(seed: 6455)
        let deflate = ExtensionOffer(name: "permessage-deflate", parameters: [(name: "client_max_window_bits", value: nil)])
        var client = try ClientHandshake(
            host: "localhost", port: 9001, secure: false, resourceName: "/echo?x=1", protocols: ["v1.chat", "v2.chat"],
            extensions: [deflate, ExtensionOffer(name: "x-unknown")], extraHeaders: ["Origin": "http://localhost"],
            key: SecWebSocketKey(using: &generator))

        var server = ServerHandshake()
        guard case .accepted(let request, let serverLeftover) = server.feed(Array(client.request().readableBytesView), chunking: chunking)
        else {
            Issue.record("server refused")
            return
        }
        #expect(serverLeftover.readableBytes == 0)
        #expect(request.host == "localhost:9001")
        #expect(request.resourceName == "/echo?x=1")
        #expect(request.protocols == ["v1.chat", "v2.chat"])
        #expect(request.extensions == [deflate, ExtensionOffer(name: "x-unknown")])
        #expect(request.key == client.key)

        let chosen = ExtensionOffer(name: "permessage-deflate", parameters: [(name: "server_no_context_takeover", value: nil)])
        let response = try request.acceptingResponse(
            subprotocol: request.selectSubprotocol(supported: ["v2.chat", "v1.chat"]), extensions: [chosen])
        let firstFrame: [UInt8] = [0x81, 0x02, 0x68, 0x69]
        let result = try #require(try client.feed(Array(response.readableBytesView) + firstFrame, chunking: chunking))
        #expect(result.subprotocol == "v2.chat")
        #expect(result.extensions == [chosen])
        #expect(Array(result.leftover.readableBytesView) == firstFrame)
    }
}
