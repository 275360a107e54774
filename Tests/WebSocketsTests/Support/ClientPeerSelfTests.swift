import Foundation
import Testing

/// The proof that the client peers are installed, run their scenarios and report what they saw,
/// against a server nobody here wrote: python-websockets (``PeerProcess``, path `/echo`), which
/// negotiates permessage-deflate.
///
/// Serialized: two browsers at once would starve a 2-core machine. The `echo` scenario runs
/// against our own server in ``ServerInteropTests``.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ClientPeerSelfTests {
    @Test(arguments: ClientPeer.Kind.allCases)
    func sendsHiThenClosesWith4000Bye(_ kind: ClientPeer.Kind) async throws {
        let server = try await PeerProcess.start(.python)
        defer { server.stop() }
        let report = try await ClientPeer.run(kind, url: server.url("/echo"), scenario: "close")

        #expect(report.opened, "\(kind): \(report.json)")
        #expect(report.results?.map(\.ok) == [true], "\(kind): \(report.json)")
        #expect(report.close == ClientPeer.Report.Close(code: 4000, reason: "bye", wasClean: true), "\(kind): \(report.json)")
        if kind == .chromium {
            #expect(report.origin == "null", "about:blank is an opaque origin")
        }
    }

    @Test(arguments: ClientPeer.Kind.allCases)
    func offersItsSubprotocolsAndReportsTheOneChosen(_ kind: ClientPeer.Kind) async throws {
        let server = try await PeerProcess.start(.python, subprotocols: ["chat.v2", "chat.v1"])
        defer { server.stop() }
        let report = try await ClientPeer.run(kind, url: server.url("/echo"), scenario: "subprotocol", protocols: ["chat.v1", "chat.v2"])

        #expect(report.protocol == "chat.v2", "\(kind): \(report.json)")
        #expect(report.close == ClientPeer.Report.Close(code: 1000, reason: "", wasClean: true), "\(kind): \(report.json)")
    }

    @Test(arguments: ClientPeer.Kind.allCases)
    func trustsTheTestRootOverTLS(_ kind: ClientPeer.Kind) async throws {
        let server = try await PeerProcess.start(.python, tls: true)
        defer { server.stop() }
        let report = try await ClientPeer.run(
            kind, url: server.url("/echo"), scenario: "close", caCertificatePEM: try TestCertificates.shared().caCertificatePEM)

        #expect(report.opened, "\(kind): \(report.json)")
        #expect(report.close?.code == 4000, "\(kind): \(report.json)")
    }

    @Test(arguments: [ClientPeer.Kind.python, .nodeWS])
    func reportsTheHandshakeResponse(_ kind: ClientPeer.Kind) async throws {
        let server = try await PeerProcess.start(.python)
        defer { server.stop() }
        let report = try await ClientPeer.run(kind, url: server.url("/echo"), scenario: "headers")

        #expect(report.status == 101, "\(kind): \(report.json)")
        #expect(report.headerValues("upgrade").map { $0.lowercased() } == ["websocket"])
        #expect(report.headerValues("sec-websocket-accept").count == 1)
        #expect(report.headerValues("sec-websocket-extensions") == [report.extensions ?? ""])
    }

    @Test
    func reportsARefusedHandshakeWithItsStatus() async throws {
        let server = try await PeerProcess.start(.python)
        defer { server.stop() }
        let report = try await ClientPeer.run(.nodeWS, url: server.url("/reject403"), scenario: "headers")

        #expect(!report.opened)
        #expect(report.status == 403, "\(report.json)")
        #expect(report.close?.code == 1006)
    }

    /// Node 20's undici (6.24) fails the connection (1006, "Max decompressed message size
    /// exceeded") on a compressed message that inflates past a fixed 4 MiB, which is why its
    /// echo above stops at 1 MiB. When this fails, Node's undici changed: lift that limit.
    @Test
    func nodeUndiciRefusesACompressedMessageOverFourMebibytes() async throws {
        let server = try await PeerProcess.start(.python)
        defer { server.stop() }
        let report = try await ClientPeer.run(.nodeUndici, url: server.url("/echo"), scenario: "echo", timeout: .seconds(120))

        let failed = (report.results ?? []).filter { !$0.ok }.map { "\($0.kind) \($0.size)" }
        #expect(failed == ["text \(16 << 20)"], "\(report.json)")
        #expect(report.error?.contains("Max decompressed message size") == true, "\(report.json)")
        #expect(report.close?.code == 1006)
    }
}
