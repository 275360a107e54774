import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import WebSocketCore

/// An in-process WebSocket server on 127.0.0.1, built on our engine, whose behaviour each test
/// scripts: a correct echo server, a refusing one, or one that misbehaves in a chosen way.
///
/// ```swift
/// let server = try await TestServer.start(.echo)              // or .refuse(status: 403), .maskedFrame, …
/// defer { server.stop() }
/// let socket = try WebSocket(server.url("/chat"))
/// …
/// let record = try await server.waitForConnection { $0.closeFrame != nil }
/// #expect(record.closeFrame?.code == .normalClosure)
/// ```
///
/// With `tls: true` the server speaks TLS with a certificate for `localhost` and 127.0.0.1 signed
/// by ``TestCertificates/shared()``'s CA: trust ``TestCertificates/caCertificatePEM`` (the
/// `WebSocket` option `tls.additionalTrustRootsPEM`).
///
/// Every connection is recorded (``ConnectionRecord``). The server stops on ``stop()`` or when
/// the last reference goes away; both close every open connection.
final class TestServer: Sendable {
    /// The port the server listens on, on 127.0.0.1.
    let port: Int
    /// Whether the server speaks TLS.
    let isTLS: Bool
    /// The behaviour every connection follows.
    let behavior: Behavior

    private let channel: any Channel
    private let recorder: TestServerRecorder

    private init(port: Int, isTLS: Bool, behavior: Behavior, channel: any Channel, recorder: TestServerRecorder) {
        self.port = port
        self.isTLS = isTLS
        self.behavior = behavior
        self.channel = channel
        self.recorder = recorder
    }

    deinit {
        closeEverything()
    }

    /// Starts a server on 127.0.0.1 on a port the system picks.
    ///
    /// - Parameters:
    ///   - behavior: What to do with each connection; echo by default.
    ///   - tls: Speak TLS with the certificates of ``TestCertificates/shared()``.
    ///   - identity: Which server certificate TLS presents; see ``TestCertificates/ServerIdentity``.
    ///   - requireClientCertificate: With TLS, refuse clients without a certificate from the test CA.
    static func start(
        _ behavior: Behavior = .echo,
        tls: Bool = false,
        identity: TestCertificates.ServerIdentity = .localhostAndLoopback,
        requireClientCertificate: Bool = false
    ) async throws -> TestServer {
        let sslContext = tls
            ? try NIOSSLContext(configuration: TestCertificates.shared().makeServerTLSConfiguration(
                identity, requireClientCertificate: requireClientCertificate))
            : nil
        let recorder = TestServerRecorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(TestServerHandler(behavior: behavior, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw TestServerError.noLocalPort
        }
        return TestServer(port: port, isTLS: tls, behavior: behavior, channel: channel, recorder: recorder)
    }

    /// The host to put in URLs: `localhost` with TLS (the name the certificate is checked
    /// against), `127.0.0.1` otherwise.
    var host: String { isTLS ? "localhost" : "127.0.0.1" }

    /// `ws://127.0.0.1:port` + `path` (`wss://localhost:port` + `path` with TLS).
    func url(_ path: String = "/") -> String {
        "\(isTLS ? "wss" : "ws")://\(host):\(port)\(path)"
    }

    /// The records of every connection so far, in order of arrival.
    var connections: [ConnectionRecord] {
        recorder.records
    }

    /// Waits until `condition` holds for the records, polling every 10 ms, and returns them.
    ///
    /// - Throws: ``TestServerError/timedOut(_:)`` with the last records if it does not hold in time.
    @discardableResult
    func waitUntil(
        timeout: Duration = .seconds(10),
        _ condition: ([ConnectionRecord]) -> Bool
    ) async throws -> [ConnectionRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let records = recorder.records
            if condition(records) { return records }
            guard ContinuousClock.now < deadline else { throw TestServerError.timedOut(records) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until connection number `index` (0-based) exists and satisfies `condition`, and returns it.
    func waitForConnection(
        _ index: Int = 0,
        timeout: Duration = .seconds(10),
        where condition: (ConnectionRecord) -> Bool = { _ in true }
    ) async throws -> ConnectionRecord {
        try await waitUntil(timeout: timeout) { records in
            records.indices.contains(index) && condition(records[index])
        }[index]
    }

    /// Waits until connection number `index` has closed its TCP connection, and returns its record.
    func waitForClose(_ index: Int = 0, timeout: Duration = .seconds(10)) async throws -> ConnectionRecord {
        try await waitForConnection(index, timeout: timeout) { $0.isClosed }
    }

    /// Stops listening and closes every open connection. Safe to call more than once.
    func stop() {
        closeEverything()
    }

    private func closeEverything() {
        channel.close(promise: nil)
        for child in recorder.openChannels {
            child.close(promise: nil)
        }
    }
}

/// Why a ``TestServer`` call failed.
enum TestServerError: Error, CustomStringConvertible {
    /// The listening socket had no port.
    case noLocalPort
    /// A wait ran out of time; carries the records at that moment.
    case timedOut([TestServer.ConnectionRecord])

    var description: String {
        switch self {
        case .noLocalPort:
            "the test server's socket has no local port"
        case .timedOut(let records):
            "timed out waiting for the test server; connections so far: \(records)"
        }
    }
}
