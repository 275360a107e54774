import Crypto
import Foundation
import NIOSSL
import X509

/// A certificate authority and server certificates signed by it, made at test time (nothing
/// secret is checked in), for `wss:` tests against ``TestServer`` and the peers.
///
/// Trust ``caCertificatePEM`` (the `WebSocket` option `tls.additionalTrustRootsPEM`, or
/// ``makeClientTLSConfiguration()``). The default server certificate
/// (``ServerIdentity/localhostAndLoopback``) verifies for the host name `localhost` and for a
/// connection to 127.0.0.1.
///
/// NIOSSL accepts a certificate whose IP address SAN matches the address connected to, whatever
/// host name was asked for; so a test of a host name mismatch uses
/// ``ServerIdentity/localhostOnly``, which has no IP address SAN: it verifies for `localhost` only,
/// and fails for `wss://127.0.0.1:…` or any other name.
///
/// The CA is a separate certificate (basicConstraints CA, keyCertSign) rather than a self-signed
/// leaf: BoringSSL refuses a CA certificate as a server's leaf, and real deployments look like this.
struct TestCertificates: Sendable {
    /// Which names a server certificate is valid for.
    enum ServerIdentity: Sendable, CaseIterable {
        /// DNS name `localhost` and IP address 127.0.0.1.
        case localhostAndLoopback
        /// DNS name `localhost` only.
        case localhostOnly
    }

    /// The CA's certificate, PEM: the trust root.
    let caCertificatePEM: String
    /// The server's certificate for `localhost` and 127.0.0.1, PEM.
    let serverCertificatePEM: String
    /// The server's certificate for `localhost` only (same key), PEM.
    let localhostOnlyCertificatePEM: String
    /// The server's private key (P-256, PKCS #8), PEM; both server certificates use it.
    let serverPrivateKeyPEM: String

    /// The chain a server presents: its certificate, then the CA's.
    func serverCertificateChainPEM(_ identity: ServerIdentity = .localhostAndLoopback) -> String {
        switch identity {
        case .localhostAndLoopback: serverCertificatePEM + caCertificatePEM
        case .localhostOnly: localhostOnlyCertificatePEM + caCertificatePEM
        }
    }

    private static let generated = Result { try TestCertificates.generate() }

    /// The certificates of this test process, generated on first use.
    static func shared() throws -> TestCertificates {
        try generated.get()
    }

    /// Generates a fresh CA and a server certificate signed by it, valid from an hour ago for
    /// two days.
    static func generate() throws -> TestCertificates {
        let now = Date()
        let notValidBefore = now.addingTimeInterval(-3600)
        let notValidAfter = now.addingTimeInterval(2 * 86400)

        let caKey = P256.Signing.PrivateKey()
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let caName = try DistinguishedName {
            OrganizationName("WebSockets for Swift tests")
            CommonName("WebSockets Test CA")
        }
        let caKeyIdentifier = SubjectKeyIdentifier(hash: caPublicKey)
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: caPublicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                caKeyIdentifier
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))

        let serverKey = P256.Signing.PrivateKey()
        let serverPublicKey = Certificate.PublicKey(serverKey.publicKey)
        let serverName = try DistinguishedName {
            OrganizationName("WebSockets for Swift tests")
            CommonName("localhost")
        }
        func makeServerCertificate(names: [GeneralName]) throws -> Certificate {
            try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: serverPublicKey,
                notValidBefore: notValidBefore,
                notValidAfter: notValidAfter,
                issuer: caName,
                subject: serverName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth, .clientAuth])  // also a client certificate in tests
                    SubjectAlternativeNames(names)
                    SubjectKeyIdentifier(hash: serverPublicKey)
                    AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier.keyIdentifier)
                },
                issuerPrivateKey: Certificate.PrivateKey(caKey))
        }
        let server = try makeServerCertificate(names: [.dnsName("localhost"), .ipAddress(.init(contentBytes: [127, 0, 0, 1]))])
        let localhostOnly = try makeServerCertificate(names: [.dnsName("localhost")])

        return TestCertificates(
            caCertificatePEM: try ca.serializeAsPEM().pemString + "\n",
            serverCertificatePEM: try server.serializeAsPEM().pemString + "\n",
            localhostOnlyCertificatePEM: try localhostOnly.serializeAsPEM().pemString + "\n",
            serverPrivateKeyPEM: serverKey.pemRepresentation + "\n")
    }

    /// The server side: the chain for `identity` and the key; with `requireClientCertificate`,
    /// clients must present a certificate from the test CA (the server certificate serves).
    func makeServerTLSConfiguration(
        _ identity: ServerIdentity = .localhostAndLoopback, requireClientCertificate: Bool = false
    ) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(serverCertificateChainPEM(identity).utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(serverPrivateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if requireClientCertificate {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificatePEM.utf8)))
        }
        return configuration
    }

    /// A client that trusts the system's roots plus this CA, with full verification (certificate
    /// and host name): what `tls.additionalTrustRootsPEM: [caCertificatePEM]` must amount to.
    func makeClientTLSConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        configuration.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMBytes(Array(caCertificatePEM.utf8)))]
        return configuration
    }

    /// Writes the server's chain for `identity` and its key to `directory` as `server-chain.pem` and
    /// `server-key.pem`, for peers started as separate processes, and returns their paths.
    func writeServerFiles(
        to directory: URL, identity: ServerIdentity = .localhostAndLoopback
    ) throws -> (certificateChain: URL, privateKey: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let chain = directory.appendingPathComponent("server-chain.pem")
        let key = directory.appendingPathComponent("server-key.pem")
        try Data(serverCertificateChainPEM(identity).utf8).write(to: chain)
        try Data(serverPrivateKeyPEM.utf8).write(to: key)
        return (chain, key)
    }
}
