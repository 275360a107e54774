import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import WebSockets

/// `wsc serve`: a WebSocket server that echoes every message (or, with `--broadcast`, relays it
/// to every client), logging connections; Ctrl-C or SIGTERM shut it down gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve WebSocket clients: echo every message, or relay it to every client with --broadcast.")

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The TCP port; 0 picks a free one.")
    var port = 8080

    @Option(help: "Listen on this Unix domain socket instead of TCP.")
    var unix: String?

    @Option(help: "A PEM file with the certificate chain, leaf first, to serve wss:.")
    var tlsCert: String?

    @Option(help: "A PEM file with the certificate's private key.")
    var tlsKey: String?

    @Flag(help: "Relay each message to every connected client instead of echoing it.")
    var broadcast = false

    @Flag(help: "Decline permessage-deflate.")
    var noDeflate = false

    @Option(help: "The largest message accepted, in bytes.")
    var maxMessageSize = 64 << 20

    @Option(help: "Connections held at once; beyond them new ones are closed at once.")
    var maxConnections = WebSocketServer.Configuration().maxConnections

    @Flag(help: "Log no connections (for benchmarks).")
    var quiet = false

    @Option(help: ArgumentHelp(
        "Every this many seconds, print one JSON line of the server's own figures to standard error.",
        discussion: "Keys: t_ms, rss_kib, fds, lag_max_us and lag_p99_us (how late the event loops ran a timer), connections (alive now). scripts/soak reads them."))
    var statsInterval: Double?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if let statsInterval, statsInterval <= 0 { throw ValidationError("--stats-interval must be positive") }
    }

    func run() async throws {
        var configuration = WebSocketServer.Configuration(host: host, port: port)
        configuration.unixSocketPath = unix
        configuration.maxMessageSize = maxMessageSize
        configuration.maxConnections = maxConnections
        if noDeflate { configuration.perMessageDeflate = nil }
        if let tlsCert, let tlsKey {
            configuration.tls = .init(
                certificateChainPEM: try String(contentsOfFile: tlsCert, encoding: .utf8),
                privateKeyPEM: try String(contentsOfFile: tlsKey, encoding: .utf8))
        }
        let broadcast = self.broadcast ? Broadcast() : nil
        let server = WebSocketServer(configuration: configuration) { request in
            // Only what the log line needs is kept for the connection's life.
            let peer = quiet ? nil : request.remoteAddress.flatMap { address in address.ipAddress.map { "\($0):\(address.port ?? 0)" } }
                ?? "a Unix socket client"
            let target = quiet ? nil : request.target
            // Quiet echo has nothing to add around the echo: no closure of its own, whose frame
            // every idle connection would keep.
            if quiet, broadcast == nil { return .accept(protocol: request.protocols.first, handler: ServerHandlers.echo) }
            return .accept(protocol: request.protocols.first) { connection in
                if let peer, let target {
                    Terminal.note("connected: \(peer) \(target)"
                        + (connection.extensions.isEmpty ? "" : " [\(connection.extensions)]"))
                }
                defer { if let peer { Terminal.note("disconnected: \(peer)") } }
                if let broadcast { try await broadcast.serve(connection) } else { try await ServerHandlers.echo(connection) }
            }
        }
        let scheme = configuration.tls == nil ? "ws" : "wss"
        Task {
            guard let address = try? await server.listeningAddress else { return }
            if let unix {
                Terminal.note("listening on \(unix) (\(scheme))")
            } else {
                Terminal.note("listening on \(scheme)://\(Self.hostForURL(address.ipAddress ?? host)):\(address.port ?? port)/")
            }
        }
        let stats = statsInterval.map { interval in
            Task { await ProcessStats.report(every: interval) { ["connections": server.connectionCount] } }
        }
        defer { stats?.cancel() }
        let group = ServiceGroup(
            services: [server], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "wsc", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await group.run()
        Terminal.note("shut down")
    }

    private static func hostForURL(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}
