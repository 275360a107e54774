import NIOCore
import NIOSSL

extension WebSocket.TLSOptions {
    /// The NIOSSL client context these options describe: the system's roots plus any extra
    /// ones, the verification asked for, and a client certificate if one was given.
    func makeContext() throws -> NIOSSLContext {
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
