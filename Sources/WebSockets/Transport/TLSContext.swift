import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

extension WebSocket.TLSOptions {
    /// The NIOSSL client context these options describe: the system's roots plus any extra
    /// ones, the verification asked for, and a client certificate if one was given.
    ///
    /// Contexts are made once per distinct set of options and shared: making one reads and
    /// parses the system's trust store, which cost every `wss:` connection tens of
    /// milliseconds and about a megabyte of its own copy of the roots.
    func makeContext() throws -> NIOSSLContext {
        let key = TLSContextKey(self)
        if let context = TLSContextKey.contexts.withLockedValue({ $0[key] }) { return context }
        let context = try makeNewContext()
        return TLSContextKey.contexts.withLockedValue { contexts in
            // A few distinct option sets is the normal case; many means options built per
            // connection, where keeping them all would only grow.
            if contexts.count >= TLSContextKey.capacity { contexts.removeAll() }
            if let made = contexts[key] { return made }
            contexts[key] = context
            return context
        }
    }

    private func makeNewContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !additionalTrustRootsPEM.isEmpty {
            let roots = try additionalTrustRootsPEM.flatMap { try NIOSSLCertificate.fromPEMBytes(Array($0.utf8)) }
            configuration.additionalTrustRoots = [.certificates(roots)]
        }
        switch verification {
        case .full: configuration.certificateVerification = .fullVerification
        case .skipHostnameCheck: configuration.certificateVerification = .noHostnameVerification
        case .insecureNoVerification: configuration.certificateVerification = .none
        }
        if let clientCertificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificate.chainPEM.utf8))
                .map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientCertificate.privateKeyPEM.utf8), format: .pem))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// What makes two sets of TLS options give the same client context.
struct TLSContextKey: Hashable {
    let additionalTrustRootsPEM: [String]
    let clientCertificateChainPEM: String?
    let clientPrivateKeyPEM: String?
    let verification: WebSocket.TLSOptions.Verification

    init(_ options: WebSocket.TLSOptions) {
        additionalTrustRootsPEM = options.additionalTrustRootsPEM
        clientCertificateChainPEM = options.clientCertificate?.chainPEM
        clientPrivateKeyPEM = options.clientCertificate?.privateKeyPEM
        verification = options.verification
    }

    /// The contexts made so far, shared by every connection of the process.
    static let contexts = NIOLockedValueBox<[TLSContextKey: NIOSSLContext]>([:])
    static let capacity = 16
}
