import NIOCore
import NIOPosix
import NIOSSL
import Testing
import WebSocketCore

/// Proves the test infrastructure before the `WebSocket` tests rely on it: ``TestServer`` in
/// each of its modes, driven by ``EngineTestClient`` (our engine over a plain NIO channel), and
/// TLS with ``TestCertificates``.
@Suite(.timeLimit(.minutes(1)))
struct TestServerSelfTests {
    // MARK: A correct server

    @Test func echoServerAnswers101AndEchoesAMaskedTextFrame() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port, path: "/chat?room=1")
        #expect(client.handshake.response.statusCode == 101)
        #expect(client.handshake.subprotocol == nil)

        try await client.send("hello")
        #expect(try await client.receiveMessage() == .text("hello"))
        try await client.send([1, 2, 3])
        #expect(try await client.receiveMessage() == .binary(ByteBuffer(bytes: [1, 2, 3])))

        let closure = try await client.close(code: 1000, reason: "done")
        #expect(closure.code == 1000)
        #expect(closure.wasClean)

        let record = try await server.waitForClose()
        #expect(record.requestHead?.target == "/chat?room=1")
        #expect(record.requestHead?.headers.first(name: "Host") == "127.0.0.1:\(server.port)")
        #expect(record.requestText.hasPrefix("GET /chat?room=1 HTTP/1.1\r\n"))
        #expect(record.opened)
        #expect(record.messages == [.text("hello"), .binary(ByteBuffer(bytes: [1, 2, 3]))])
        #expect(record.closeFrame == CloseFrame(code: .normalClosure, reason: "done"))
        #expect(record.closure?.wasClean == true)
    }

    @Test func rawTCPClientGets101AndTheUnmaskedEchoOfAMaskedTextFrame() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let handshake = try ClientHandshake(host: "127.0.0.1", port: server.port, secure: false)
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send(handshake.request())
        let head = String(buffer: try await client.read(through: "\r\n\r\n"))
        #expect(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(head.contains("\r\nSec-WebSocket-Accept: \(handshake.key.acceptValue)\r\n"))
        #expect(head.hasSuffix("\r\n\r\n"))

        // RFC 6455 §5.7: a masked "Hello" from the client, echoed unmasked by the server.
        try await client.send(ByteBuffer(bytes: [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]))
        let echo = try await client.read(atLeast: 7)
        #expect(Array(buffer: echo) == [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        #expect(try await server.waitForConnection { !$0.messages.isEmpty }.messages == [.text("Hello")])
    }

    @Test func serverSelectsTheFirstOfItsSubprotocolsThatTheClientOffered() async throws {
        let server = try await TestServer.start(.echo(selecting: ["v2", "v1"]))
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port, protocols: ["v1", "v2"])
        #expect(client.handshake.subprotocol == "v2")
        _ = try await client.close()
        let record = try await server.waitForConnection()
        #expect(record.request?.protocols == ["v1", "v2"])
        #expect(record.selectedSubprotocol == "v2")
    }

    @Test func serverClosesWithCodeAndReasonAfterNMessages() async throws {
        let server = try await TestServer.start(.close(afterMessages: 2, code: 4001, reason: "bye"))
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port)
        try await client.send("one")
        try await client.send("two")
        #expect(try await client.receiveMessage() == .text("one"))
        #expect(try await client.receiveMessage() == .text("two"))
        #expect(try await client.nextEvent() == .closeFrame(CloseFrame(code: CloseCode(4001), reason: "bye")))
        let closure = try await client.waitForClosure()
        #expect(closure.code == 4001)
        #expect(closure.reason == "bye")
        #expect(closure.wasClean)
        // The client echoed the code (RFC 6455 §5.5.1).
        #expect(try await server.waitForClose().closeFrame?.code == CloseCode(4001))
    }

    @Test func serverClosesRightAfterTheHandshakeWithAfterZero() async throws {
        let server = try await TestServer.start(.close(afterMessages: 0, code: 1001, reason: "going"))
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port)
        let closure = try await client.waitForClosure()
        #expect(closure == ConnectionClosure(code: 1001, reason: "going", wasClean: true))
    }

    @Test func messageInTheSamePacketAsTheHandshake() async throws {
        let server = try await TestServer.start(.messageWithHandshake("early"))
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port)
        // One write of head and frame: the frame arrives with the head, as leftover.
        #expect(client.handshake.leftover.readableBytes == 7)
        #expect(try await client.receiveMessage() == .text("early"))
        _ = try await client.close()
    }

    // MARK: Refusals

    @Test(arguments: [403, 500])
    func serverRefusesWithStatus(_ status: Int) async throws {
        let server = try await TestServer.start(.refuse(status: status))
        defer { server.stop() }
        let error = await #expect(throws: HandshakeError.self) {
            _ = try await EngineTestClient.connect(port: server.port)
        }
        guard case .unexpectedStatus(let code, _)? = error else {
            Issue.record("expected unexpectedStatus, got \(String(describing: error))")
            return
        }
        #expect(code == status)
        #expect(try await server.waitForClose().opened == false)
    }

    @Test func serverRedirectsWithLocation() async throws {
        let server = try await TestServer.start(.redirect(to: "ws://127.0.0.1:1/elsewhere"))
        defer { server.stop() }
        let error = await #expect(throws: HandshakeError.self) {
            _ = try await EngineTestClient.connect(port: server.port)
        }
        guard case .unexpectedStatus(302, let head)? = error else {
            Issue.record("expected a 302, got \(String(describing: error))")
            return
        }
        #expect(head.headers.first(name: "Location") == "ws://127.0.0.1:1/elsewhere")
    }

    @Test func invalidRequestGetsTheEnginesRejection() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try await client.readUntilClosed()
        #expect(response.hasPrefix("HTTP/1.1 426 "))
        #expect(try await server.waitForClose().handshakeError == .missingUpgrade)
    }

    // MARK: Wrong handshake responses

    static let wrongResponses: [(String, TestServer.Behavior, HandshakeError)] = [
        ("wrong Accept", .wrongAccept, .wrongAccept(SecWebSocketKey.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ=="))),
        ("missing Upgrade", .missingUpgrade, .missingUpgrade),
        ("missing Connection", .missingConnection, .missingConnectionUpgrade),
        ("unoffered subprotocol", .unofferedSubprotocol("chat"), .unofferedSubprotocol("chat")),
        ("unoffered extension", .unofferedExtension("x-foo"), .unofferedExtension("x-foo")),
    ]

    @Test(arguments: wrongResponses.indices)
    func wrongResponseIsRefusedByTheClientEngine(_ index: Int) async throws {
        let (name, behavior, expected) = Self.wrongResponses[index]
        let server = try await TestServer.start(behavior)
        defer { server.stop() }
        await #expect(throws: expected, "\(name)") {
            _ = try await EngineTestClient.connect(port: server.port)
        }
    }

    @Test func status200IsRefusedByTheClientEngine() async throws {
        let server = try await TestServer.start(.status200)
        defer { server.stop() }
        let error = await #expect(throws: HandshakeError.self) {
            _ = try await EngineTestClient.connect(port: server.port)
        }
        guard case .unexpectedStatus(200, _)? = error else {
            Issue.record("expected a 200, got \(String(describing: error))")
            return
        }
    }

    @Test func closeOnConnectAndCloseBeforeRespondingEndTheHandshake() async throws {
        for behavior in [TestServer.Behavior.closeOnConnect, .closeBeforeResponding] {
            let server = try await TestServer.start(behavior)
            defer { server.stop() }
            await #expect(throws: EngineTestClientError.self) {
                _ = try await EngineTestClient.connect(port: server.port)
            }
            _ = try await server.waitForClose()
        }
    }

    @Test func neverRespondMakesTheHandshakeTimeOut() async throws {
        let server = try await TestServer.start(.neverRespond)
        defer { server.stop() }
        let error = await #expect(throws: EngineTestClientError.self) {
            _ = try await EngineTestClient.connect(port: server.port, timeout: .milliseconds(300))
        }
        guard case .timedOut? = error else {
            Issue.record("expected a time-out, got \(String(describing: error))")
            return
        }
        // The server did read the whole request.
        #expect(try await server.waitForConnection { $0.request != nil }.request?.resourceName == "/")
    }

    // MARK: Wrong frames

    @Test func maskedFrameFromTheServerFailsTheConnectionWith1002() async throws {
        let server = try await TestServer.start(.maskedFrame)
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port)
        let closure = try await client.waitForClosure()
        #expect(closure.failure == .maskedFrameFromServer)
        #expect(closure.code == 1006)
        #expect(try await server.waitForClose().closeFrame?.code == .protocolError)
    }

    @Test func invalidUTF8FailsTheConnectionWith1007() async throws {
        let server = try await TestServer.start(.invalidUTF8)
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port)
        let closure = try await client.waitForClosure()
        #expect(closure.failure == .invalidUTF8)
        #expect(try await server.waitForClose().closeFrame?.code == .invalidFramePayloadData)
    }

    @Test func oversizedMessageFailsTheConnectionWith1009() async throws {
        let server = try await TestServer.start(.oversizedMessage(size: 2 << 20))
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port, limits: Limits(maxMessageSize: 1 << 20))
        let closure = try await client.waitForClosure()
        #expect(closure.failure?.closeCode == .messageTooBig)
        #expect(try await server.waitForClose().closeFrame?.code == .messageTooBig)
    }

    @Test func closeMidFrameIsAnAbnormalClosure() async throws {
        let server = try await TestServer.start(.closeMidFrame)
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port)
        let closure = try await client.waitForClosure()
        #expect(closure == ConnectionClosure(code: 1006, reason: "", wasClean: false))
    }

    @Test func closeAfterHandshakeIsAnAbnormalClosure() async throws {
        let server = try await TestServer.start(.closeAfterHandshake)
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port)
        #expect(try await client.waitForClosure() == ConnectionClosure(code: 1006, reason: "", wasClean: false))
    }

    @Test func ignoringServerLeavesTheClientsCloseUnanswered() async throws {
        let server = try await TestServer.start(.ignoreAfterHandshake)
        defer { server.stop() }
        let client = try await EngineTestClient.connect(port: server.port, closeTimeout: .milliseconds(300))
        try await client.send("unanswered")
        let closure = try await client.close(code: 1000)
        #expect(closure == ConnectionClosure(code: 1006, reason: "", wasClean: false))
        #expect(try await server.waitForClose().bytesReceived > 0)
    }

    // MARK: TLS

    @Test func tlsHandshakeVerifiesLocalhostAgainstTheGeneratedCA() async throws {
        let certificates = try TestCertificates.shared()
        let server = try await TestServer.start(.echo, tls: true)
        defer { server.stop() }
        #expect(server.url("/x") == "wss://localhost:\(server.port)/x")

        let tls = try certificates.makeClientTLSConfiguration()
        let client = try await EngineTestClient.connect(port: server.port, host: "localhost", tls: tls)
        #expect(client.handshake.response.statusCode == 101)
        try await client.send("over TLS")
        #expect(try await client.receiveMessage() == .text("over TLS"))
        #expect(try await client.close().wasClean)
        #expect(try await server.waitForClose().requestHead?.headers.first(name: "Host") == "localhost:\(server.port)")
    }

    @Test func tlsVerifiesTheIPAddressSAN() async throws {
        let server = try await TestServer.start(.echo, tls: true)
        defer { server.stop() }
        let tls = try TestCertificates.shared().makeClientTLSConfiguration()
        let client = try await EngineTestClient.connect(port: server.port, host: "127.0.0.1", tls: tls)
        #expect(client.handshake.response.statusCode == 101)
        _ = try await client.close()
    }

    @Test func tlsWithoutTheCAFailsVerification() async throws {
        let server = try await TestServer.start(.echo, tls: true)
        defer { server.stop() }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        await #expect(throws: NIOSSLError.self) {
            _ = try await EngineTestClient.connect(port: server.port, host: "localhost", tls: tls)
        }
    }

    @Test func tlsWithALocalhostOnlyCertificateVerifiesTheHostName() async throws {
        let server = try await TestServer.start(.echo, tls: true, identity: .localhostOnly)
        defer { server.stop() }
        let tls = try TestCertificates.shared().makeClientTLSConfiguration()
        let client = try await EngineTestClient.connect(port: server.port, host: "localhost", tls: tls)
        #expect(try await client.close().wasClean)
        // No IP address SAN: neither the address nor another name verifies.
        for host in ["127.0.0.1", "example.com"] {
            await #expect(throws: NIOSSLExtraError.self, "host \(host)") {
                _ = try await EngineTestClient.connect(port: server.port, host: host, tls: tls)
            }
        }
    }

    @Test func certificatesArePEMThatNIOSSLParses() throws {
        let certificates = try TestCertificates.shared()
        #expect(certificates.caCertificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(certificates.serverPrivateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        for identity in TestCertificates.ServerIdentity.allCases {
            #expect(try NIOSSLCertificate.fromPEMBytes(Array(certificates.serverCertificateChainPEM(identity).utf8)).count == 2)
        }
    }
}
