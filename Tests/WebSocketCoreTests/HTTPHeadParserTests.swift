import NIOCore
import Testing
@testable import WebSocketCore

@Suite("HTTP/1.1 head parser (RFC 9112 §2–§5)")
struct HTTPHeadParserTests {
    static let request = "GET /chat?room=1 HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
        + "X-Spaced: \t padded value \t \r\nX-Empty:\r\nX-Empty-Padded:   \r\n\r\n"

    static func parse(
        _ input: [UInt8], kind: HTTPHeadParser.Kind = .request, chunking: Chunking = .whole,
        limits: HandshakeLimits = HandshakeLimits()
    ) throws(HandshakeError) -> (head: HTTPHead, leftover: [UInt8])? {
        var parser = HTTPHeadParser(kind: kind, limits: limits)
        return try parser.feed(input, chunking: chunking)
    }

    @Test(arguments: Chunking.all)
    func parsesARequestHeadInAnyChunking(_ chunking: Chunking) throws {
        let parsed = try #require(try Self.parse(httpBytes(Self.request), chunking: chunking))
        let expected = HTTPRequestHead(
            method: "GET", target: "/chat?room=1", version: .http1_1,
            headers: [
                "Host": "server.example.com", "Upgrade": "websocket", "X-Spaced": "padded value", "X-Empty": "",
                "X-Empty-Padded": "",
            ])
        #expect(parsed.head == .request(expected))
        #expect(parsed.leftover.isEmpty)
    }

    @Test(arguments: Chunking.all)
    func parsesAResponseHeadInAnyChunking(_ chunking: Chunking) throws {
        let input = httpBytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        let parsed = try #require(try Self.parse(input, kind: .response, chunking: chunking))
        let expected = HTTPResponseHead(
            statusCode: 101, reasonPhrase: "Switching Protocols",
            headers: ["Upgrade": "websocket", "Connection": "Upgrade"])
        #expect(parsed.head == .response(expected))
    }

    @Test(arguments: Chunking.all)
    func bytesAfterTheHeadAreLeftExactly(_ chunking: Chunking) throws {
        let frames: [UInt8] = [0x81, 0x05] + Array("Hello".utf8) + [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0xFF]
        let parsed = try #require(try Self.parse(httpBytes(Self.request) + frames, chunking: chunking))
        #expect(parsed.leftover == frames)
    }

    @Test func parseMovesTheReaderIndexOnlyPastTheHead() throws {
        let head = httpBytes(Self.request)
        var buffer = ByteBuffer(bytes: head + [1, 2, 3])
        var parser = HTTPHeadParser(kind: .request)
        #expect(try parser.parse(&buffer) != nil)
        #expect(Array(buffer.readableBytesView) == [1, 2, 3])
        #expect(parser.bytesConsumed == head.count)
    }

    @Test func aCompleteParserReturnsTheSameHeadAndReadsNothingMore() throws {
        var parser = HTTPHeadParser(kind: .request)
        var buffer = ByteBuffer(bytes: httpBytes(Self.request))
        let head = try parser.parse(&buffer)
        var more = ByteBuffer(bytes: [9, 9])
        #expect(try parser.parse(&more) == head)
        #expect(more.readableBytes == 2)
    }

    @Test func anIncompleteHeadNeedsMoreData() throws {
        var parser = HTTPHeadParser(kind: .request)
        var buffer = ByteBuffer(bytes: httpBytes("GET / HTTP/1.1\r\nHost: a\r\n"))
        #expect(try parser.parse(&buffer) == nil)
        #expect(buffer.readableBytes == 0)
    }

    @Test func anEmptyReasonPhraseIsAccepted() throws {
        let parsed = try #require(try Self.parse(httpBytes("HTTP/1.1 101 \r\n\r\n"), kind: .response))
        #expect(parsed.head == .response(HTTPResponseHead(statusCode: 101, reasonPhrase: "")))
    }

    @Test func otherVersionsAreReportedForTheValidatorToRefuse() throws {
        let request = try #require(try Self.parse(httpBytes("GET / HTTP/1.0\r\n\r\n")))
        #expect(request.head == .request(HTTPRequestHead(method: "GET", target: "/", version: HTTPVersion(major: 1, minor: 0))))
        let response = try #require(try Self.parse(httpBytes("HTTP/2.0 200 OK\r\n\r\n"), kind: .response))
        #expect(response.head == .response(HTTPResponseHead(version: HTTPVersion(major: 2, minor: 0), statusCode: 200, reasonPhrase: "OK")))
    }

