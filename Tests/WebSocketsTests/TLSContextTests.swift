import NIOSSL
import Testing
@testable import WebSockets

/// Client TLS contexts are made once per distinct set of options and shared by connections.
@Suite("TLS client contexts")
struct TLSContextTests {
    @Test func theSameOptionsShareOneContext() throws {
        var options = WebSocket.TLSOptions()
        options.additionalTrustRootsPEM = [try TestCertificates.shared().caCertificatePEM]
        let first = try options.makeContext()
        let second = try options.makeContext()
        #expect(first === second)
    }

    @Test func optionsThatDifferInAnythingGetContextsOfTheirOwn() throws {
        var trusting = WebSocket.TLSOptions()
        trusting.additionalTrustRootsPEM = [try TestCertificates.shared().caCertificatePEM]
        var unverified = trusting
        unverified.verification = .skipHostnameCheck
        let contexts = try [WebSocket.TLSOptions(), trusting, unverified].map { try $0.makeContext() }
        #expect(contexts[0] !== contexts[1])
        #expect(contexts[1] !== contexts[2])
        #expect(contexts[0] !== contexts[2])
    }

    @Test func badOptionsAreStillRefusedEveryTime() {
        var options = WebSocket.TLSOptions()
        options.additionalTrustRootsPEM = ["not a certificate"]
        #expect(throws: (any Error).self) { try options.makeContext() }
        #expect(throws: (any Error).self) { try options.makeContext() }
    }
}
