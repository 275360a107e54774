public import Foundation
public import Logging
public import WebSocketCore

extension WebSocketServer {
    /// How a server listens and what it allows; every property has a documented default that
    /// protects the server from a misbehaving client.
    public struct Configuration: Sendable {
        /// The address to listen on. Default "127.0.0.1": only this machine can connect; use
        /// "0.0.0.0" or "::" to accept connections from the network.
        public var host = "127.0.0.1"
        /// The TCP port; 0, the default, takes any free port (see ``WebSocketServer/listeningAddress``).
        public var port = 0
        /// Listens on this Unix domain socket instead of TCP when set (an existing socket file
        /// there is replaced). Default `nil`.
        public var unixSocketPath: String?
        /// Serves `wss:` when set. Default `nil`.
        public var tls: TLS?
        /// Largest message accepted; a larger one fails the connection with 1009. Default 16 MiB.
        public var maxMessageSize = 16 << 20
        /// Most frames one message may be split into; more fail the connection with 1009.
        /// Default 1 048 576: a 64 MiB message in 64-byte fragments still fits, while a client
        /// that sends endless empty continuation frames (work, not memory) is stopped.
        public var maxFragmentsPerMessage = 1 << 20
        /// Bounds on the opening handshake's request head (default 32 KiB and 128 fields);
        /// beyond them the request is refused with 431.
        public var handshakeLimits = HandshakeLimits()
        /// permessage-deflate (RFC 7692): accepted when a client offers it, as browsers do, with
        /// these preferences; `nil` declines every offer. Default on.
        public var perMessageDeflate: PerMessageDeflate.Configuration? = PerMessageDeflate.Configuration()
        /// How long a client has to send its whole opening handshake; a slower one (a
        /// "slow loris") is disconnected. Default 10 s.
        public var handshakeTimeout: TimeInterval = 10
        /// Closes a connection with 1001 when nothing arrived from the client for this long.
        /// Default `nil`: ``keepalive`` finds dead clients instead.
        public var idleTimeout: TimeInterval?
        /// Pings each client every 30 s and drops one that does not answer within 30 s, by default.
        public var keepalive: WebSocket.Keepalive = .enabled(interval: 30, timeout: 30)
        /// How long to wait for a client to close TCP after the closing handshake. Default 5 s.
        public var closeTimeout: TimeInterval = 5
        /// Connections beyond this many at once are closed as soon as they are accepted. Default 10 000.
        public var maxConnections = 10_000
        /// While a connection's readable holds more than this many bytes not yet read, the server
        /// stops reading from that client. One message is always accepted. Default 64 KiB.
        public var readBufferLimit = 64 << 10
        /// A `write` returns once at most this many bytes are unsent to that client. Default 64 KiB.
        public var writeBufferLimit = 64 << 10
        /// Runs each connection's handler on that connection's event-loop thread (as its task
        /// executor preference), so messages reach it and leave it without a thread hop — the
        /// fast choice for handlers that only await. A handler that blocks or computes for long
        /// holds up the other connections of its event loop; set `false` to run handlers on the
        /// global concurrent executor instead, or move such work off with a task of its own.
        /// Default `true`. (Before macOS 15 / iOS 18, handlers always run on the global executor.)
        public var runsHandlersOnEventLoop = true
        /// How long graceful shutdown waits for connections to finish their closing handshake
        /// (each is sent 1001) before closing the rest. Default 10 s.
        public var shutdownTimeout: TimeInterval = 10
        /// Where the server logs connections and failures. Default: discards everything.
        public var logger = Logger(label: "websockets.server", factory: { _ in SwiftLogNoOpLogHandler() })

        /// A configuration with every default.
        public init(host: String = "127.0.0.1", port: Int = 0) {
            self.host = host
            self.port = port
        }
    }

    /// The server's certificate for `wss:` and, optionally, the clients' certificates it requires.
    public struct TLS: Sendable, Hashable {
        /// The certificate chain, PEM, leaf first.
        public var certificateChainPEM: String
        /// The private key of the leaf certificate, PEM.
        public var privateKeyPEM: String
        /// Roots that client certificates must chain to, PEM; the system's when empty.
        public var trustRootsPEM: [String] = []
        /// Whether a client must present a certificate that chains to the trust roots. Default `false`.
        public var requireClientCertificate = false

        /// TLS with this certificate chain and key.
        public init(certificateChainPEM: String, privateKeyPEM: String) {
            self.certificateChainPEM = certificateChainPEM
            self.privateKeyPEM = privateKeyPEM
        }
    }
}
