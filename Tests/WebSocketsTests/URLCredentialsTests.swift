import Foundation
import Testing
@testable import WebSockets

/// Credentials in the URL become `Authorization: Basic …` on the opening handshake, sent up
/// front (see `WebSocket.Options`), checked by python-websockets' own `basic_auth` and by the
/// request our in-process server records.
@Suite("URL credentials", .serialized)
struct URLCredentialsTests {
    /// alice / p@ss:wörd, percent-encoded where the URL Standard requires it (and `ö` left for
    /// the parser to encode).
    static func credentialsURL(_ peer: PeerProcess, password: String = "p%40ss%3Awörd") -> String {
        "ws://alice:\(password)@127.0.0.1:\(peer.port)/basic-auth"
    }

    @Test func pythonWebsocketsBasicAuthAcceptsThePercentDecodedUTF8Credentials() async throws {
        let peer = try await PeerProcess.start(.python)
        defer { peer.stop() }
        let recorder = try SocketRecorder(Self.credentialsURL(peer))
        // The server's first message is the username it authenticated.
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.text("alice"), origin: "ws://127.0.0.1:\(peer.port)"))
        // The `url` attribute is the URL serializer's output, credentials included.
        #expect(recorder.socket.url == "ws://alice:p%40ss%3Aw%C3%B6rd@127.0.0.1:\(peer.port)/basic-auth")
    }

    @Test func wrongCredentialsFailTheConnectionWithThe401() async throws {
        let peer = try await PeerProcess.start(.python)
        defer { peer.stop() }
        let recorder = try SocketRecorder(Self.credentialsURL(peer, password: "p%40ss"))
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        guard case .handshakeFailed(.unexpectedStatus(code: 401, let head)) = recorder.socket.failure else {
            Issue.record("expected a 401 refusal, got \(String(describing: recorder.socket.failure))")
            return
        }
        #expect(head.headers.first(name: "WWW-Authenticate") == "Basic realm=\"interop\", charset=\"UTF-8\"")
    }

    @Test func theStreamSendsThemToo() async throws {
        let peer = try await PeerProcess.start(.python)
        defer { peer.stop() }
        let stream = try WebSocketStream(Self.credentialsURL(peer))
        var messages = try await stream.opened.readable.makeAsyncIterator()
        #expect(try await messages.next() == .text("alice"))
        #expect(stream.url == "ws://alice:p%40ss%3Aw%C3%B6rd@127.0.0.1:\(peer.port)/basic-auth")
        try stream.close()
    }

    @Test func theFieldIsBasicWithTheBase64OfUsernameColonPassword() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder("ws://alice:p%40ss%3Awörd@127.0.0.1:\(server.port)/")
        try await recorder.waitForOpen()
        let head = try #require(try await server.waitForConnection { $0.request != nil }.requestHead)
        // base64("alice:p@ss:wörd"), ö as UTF-8.
        #expect(head.headers["Authorization"] == ["Basic YWxpY2U6cEBzczp3w7ZyZA=="])
    }

    @Test func withoutCredentialsOrCookieStorageNeitherFieldIsSent() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        try await recorder.waitForOpen()
        let head = try #require(try await server.waitForConnection { $0.request != nil }.requestHead)
        #expect(!head.headers.contains(name: "Authorization"))
        #expect(!head.headers.contains(name: "Cookie"))
    }

    @Test func anAuthorizationFieldInTheOptionsWinsOverTheURLs() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.headers = ["authorization": "Bearer t0ken"]
        let recorder = try SocketRecorder("ws://alice:secret@127.0.0.1:\(server.port)/", options: options)
        try await recorder.waitForOpen()
        let head = try #require(try await server.waitForConnection { $0.request != nil }.requestHead)
        #expect(head.headers["Authorization"] == ["Bearer t0ken"])
    }
}
