import Foundation
import Testing
@testable import WebSockets

/// Our server with clients nobody here wrote — python-websockets, Node's `ws`, Node 20's built-in
/// WebSocket (undici) and headless Chromium — each run by ``ClientPeer`` as a child process.
///
/// Serialized: two browsers or two 16 MiB echoes at once would starve a 2-core machine.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct ServerInteropTests {
    /// The sizes the `echo` scenario sends, each as text and then as binary.
    static let echoSizes = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]

    @Test(arguments: ClientPeer.Kind.allCases)
    func echoesUpToSixteenMebibytesByteExactWithPermessageDeflate(_ kind: ClientPeer.Kind) async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        // Node 20's undici fails a compressed message that inflates past 4 MiB, whatever the server.
        let largest = kind == .nodeUndici ? 1 << 20 : 16 << 20
        let report = try await ClientPeer.run(
            kind, url: server.url("/echo"), scenario: "echo", largestMessage: largest, timeout: .seconds(150))

        #expect(report.opened, "\(kind): \(report.json)")
        #expect(report.extensions?.hasPrefix("permessage-deflate") == true, "\(kind): \(report.json)")
        let expected = Self.echoSizes.filter { $0 <= largest }.flatMap { ["text \($0)", "binary \($0)"] }
        #expect((report.results ?? []).map { "\($0.kind) \($0.size)" } == expected)
        for result in report.results ?? [] where !result.ok {
            Issue.record("\(kind): the echo of \(result.kind) of \(result.size) bytes: \(result.detail ?? "not ok")")
        }
        #expect(report.close == ClientPeer.Report.Close(code: 1000, reason: "", wasClean: true), "\(kind): \(report.json)")
    }

    @Test(arguments: ClientPeer.Kind.allCases)
    func theServersPreferredSubprotocolAmongTheOffered(_ kind: ClientPeer.Kind) async throws {
        let server = try await RunningServer.echo(protocols: ["chat.v2", "chat.v1"])
        defer { server.stop() }
        let report = try await ClientPeer.run(kind, url: server.url("/echo"), scenario: "subprotocol", protocols: ["chat.v1", "chat.v2"])
        #expect(report.protocol == "chat.v2", "\(kind): \(report.json)")
        #expect(report.close == ClientPeer.Report.Close(code: 1000, reason: "", wasClean: true), "\(kind): \(report.json)")
    }

    @Test(arguments: ClientPeer.Kind.allCases)
    func aClientsCloseWith4000ByeReachesTheHandlerAndIsEchoed(_ kind: ClientPeer.Kind) async throws {
        let seen = LockedValue<WebSocketStream.CloseInfo?>(nil)
        let server = try await RunningServer.start { _ in
            .accept { connection in
                for try await message in connection.readable { try await connection.writable.write(message) }
                let info = try await connection.closed
                seen.withLock { $0 = info }
            }
        }
        defer { server.stop() }
        let report = try await ClientPeer.run(kind, url: server.url("/echo"), scenario: "close")
        #expect(report.results?.map(\.ok) == [true], "\(kind): \(report.json)")
        #expect(report.close == ClientPeer.Report.Close(code: 4000, reason: "bye", wasClean: true), "\(kind): \(report.json)")
        try await waitUntil { seen.current != nil }
        #expect(seen.current == WebSocketStream.CloseInfo(closeCode: 4000, reason: "bye"))
    }

    @Test(arguments: ClientPeer.Kind.allCases)
    func wssWithTheTestCertificateAuthority(_ kind: ClientPeer.Kind) async throws {
        let certificates = try TestCertificates.shared()
        var configuration = WebSocketServer.Configuration()
        configuration.tls = .init(certificateChainPEM: certificates.serverCertificateChainPEM(), privateKeyPEM: certificates.serverPrivateKeyPEM)
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        let report = try await ClientPeer.run(
            kind, url: server.url("/echo", scheme: "wss"), scenario: "close", caCertificatePEM: certificates.caCertificatePEM)
        #expect(report.opened, "\(kind): \(report.json)")
        #expect(report.close?.code == 4000, "\(kind): \(report.json)")
    }

    @Test(arguments: [ClientPeer.Kind.python, .nodeWS])
    func theHandshakeResponseCarriesTheAcceptanceAndTheHandlersHeaders(_ kind: ClientPeer.Kind) async throws {
        let server = try await RunningServer.start { _ in
            .accept(headers: [.init("X-Served-By")!: "websockets-swift"]) { _ in }
        }
        defer { server.stop() }
        let report = try await ClientPeer.run(kind, url: server.url("/"), scenario: "headers")
        #expect(report.status == 101, "\(kind): \(report.json)")
        #expect(report.headerValues("X-Served-By") == ["websockets-swift"], "\(kind): \(report.json)")
        #expect(report.headerValues("Sec-WebSocket-Extensions").first?.hasPrefix("permessage-deflate") == true)
    }
}
