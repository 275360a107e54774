import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import WebSockets

/// `Options.cookieStorage` on the opening handshake, against python-websockets (a route that
/// requires a cookie, one whose `101` sets three) and the request our in-process server records.
@Suite("Cookies on the opening handshake", .serialized)
struct HandshakeCookiesTests {
    /// A cookie for 127.0.0.1, any port (RFC 6265 §8.5), under `path`.
    static func cookie(_ name: String, _ value: String, path: String = "/") throws -> HTTPCookie {
        try #require(HTTPCookie(properties: [.name: name, .value: value, .domain: "127.0.0.1", .path: path]))
    }

    @Test func theStoresCookieLetsTheHandshakeThroughAndNoStoreSendsNone() async throws {
        let peer = try await PeerProcess.start(.python)
        defer { peer.stop() }
        let storage = try ephemeralCookieStorage()
        storage.setCookie(try Self.cookie("session", "abc"))
        storage.setCookie(try Self.cookie("elsewhere", "1", path: "/elsewhere"))
        var options = WebSocket.Options()
        options.cookieStorage = storage
        let recorder = try SocketRecorder(peer.url("/cookie-required"), options: options)
        // The server's first message is the Cookie field it received.
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.text("session=abc"), origin: "ws://127.0.0.1:\(peer.port)"))

        options.cookieStorage = nil
        let refused = try SocketRecorder(peer.url("/cookie-required"), options: options)
        #expect(try await refused.waitForClose() == SocketRecorder.failed)
        guard case .handshakeFailed(.unexpectedStatus(code: 403, _)) = refused.socket.failure else {
            Issue.record("expected a 403 refusal, got \(String(describing: refused.socket.failure))")
            return
        }
    }

    @Test func setCookieOnThe101IsStoredAndSentBackByTheNextHandshake() async throws {
        let peer = try await PeerProcess.start(.python)
        defer { peer.stop() }
        let storage = try ephemeralCookieStorage()
        var options = WebSocket.Options()
        options.cookieStorage = storage
        let first = try SocketRecorder(peer.url("/set-cookie"), options: options)
        try await first.waitForOpen()
        #expect(Set((storage.cookies ?? []).map { "\($0.name)=\($0.value)" }) == ["token=xyz", "scoped=1", "secure=1"])
        try first.onQueue { try first.socket.close() }

        let second = try SocketRecorder(peer.url("/request"), options: options)
        let events = try await second.waitUntil { $0.count == 2 }
        guard case .message(.text(let description), _) = events.last else {
            Issue.record("expected the request's description, got \(events)")
            return
        }
        let request = try #require(try JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any])
        let fields = try #require(request["headers"] as? [[String]])
        // Not `scoped` (another path) nor `secure` (ws is not secure): RFC 6265 §5.4.
        #expect(fields.filter { $0.first?.lowercased() == "cookie" }.map { $0[1] } == ["token=xyz"])
    }

    @Test func theStreamSendsAndStoresCookiesToo() async throws {
        let peer = try await PeerProcess.start(.python)
        defer { peer.stop() }
        let storage = try ephemeralCookieStorage()
        storage.setCookie(try Self.cookie("session", "abc"))
        var options = WebSocket.Options()
        options.cookieStorage = storage
        let stream = try WebSocketStream(peer.url("/cookie-required"), options: options)
        var messages = try await stream.opened.readable.makeAsyncIterator()
        #expect(try await messages.next() == .text("session=abc"))
        try stream.close()

        let setting = try WebSocketStream(peer.url("/set-cookie"), options: options)
        _ = try await setting.opened
        #expect((storage.cookies ?? []).contains { $0.name == "token" && $0.value == "xyz" })
        try setting.close()
    }

    @Test func aCookieFieldInTheOptionsWinsOverTheStore() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let storage = try ephemeralCookieStorage()
        storage.setCookie(try Self.cookie("stored", "1"))
        var options = WebSocket.Options()
        options.cookieStorage = storage
        options.headers = ["Cookie": "explicit=1"]
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()
        let head = try #require(try await server.waitForConnection { $0.request != nil }.requestHead)
        #expect(head.headers["Cookie"] == ["explicit=1"])
    }

    @Test func cookiesOfARefusalAreStoredAsFetchStoresThem() async throws {
        let server = try await TestServer.start(.refuse(status: 403, headers: ["Set-Cookie": "refused=1; Path=/"]))
        defer { server.stop() }
        let storage = try ephemeralCookieStorage()
        var options = WebSocket.Options()
        options.cookieStorage = storage
        let recorder = try SocketRecorder(server.url(), options: options)
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        #expect((storage.cookies ?? []).map { "\($0.name)=\($0.value)" } == ["refused=1"])
    }
}
