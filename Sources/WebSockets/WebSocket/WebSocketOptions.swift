public import Dispatch
public import Foundation
#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif
public import Logging
public import WebSocketCore

extension WebSocket {
    /// What a non-browser program may want to set beyond the standard's constructor arguments.
    ///
    /// Every default is the standard's behaviour — no extra headers, no `Origin`, the system's
    /// trust roots, no keepalive, events on the main queue — except cookies, which a browser
    /// always sends and a program gets only by setting ``cookieStorage``.
    ///
    /// Credentials in the URL (`wss://alice:secret@example.com/`) need no option: they are sent
    /// as `Authorization: Basic …` with the opening handshake (RFC 7617, the percent-decoded
    /// username and password as UTF-8). They go up front, as python-websockets and Node's `ws`
    /// send them, not after a `401` as Fetch's "authentication fetch" would: the handshake
    /// never follows a redirect, so they can only reach the URL's own host, and waiting for a
    /// `401` would cost a round trip and a second connection. A server that refuses them
    /// fails the connection with ``WebSocket/Failure/handshakeFailed(_:)`` and
    /// `.unexpectedStatus(code: 401, …)`. ``WebSocket/url`` keeps them, as the URL serializer
    /// does.
    public struct Options: Sendable {
        /// The serial queue events are delivered on — the analogue of the browser's event loop
        /// (WHATWG WebSockets §4 "queue a task"). Default: `.main`. `WebSocketStream` does not use it.
        public var eventQueue: DispatchQueue = .main
        /// Delivers events on the connection's own SwiftNIO event-loop thread instead of
        /// ``eventQueue``, still one at a time and in order. Default `false`.
        ///
        /// Nothing then crosses a thread between the network and the handlers, and what they
        /// send leaves in the same turn: the cheapest way to run many small messages. Handlers
        /// must not block, or wait on something only that thread can do: that stops this
        /// connection and every other one sharing the thread.
        ///
        /// A socket created on an event loop's thread (in another socket's handler, in a
        /// server's handler, in a task preferring ``WebSocketStream/taskExecutor``, or in a
        /// block given to a SwiftNIO event loop's `execute`) runs on that event loop, and
        /// handlers attached there in the same turn never miss an event, as with
        /// ``eventQueue``. Created on any other thread, it runs on one of the shared event
        /// loops, and an event may fire before a handler attached afterwards.
        public var deliversEventsOnEventLoop = false
        /// Resolves relative URLs, as a document's base URL does in a browser; `nil` makes a
        /// relative URL a `SyntaxError`.
        public var baseURL: URL?
        /// Extra fields for the opening handshake request (`Authorization`, `Cookie`, …).
        ///
        /// An `Authorization` field here is sent instead of the one built from the URL's
        /// credentials, and a `Cookie` field instead of the cookies from ``cookieStorage``.
        public var headers: HTTPHeaders = [:]
        /// Where the opening handshake's cookies come from and go to. Default `nil`: no cookies
        /// are sent and none are stored. Pass `.shared` to behave as `URLSession` does by default.
        ///
        /// The handshake sends, as one `Cookie` field, the cookies the store gives for the URL
        /// with `ws` read as `http` and `wss` as `https` (WHATWG WebSockets §2.1), so `Secure`
        /// cookies go only over `wss`; `HttpOnly` cookies are sent, this being HTTP. It stores the
        /// `Set-Cookie` fields of the server's response — the `101`, or a refusal — under the
        /// store's `cookieAcceptPolicy` (`.never` stores nothing).
        ///
        /// ## Cookie matching on Linux
        ///
        /// swift-corelibs-foundation's store matches cookies to a URL by host only, so the socket
        /// itself applies the rest of RFC 6265 §5.4 to what the store returns: it drops cookies
        /// whose path does not path-match the request's (§5.1.4), `Secure` cookies on `ws`, and
        /// cookies that expired since they were stored, and sends longer paths first. Gaps it
        /// leaves, all in how Foundation reads `Set-Cookie` on Linux:
        /// - `Max-Age` is ignored (and so is `Expires` beside it): `Max-Age=0` does not delete a
        ///   cookie, it replaces it with a session cookie of the new value.
        /// - A cookie without `Path` gets `/`, not the default path of §5.1.4 (the request
        ///   path's directory), so it is sent to every path on the host.
        /// - Cookies with paths of the same length are not ordered by creation time.
        public var cookieStorage: HTTPCookieStorage?
        /// Sent as the `Origin` field when set; browsers always send one, other clients need not.
        public var origin: String?
        /// TLS settings for `wss:` URLs.
        public var tls = TLSOptions()
        /// Connects through this Unix domain socket instead of TCP; the URL still gives the
        /// `Host` header and the resource name (as python-websockets' `unix_connect` and Node's
        /// `socketPath` do). Default `nil`.
        public var unixSocketPath: String?
        /// The proxy to connect through. Default ``Proxy/environment``: the one the environment
        /// variables name (`https_proxy`, `no_proxy`, …), read when each connection starts.
        public var proxy: Proxy = .environment
        /// How long to wait for the TCP connection (and TLS, for `wss:`) before failing; through a
        /// proxy, this covers connecting to it and opening the tunnel. Default 30 s.
        public var connectTimeout: TimeInterval = 30
        /// How long to wait for the server's handshake response once connected. Default 30 s.
        public var handshakeTimeout: TimeInterval = 30
        /// How long to wait for the server to close TCP after the closing handshake started
        /// before closing it ourselves (RFC 6455 §7.1.1). Default 5 s.
        public var closeTimeout: TimeInterval = 5
        /// Periodic pings to detect a dead peer. Off by default, as in browsers.
        public var keepalive: Keepalive = .disabled
        /// permessage-deflate (RFC 7692): offered by default exactly as browsers offer it,
        /// `permessage-deflate; client_max_window_bits` (WHATWG WebSockets §2.2); tune the
        /// compression level, memory level, threshold and context takeover here, or set `nil`
        /// to offer no extension. With the defaults a connection that compresses holds about
        /// 300 KiB of zlib state (see `PerMessageDeflate.Configuration`).
        public var perMessageDeflate: PerMessageDeflate.Configuration? = PerMessageDeflate.Configuration()
        /// Largest message accepted; a larger one fails the connection with 1009. Default 64 MiB.
        public var maxMessageSize: Int = Limits().maxMessageSize
        /// Most frames one incoming message may be split into; more fail the connection with
        /// 1009. Browsers set no such limit; this default, 1 048 576, receives a 64 MiB message in
        /// 64-byte fragments, while a peer that sends endless empty continuation frames (which
        /// cost work, not memory) is still stopped.
        public var maxFragmentsPerMessage: Int = 1 << 20
        /// Beyond this many bytes accepted by `send` but not yet written, the socket is "flagged
        /// as full" and closed (WHATWG WebSockets §3.1 `send()`). Default 128 MiB.
        public var maxBufferedAmount: UInt64 = 128 << 20
        /// `WebSocketStream` only: while its readable holds more than this many bytes of
        /// messages not yet taken, the library stops reading from the socket, so a slow consumer
        /// slows the peer down instead of filling memory. One message is always accepted,
        /// whatever its size. Default 64 KiB.
        public var readBufferLimit: Int = 64 << 10
        /// `WebSocketStream` only: a `write` returns once the bytes the library holds unsent
        /// (that message's included) are at most this many. Default 64 KiB.
        public var writeBufferLimit: Int = 64 << 10
        /// Where the socket logs what happens to its connection. Default: discards everything.
        public var logger = Logger(label: "websockets", factory: { _ in SwiftLogNoOpLogHandler() })

