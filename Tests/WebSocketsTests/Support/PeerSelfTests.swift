import Foundation
import NIOCore
import Testing
import WebSocketCore

/// The first interop of our engine with WebSocket implementations nobody here wrote, and the
/// proof that the peers the `WebSocket` tests use are installed and behave as documented.
///
/// Each test starts its own peer (python-websockets or Node's `ws`) on 127.0.0.1 and talks to it
/// with ``EngineTestClient``: `ClientHandshake` + `Connection(role: .client)` over NIO.
/// A missing peer fails the test with the instruction to run `scripts/install-peers`.
///
/// Serialized: each test starts a process and some move megabytes, and on a 2-core machine
/// running them all at once starves the tasks long enough for a peer's handshake time-out.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct PeerSelfTests {
    /// 16 MiB in which every 4-byte word holds its own index, so a lost, repeated or reordered
    /// chunk shows; made once.
    static let pattern: ByteBuffer = {
        let wordCount = 4 << 20
        var buffer = ByteBuffer()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wordCount * 4) { bytes in
            for index in 0..<wordCount {
                bytes.storeBytes(of: UInt32(index).bigEndian, toByteOffset: index * 4, as: UInt32.self)
            }
            return wordCount * 4
        }
        return buffer
    }()

    /// The first `count` bytes of ``pattern``.
    static func pattern(count: Int) -> ByteBuffer {
        pattern.getSlice(at: pattern.readerIndex, length: count)!
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func echoesTextBinaryEmptyAndOneMebibyteThenClosesCleanly(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let client = try await EngineTestClient.connect(port: peer.port, path: "/echo")
        #expect(client.handshake.response.statusCode == 101)
        #expect(client.handshake.subprotocol == nil)
        #expect(client.handshake.extensions.isEmpty)

        let messages: [Message] = [
            .text("hello"),
            .text("héllo wörld ✓ 🎉"),
            .binary(ByteBuffer(bytes: [0, 1, 2, 0x7F, 0x80, 0xFF])),
            .text(""),
            .binary(ByteBuffer()),
            .binary(Self.pattern(count: 1 << 20)),
        ]
        for message in messages {
            try await client.send(message)
            let echo = try await client.receiveMessage()
            #expect(echo == message, "\(kind) echoed \(echo) for a \(Self.summary(message))")
        }

        let closure = try await client.close(code: 1000, reason: "done")
        #expect(closure.code == 1000)
        #expect(closure.wasClean, "\(kind) did not complete the closing handshake: \(closure)")
        #expect(closure.failure == nil)
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func echoesSixteenMebibytes(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let client = try await EngineTestClient.connect(port: peer.port, path: "/echo")
        let message = Message.binary(Self.pattern(count: 16 << 20))
        try await client.send(message)
        #expect(try await client.receiveMessage(timeout: .seconds(30)) == message)
        #expect(try await client.close().wasClean)
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func selectsTheFirstOfItsSubprotocolsThatTheClientOffered(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind, subprotocols: ["chat.v2", "chat.v1"])
        defer { peer.stop() }
        let client = try await EngineTestClient.connect(port: peer.port, path: "/echo", protocols: ["chat.v1", "chat.v2"])
        #expect(client.handshake.subprotocol == "chat.v2")
        try await client.send("with a subprotocol")
        #expect(try await client.receiveMessage() == .text("with a subprotocol"))
        #expect(try await client.close().wasClean)
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func closesWithCodeAndReasonAfterTheFirstMessage(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let client = try await EngineTestClient.connect(port: peer.port, path: "/close?code=4001&reason=bye")
        try await client.send("first")
        #expect(try await client.receiveMessage() == .text("first"))
        #expect(try await client.nextEvent() == .closeFrame(CloseFrame(code: CloseCode(4001), reason: "bye")))
        let closure = try await client.waitForClosure()
        #expect(closure == ConnectionClosure(code: 4001, reason: "bye", wasClean: true))
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func closesRightAfterTheHandshakeWithAfterZero(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let client = try await EngineTestClient.connect(port: peer.port, path: "/close?code=4002&reason=now&after=0")
        let closure = try await client.waitForClosure()
        #expect(closure == ConnectionClosure(code: 4002, reason: "now", wasClean: true))
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func refusesReject403WithStatus403(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let error = await #expect(throws: HandshakeError.self) {
            _ = try await EngineTestClient.connect(port: peer.port, path: "/reject403")
        }
        guard case .unexpectedStatus(403, _)? = error else {
            Issue.record("\(kind): expected 403, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func describesTheRequestItReceived(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let client = try await EngineTestClient.connect(
            port: peer.port, path: "/request?x=1", extraHeaders: ["Origin": "http://example.test", "X-Test": "yes"])
        guard case .text(let json) = try await client.receiveMessage() else {
            Issue.record("\(kind): /request did not send text")
            return
        }
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["path"] as? String == "/request?x=1")
        let headers = (object?["headers"] as? [[String]]) ?? []
        #expect(headers.contains(["Origin", "http://example.test"]))
        #expect(headers.contains(["X-Test", "yes"]))
        #expect(headers.contains(["Sec-WebSocket-Version", "13"]))
        #expect(headers.contains(["Host", "127.0.0.1:\(peer.port)"]))
        #expect(try await client.close().wasClean)
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func servesTLSWithTheGeneratedCertificate(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind, tls: true)
        defer { peer.stop() }
        #expect(peer.url("/echo") == "wss://localhost:\(peer.port)/echo")
        let tls = try TestCertificates.shared().makeClientTLSConfiguration()
        let client = try await EngineTestClient.connect(port: peer.port, path: "/echo", host: peer.host, tls: tls)
        try await client.send("over TLS")
        #expect(try await client.receiveMessage() == .text("over TLS"))
        try await client.send([9, 8, 7])
        #expect(try await client.receiveMessage() == .binary(ByteBuffer(bytes: [9, 8, 7])))
        #expect(try await client.close().wasClean)
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func answersPings(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let client = try await EngineTestClient.connect(port: peer.port, path: "/echo")
        try await client.ping([1, 2, 3, 4])
        #expect(try await client.nextEvent() == .pong(ByteBuffer(bytes: [1, 2, 3, 4])))
        #expect(try await client.close().wasClean)
    }

    private static func summary(_ message: Message) -> String {
        switch message {
        case .text(let text): "text of \(text.utf8.count) bytes"
        case .binary(let bytes): "binary of \(bytes.readableBytes) bytes"
        }
    }
}