    @Test func obsTextInAValueIsAcceptedAndDecodedLeniently() throws {
        let input = httpBytes("GET / HTTP/1.1\r\nX-Name: caf") + [0xC3, 0xA9, 0x20, 0xFF] + httpBytes("\r\n\r\n")
        let parsed = try #require(try Self.parse(input))
        #expect(parsed.head.headers.first(name: "x-name") == "café \u{FFFD}")
    }

    @Test func fieldOrderAndRepeatedNamesAreKept() throws {
        let parsed = try #require(try Self.parse(httpBytes("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\na: 3\r\n\r\n")))
        #expect(parsed.head.headers.fields.map(\.name) == ["A", "B", "a"])
        #expect(parsed.head.headers["A"] == ["1", "3"])
    }

    static let malformedRequests: [(String, HandshakeError)] = [
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", .invalidLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\n\r\n", .invalidLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\r\n\n", .invalidLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", .invalidLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\r\n\rX", .invalidLineEnding),
        ("GET / HTTP/1.1\rX\n\r\n", .invalidLineEnding),
        ("\r\nGET / HTTP/1.1\r\n\r\n", .invalidMethod),
        (" GET / HTTP/1.1\r\n\r\n", .invalidMethod),
        ("G(ET / HTTP/1.1\r\n\r\n", .invalidMethod),
        ("GET\r\n\r\n", .invalidMethod),
        ("GET  HTTP/1.1\r\n\r\n", .invalidRequestTarget),
        ("GET /caf\u{E9} HTTP/1.1\r\n\r\n", .invalidRequestTarget),
        ("GET /\tx HTTP/1.1\r\n\r\n", .invalidRequestTarget),
        ("GET / HTTP/1.1 \r\n\r\n", .invalidHTTPVersion),
        ("GET / HTTP/1.10\r\n\r\n", .invalidHTTPVersion),
        ("GET / HTTP/11\r\n\r\n", .invalidHTTPVersion),
        ("GET / http/1.1\r\n\r\n", .invalidHTTPVersion),
        ("GET / HTTP/1.x\r\n\r\n", .invalidHTTPVersion),
        ("GET /\r\n\r\n", .invalidRequestTarget),
        ("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\n: a\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost\r\n\r\n", .invalidHeaderName),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", .whitespaceBeforeColon),
        ("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", .whitespaceBeforeColon),
        ("GET / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\n\tX: a\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", .invalidHeaderValue(name: "X")),
        ("GET / HTTP/1.1\r\nX: a\u{7F}\r\n\r\n", .invalidHeaderValue(name: "X")),
        ("GET / HTTP/1.1\r\nX: \u{1B}\r\n\r\n", .invalidHeaderValue(name: "X")),
    ]

    @Test(arguments: malformedRequests)
    func malformedRequestHeadsAreRefusedInAnyChunking(_ input: String, _ error: HandshakeError) {
        for chunking in Chunking.all {
            #expect(throws: error, "\(chunking)") { try Self.parse(httpBytes(input), chunking: chunking) }
        }
    }

    static let malformedResponses: [(String, HandshakeError)] = [
        ("HTTP/1.1 101\r\n\r\n", .invalidStatusCode),
        ("HTTP/1.1 1O1 Switching\r\n\r\n", .invalidStatusCode),
        ("HTTP/1.1 1011 Switching\r\n\r\n", .invalidStatusCode),
        ("HTTP/1.1 10 Switching\r\n\r\n", .invalidStatusCode),
        ("HTTP/1.1  101 Switching\r\n\r\n", .invalidStatusCode),
        ("HTTP/1.1 101 Switching\u{0}\r\n\r\n", .invalidReasonPhrase),
        ("HTTP/1.1 101 Switching\nUpgrade: websocket\r\n\r\n", .invalidLineEnding),
        ("HTTP/1.1\r\n\r\n", .invalidHTTPVersion),
        ("HTTP/1.1x 101 OK\r\n\r\n", .invalidHTTPVersion),
        ("ICY 200 OK\r\n\r\n", .invalidHTTPVersion),
        ("HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n", .whitespaceBeforeColon),
    ]

