import Foundation
import Testing
@testable import WebSockets

/// `wss:` with a certificate generated at test time (WHATWG WebSockets §2.1, TLS).
@Suite("TLS")
struct TLSTests {
    @Test func aCertificateTrustedThroughTheOptionsOpens() async throws {
        let server = try await TestServer.start(.echo, tls: true)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.tls.additionalTrustRootsPEM = [try TestCertificates.shared().caCertificatePEM]
        let recorder = try SocketRecorder(server.url("/secure"), options: options)
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.send("over tls") }
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.text("over tls"), origin: "wss://localhost:\(server.port)"))
        #expect(recorder.socket.url == "wss://localhost:\(server.port)/secure")
    }

    @Test func anUntrustedCertificateFails() async throws {
        let server = try await TestServer.start(.echo, tls: true)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        guard case .tlsFailed = recorder.socket.failure else {
            Issue.record("expected a TLS failure, got \(String(describing: recorder.socket.failure))")
            return
        }
    }

    @Test func aClientCertificateFromTheOptionsIsPresented() async throws {
        let server = try await TestServer.start(.echo, tls: true, requireClientCertificate: true)
        defer { server.stop() }
        let certificates = try TestCertificates.shared()
        var options = WebSocket.Options()
        options.tls.additionalTrustRootsPEM = [certificates.caCertificatePEM]
        options.tls.clientCertificate = (chainPEM: certificates.serverCertificatePEM, privateKeyPEM: certificates.serverPrivateKeyPEM)
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()

        options.tls.clientCertificate = nil
        let refused = try SocketRecorder(server.url(), options: options)
        #expect(try await refused.waitForClose() == SocketRecorder.failed)
        guard case .tlsFailed = refused.socket.failure else {
            Issue.record("expected a TLS failure, got \(String(describing: refused.socket.failure))")
            return
        }
    }

    @Test func noVerificationIsAnExplicitOption() async throws {
        let server = try await TestServer.start(.echo, tls: true)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.tls.verification = .insecureNoVerification
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()
    }
}
