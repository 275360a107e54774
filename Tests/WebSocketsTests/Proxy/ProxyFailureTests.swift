import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import WebSockets

/// A proxy that will not open the tunnel fails the connection as any failure before
/// establishment does — `error`, then `close` with 1006 (WHATWG WebSockets §4) — with a
/// ``WebSocket/Failure`` that says why.
@Suite("Proxy failures")
struct ProxyFailureTests {
    /// Connects to `url` through `proxy`, expects the connection to fail, and returns the failure.
    static func failure(_ url: String, through proxy: String, connectTimeout: TimeInterval = 30) async throws -> WebSocket.Failure? {
        var options = WebSocket.Options()
        options.proxy = .url(proxy)
        options.connectTimeout = connectTimeout
        let recorder = try SocketRecorder(url, options: options)
        #expect(try await recorder.waitForClose(timeout: .seconds(45)) == SocketRecorder.failed)
        return recorder.socket.failure
    }

    @Test(arguments: [nil, "user:wrong"])
    func anHTTPProxyThatWantsOtherCredentialsFails(credentials: String?) async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let proxy = try await ProxyProcess.start(.tinyproxy, allowing: [server.port], credentials: ("user", "right"))
        defer { proxy.stop() }
        let failure = try await Self.failure(server.url(), through: proxy.url(credentials: credentials))
        #expect(failure == .proxyAuthenticationRequired, "\(proxy.log)")
        #expect(server.connections.isEmpty)
    }

    @Test func aSOCKSProxyThatWantsCredentialsFails() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let proxy = try await ProxyProcess.start(.microsocks, credentials: ("user", "right"))
        defer { proxy.stop() }
        #expect(try await Self.failure(server.url(), through: proxy.url()) == .proxyAuthenticationRequired)
        #expect(server.connections.isEmpty)
    }

    @Test func anHTTPProxyThatRefusesThePortFailsWithItsStatus() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let proxy = try await ProxyProcess.start(.tinyproxy, allowing: [server.port + 1])
        defer { proxy.stop() }
        #expect(try await Self.failure(server.url(), through: proxy.url()) == .proxyRefused(status: 403), "\(proxy.log)")
        #expect(server.connections.isEmpty)
    }

    @Test func aSOCKSProxyThatCannotReachTheOriginFailsWithItsReply() async throws {
        let proxy = try await ProxyProcess.start(.microsocks)
        defer { proxy.stop() }
        // 5: "Connection refused" (RFC 1928 §6); nothing listens on port 1.
        #expect(try await Self.failure("ws://127.0.0.1:1/", through: proxy.url()) == .socksProxyRefused(reply: 5))
    }

    @Test(arguments: ["http", "socks5h"])
    func aProxyThatIsNotListeningFails(scheme: String) async throws {
        let failure = try await Self.failure("ws://127.0.0.1:9/", through: "\(scheme)://127.0.0.1:1")
        #expect(failure == .proxyConnectionFailed(WebSocket.Failure.connectionRefused(host: "127.0.0.1", port: 1).description))
    }

    /// `socks5:` resolves the origin's name before it connects to the proxy; `socks5h:` leaves
    /// that to the proxy, so it gets as far as the (absent) proxy.
    @Test func socks5ResolvesTheOriginHereAndSocks5hDoesNot() async throws {
        let local = try await Self.failure("ws://no-such-host.invalid/", through: "socks5://127.0.0.1:1")
        #expect(local == .nameResolutionFailed(host: "no-such-host.invalid"))
        let remote = try await Self.failure("ws://no-such-host.invalid/", through: "socks5h://127.0.0.1:1")
        #expect(remote == .proxyConnectionFailed(WebSocket.Failure.connectionRefused(host: "127.0.0.1", port: 1).description))
    }

    /// Our own test server stands in for a proxy that hangs up.
    @Test(arguments: ["http", "socks5h"])
    func aProxyThatClosesBeforeTheTunnelIsUpFails(scheme: String) async throws {
        let fake = try await TestServer.start(.closeOnConnect)
        defer { fake.stop() }
        let failure = try await Self.failure("ws://example.com/", through: "\(scheme)://127.0.0.1:\(fake.port)")
        #expect(failure == .proxyTunnelClosed)
    }

    /// A listening socket that never accepts stands in for a proxy that never answers: the kernel
    /// completes the TCP handshake all the same.
    @Test(arguments: ["http", "socks5h"])
    func theConnectTimeoutCoversTheTunnel(scheme: String) async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let started = ContinuousClock.now
        let failure = try await Self.failure("ws://example.com/", through: "\(scheme)://127.0.0.1:\(port)", connectTimeout: 1)
        #expect(failure == .connectTimedOut)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    /// `close()` while the proxy has yet to answer fails the connection at once, not after the
    /// connect timeout.
    @Test(arguments: ["http", "socks5h"])
    func closingWhileTheTunnelOpensFails(scheme: String) async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        defer { silent.close(promise: nil) }
        var options = WebSocket.Options()
        options.proxy = .url("\(scheme)://127.0.0.1:\(try #require(silent.localAddress?.port))")
        let recorder = try SocketRecorder("ws://example.com/", options: options)
        try await Task.sleep(for: .milliseconds(200))  // connected to the proxy by now, most likely
        try recorder.onQueue { try recorder.socket.close() }
        #expect(try await recorder.waitForClose(timeout: .seconds(10)) == SocketRecorder.failed)
        #expect(recorder.socket.failure == .closedBeforeEstablished)
    }

    @Test(arguments: [
        "https://127.0.0.1:3128", "socks4://127.0.0.1:1080", "socks5://user:pass@127.0.0.1:1080", "http://", "http://[::1",
    ])
    func anInvalidOrUnsupportedProxyURLFails(proxy: String) async throws {
        let failure = try await Self.failure("ws://127.0.0.1:9/", through: proxy)
        guard case .invalidProxy = failure else {
            Issue.record("expected invalidProxy, got \(String(describing: failure))")
            return
        }
    }
}
