import Foundation
import Testing
@testable import WebSockets

/// WebSocket connections through real proxies (RFC 6455 §4.1 "Proxy Usage"): tinyproxy for HTTP
/// `CONNECT`, microsocks for SOCKS5, each proving the proxy carried the connection by the
/// address the server saw it come from.
@Suite("Proxy tunnels")
struct ProxyTunnelTests {
    /// One way through a proxy.
    struct Route: Sendable, CustomTestStringConvertible {
        let proxy: ProxyProcess.Kind
        let scheme: String
        let authenticated: Bool

        static let all = [
            Route(proxy: .tinyproxy, scheme: "http", authenticated: false),
            Route(proxy: .tinyproxy, scheme: "http", authenticated: true),
            Route(proxy: .microsocks, scheme: "socks5", authenticated: false),
            Route(proxy: .microsocks, scheme: "socks5h", authenticated: false),
        ]

        var testDescription: String { "\(scheme) via \(proxy)\(authenticated ? " with credentials" : "")" }

        /// Starts the proxy, letting it reach `port`.
        func start(allowing port: Int) async throws -> ProxyProcess {
            try await ProxyProcess.start(proxy, allowing: [port], credentials: authenticated ? ("user", "se.cret") : nil)
        }

        /// The proxy URL, its password percent-encoded to show it is decoded before it is sent.
        func url(_ proxy: ProxyProcess) -> String {
            proxy.url(scheme: scheme, credentials: authenticated ? "user:se%2Ecret" : nil)
        }
    }

    static func options(through url: String) throws -> WebSocket.Options {
        var options = WebSocket.Options()
        options.proxy = .url(url)
        options.tls.additionalTrustRootsPEM = [try TestCertificates.shared().caCertificatePEM]
        return options
    }

    @Test(arguments: [false, true], Route.all)
    func anEchoGoesThroughTheProxy(secure: Bool, route: Route) async throws {
        let server = try await TestServer.start(.echo, tls: secure)
        defer { server.stop() }
        let proxy = try await route.start(allowing: server.port)
        defer { proxy.stop() }

        let recorder = try SocketRecorder(server.url("/room?x=1"), options: Self.options(through: route.url(proxy)))
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.send("through \(route.scheme)") }
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.text("through \(route.scheme)"), origin: "\(secure ? "wss" : "ws")://\(server.host):\(server.port)"))

        let record = try await server.waitForConnection { $0.request != nil }
        #expect(record.remoteAddress?.ipAddress == ProxyProcess.outgoingAddress, "not through the proxy; its log:\n\(proxy.log)")
        // The handshake is the origin server's, as if there were no proxy.
        #expect(record.requestHead?.headers["Host"] == ["\(server.host):\(server.port)"])
        #expect(record.requestHead?.target == "/room?x=1")
        #expect(!record.requestText.contains("Proxy-Authorization"))
        try recorder.socket.close()
        try await recorder.waitForClose()
    }

    @Test func aWebSocketStreamGoesThroughTheProxy() async throws {
        let server = try await TestServer.start(.echo, tls: true)
        defer { server.stop() }
        let proxy = try await ProxyProcess.start(.tinyproxy, allowing: [server.port])
        defer { proxy.stop() }

        let stream = try WebSocketStream(server.url("/stream"), options: Self.options(through: proxy.url()))
        let opened = try await stream.opened
        try await opened.writable.write("streamed through")
        var iterator = opened.readable.makeAsyncIterator()
        #expect(try await iterator.next() == .text("streamed through"))
        let record = try await server.waitForConnection()
        #expect(record.remoteAddress?.ipAddress == ProxyProcess.outgoingAddress, "not through the proxy; its log:\n\(proxy.log)")
        try stream.close()
        _ = try await stream.closed
    }

    @Test func aUnixSocketIsNeverProxied() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws-unix-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = WebSocketServer.Configuration()
        configuration.unixSocketPath = directory.appendingPathComponent("server.sock").path
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.unixSocketPath = configuration.unixSocketPath
        options.proxy = .url("http://127.0.0.1:1")  // refuses: used, it would fail the connection
        let stream = try WebSocketStream("ws://localhost/stream", options: options)
        try await WebSocketServerTests.expectEcho(try await stream.opened)
    }
}