    @Test(arguments: malformedResponses)
    func malformedResponseHeadsAreRefusedInAnyChunking(_ input: String, _ error: HandshakeError) {
        for chunking in Chunking.all {
            #expect(throws: error, "\(chunking)") { try Self.parse(httpBytes(input), kind: .response, chunking: chunking) }
        }
    }

    @Test func theOffendingByteIsLeftUnreadAndTheErrorRepeats() {
        var parser = HTTPHeadParser(kind: .request)
        var buffer = ByteBuffer(bytes: httpBytes("GET / HTTP/1.1\r\nHost : a\r\n\r\n"))
        #expect(throws: HandshakeError.whitespaceBeforeColon) { try parser.parse(&buffer) }
        #expect(parser.bytesConsumed == "GET / HTTP/1.1\r\nHost".utf8.count)
        #expect(buffer.readerIndex == parser.bytesConsumed)
        var more = ByteBuffer(bytes: httpBytes("\r\n\r\n"))
        #expect(throws: HandshakeError.whitespaceBeforeColon) { try parser.parse(&more) }
        #expect(more.readableBytes == 4)
    }

    // MARK: Limits

    /// A request head of exactly `size` bytes.
    static func request(ofSize size: Int) -> [UInt8] {
        let frame = httpBytes("GET / HTTP/1.1\r\nX: \r\n\r\n")
        let padding = [UInt8](repeating: UInt8(ascii: "a"), count: size - frame.count)
        return httpBytes("GET / HTTP/1.1\r\nX: ") + padding + httpBytes("\r\n\r\n")
    }

    @Test(arguments: Chunking.all)
    func aHeadOfExactlyTheByteLimitIsAccepted(_ chunking: Chunking) throws {
        let limits = HandshakeLimits(maxHeadBytes: 300)
        #expect(try Self.parse(Self.request(ofSize: 300) + [7], chunking: chunking, limits: limits)?.leftover == [7])
    }

    @Test(arguments: Chunking.all)
    func aHeadOverTheByteLimitFailsAtTheFirstByteBeyondIt(_ chunking: Chunking) {
        let limits = HandshakeLimits(maxHeadBytes: 300)
        var parser = HTTPHeadParser(kind: .request, limits: limits)
        #expect(throws: HandshakeError.headTooLarge(limit: 300)) {
            try parser.feed(Self.request(ofSize: 301), chunking: chunking)
        }
        #expect(parser.bytesConsumed == 300)
    }

    @Test func anEndlessHeadFailsWithoutReadingPastTheLimit() {
        var parser = HTTPHeadParser(kind: .request)
        var buffer = ByteBuffer(bytes: httpBytes("GET / HTTP/1.1\r\nX: ") + [UInt8](repeating: 0x61, count: 100_000))
        #expect(throws: HandshakeError.headTooLarge(limit: 32_768)) { try parser.parse(&buffer) }
        #expect(buffer.readerIndex == 32_768)
        #expect(parser.bytesConsumed == 32_768)
    }

    /// A request head with `count` header fields.
    static func request(withFieldCount count: Int) -> [UInt8] {
        httpBytes("GET / HTTP/1.1\r\n" + (0..<count).map { "X-\($0): v\r\n" }.joined() + "\r\n")
    }

    @Test(arguments: Chunking.all)
    func exactlyTheFieldLimitIsAccepted(_ chunking: Chunking) throws {
        let parsed = try #require(try Self.parse(Self.request(withFieldCount: 128), chunking: chunking))
        #expect(parsed.head.headers.count == 128)
    }

    @Test(arguments: Chunking.all)
    func oneFieldOverTheLimitFailsAtItsFirstByte(_ chunking: Chunking) {
        var parser = HTTPHeadParser(kind: .request, limits: HandshakeLimits(maxHeaderCount: 3))
        #expect(throws: HandshakeError.tooManyHeaderFields(limit: 3)) {
            try parser.feed(Self.request(withFieldCount: 4), chunking: chunking)
        }
        #expect(parser.bytesConsumed == "GET / HTTP/1.1\r\nX-0: v\r\nX-1: v\r\nX-2: v\r\n".utf8.count)
    }

    @Test func defaultLimitsAreTheDocumentedOnes() {
        #expect(HandshakeLimits() == HandshakeLimits(maxHeadBytes: 32_768, maxHeaderCount: 128))
    }
}
