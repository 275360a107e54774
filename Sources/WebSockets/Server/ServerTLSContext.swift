import NIOSSL

extension WebSocketServer.TLS {
    /// The NIOSSL server context: this chain and key, and client-certificate verification when required.
    func makeContext() throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        if requireClientCertificate {
            // Clients have no host name to check; the chain is what is verified.
            configuration.certificateVerification = .noHostnameVerification
        }
        if !trustRootsPEM.isEmpty {
            configuration.trustRoots = .certificates(try trustRootsPEM.flatMap { try NIOSSLCertificate.fromPEMBytes(Array($0.utf8)) })
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
