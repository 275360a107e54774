import Foundation
import Testing

/// `wsc URL --proxy …`, and `wsc` reading its proxy from its environment.
@Suite("wsc through proxies")
struct WscProxyTests {
    /// Runs `wsc` against an echo server, sending one line, and returns the server's record of
    /// the connection.
    static func echo(
        _ server: TestServer, arguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> TestServer.ConnectionRecord {
        let client = try WscTests.start([server.url("/wsc")] + arguments + ["--linger", "0.5"], input: "proxied?\n", environment: environment)
        try await client.finished(timeout: .seconds(20))
        #expect(client.process.termination == .exited(0), "\(client.standardError)")
        #expect(client.standardOutput == "proxied?\n")
        return try await server.waitForConnection()
    }

    @Test func theProxyOptionIsUsed() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let proxy = try await ProxyProcess.start(.microsocks)
        defer { proxy.stop() }
        let record = try await Self.echo(server, arguments: ["--proxy", proxy.url()])
        #expect(record.remoteAddress?.ipAddress == ProxyProcess.outgoingAddress)
    }

    @Test func theEnvironmentNamesTheProxyByDefault() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        let proxy = try await ProxyProcess.start(.tinyproxy, allowing: [server.port])
        defer { proxy.stop() }
        let record = try await Self.echo(server, environment: ["ws_proxy": proxy.url(), "no_proxy": ""])
        #expect(record.remoteAddress?.ipAddress == ProxyProcess.outgoingAddress, "\(proxy.log)")
    }

    @Test func proxyNoneIgnoresTheEnvironment() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        // Used, this proxy would fail the connection: nothing listens on port 1.
        let record = try await Self.echo(server, arguments: ["--proxy", "none"], environment: ["all_proxy": "http://127.0.0.1:1", "no_proxy": ""])
        #expect(record.remoteAddress?.ipAddress == "127.0.0.1")
    }
}