        /// Options with every default.
        public init() {}
    }

    /// Whether and how often to ping the server to find out that the connection died.
    public struct Keepalive: Sendable, Hashable {
        let interval: TimeInterval?
        let timeout: TimeInterval

        /// No pings: the standard's behaviour.
        public static let disabled = Keepalive(interval: nil, timeout: 0)

        /// A ping every `interval` seconds; no pong within `timeout` seconds fails the connection.
        public static func enabled(interval: TimeInterval, timeout: TimeInterval = 10) -> Keepalive {
            Keepalive(interval: interval, timeout: timeout)
        }
    }

    /// TLS settings for `wss:` connections.
    public struct TLSOptions: Sendable {
        /// Certificate checking, on by default: the chain must lead to a trusted root and name the host.
        public enum Verification: Sendable, Hashable {
            /// Verify the chain and the host name (the default, and what browsers do).
            case full
            /// Verify the chain but not the host name.
            case skipHostnameCheck
            /// Accept any certificate. Only for tests: it makes TLS useless against an attacker.
            case insecureNoVerification
        }

        /// Roots trusted in addition to the system's, as PEM text.
        public var additionalTrustRootsPEM: [String] = []
        /// A client certificate chain (PEM, leaf first) and its private key (PEM), for servers
        /// that ask for one.
        public var clientCertificate: (chainPEM: String, privateKeyPEM: String)?
        /// How the server's certificate is checked. Default `.full`.
        public var verification = Verification.full

        /// Settings with every default.
        public init() {}
    }
}
