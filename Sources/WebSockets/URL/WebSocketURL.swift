public import Foundation

/// A URL a `WebSocket` can connect to: parsed by the WHATWG URL Standard's basic URL parser and
/// checked by the `WebSocket` constructor's steps (WHATWG WebSockets §3.1), so its scheme is `ws`
/// or `wss` and it has no fragment.
///
/// ```swift
/// let url = try WebSocketURL(parsing: "HTTPS://Example.com:443/chat/../room?id=7")
/// url.serialized    // "wss://example.com/room?id=7"
/// url.resourceName  // "/room?id=7"
/// url.effectivePort // 443
/// ```
///
/// Parsing follows the URL Standard (§4.4 "URL parsing") rather than RFC 3986, which is what
/// Foundation's `URL` implements: leading and trailing spaces and controls are stripped, tabs and
/// newlines removed, `\` read as `/`, hosts lower-cased and percent-decoded, IPv4 addresses in
/// any of their legacy forms (`0x7f.1`) normalised, IPv6 addresses compressed, `.` and `..`
/// segments resolved and the rest percent-encoded, exactly as a browser does for `new WebSocket(url)`.
///
/// International domain names go through UTS #46 ToASCII as the URL Standard sets it up (the full
/// IDNA mapping table of Unicode 18.0, NFC, Punycode, and the joiner and Bidi rules), so `faß.de`
/// becomes `xn--fa-hia.de` and `ws://a\u{200D}b/` is rejected. A browser whose IDNA tables are of an
/// older Unicode version can differ on code points the table has changed since.
public struct WebSocketURL: Sendable, Hashable, CustomStringConvertible {
    /// The parsed URL record; its scheme is "ws" or "wss" and its fragment nil.
    let record: Record

    /// Parses `string` as the `WebSocket` constructor does (WHATWG WebSockets §3.1 steps 2–6).
    ///
    /// The string is parsed with the URL Standard's parser, relative to `baseURL` if it has no
    /// scheme (`/chat`, `//host/chat`, `?room=1`); then `http` becomes `ws` and `https` becomes `wss`.
    ///
    /// - Parameters:
    ///   - string: The URL as a page would pass it to `new WebSocket(url)`.
    ///   - baseURL: What relative URLs are resolved against, the analogue of the document's base URL.
    ///     Its `absoluteString` is parsed with the same parser.
    /// - Throws: ``ParseError`` if the string is not a URL, is relative without a base, has a scheme
    ///   other than `ws`, `wss`, `http` and `https`, or has a fragment (even an empty one).
    public init(parsing string: String, baseURL: URL? = nil) throws(ParseError) {
        var base: Record?
        if let baseURL {
            let baseString = baseURL.absoluteString
            do throws(ValidationError) {
                base = try Parser.parse(baseString)
            } catch {
                // A broken base only matters to an input that needs one.
                do throws(ParseError) {
                    try self.init(parsing: string, base: nil)
                    return
                } catch .relativeURLWithoutBase {
                    throw .invalidBaseURL(baseString, reason: error.description)
                }
            }
        }
        try self.init(parsing: string, base: base)
    }

    /// Parses `string` against an already parsed base (constructor steps 2–6).
    init(parsing string: String, base: Record?) throws(ParseError) {
        var record: Record
        do throws(ValidationError) {
            record = try Parser.parse(string, base: base)
        } catch .missingSchemeNonRelativeURL {
            throw .relativeURLWithoutBase(input: string)
        } catch {
            throw .invalidURL(input: string, reason: error.description)
        }
        // Step 4: the http(s) schemes are accepted as aliases; only the record's scheme changes,
        // and the default ports of http/ws and https/wss are the same.
        switch record.scheme {
        case "http": record.scheme = "ws"
        case "https": record.scheme = "wss"
        case "ws", "wss": break
        default: throw .unsupportedScheme(record.scheme)
        }
        // Step 6: a fragment has no meaning for a WebSocket, and "non-null" includes "#" alone.
        guard record.fragment == nil else { throw .fragmentNotAllowed(input: string) }
        self.record = record
    }

    /// Applies the `WebSocket` constructor's URL steps (WHATWG WebSockets §3.1 steps 2–6) to
    /// `string`: the entry point the constructor uses, mapping a thrown ``ParseError`` to a
    /// "`SyntaxError`" `DOMException` with the error's description as message.
    ///
    /// Same as ``init(parsing:baseURL:)``.
    public static func forWebSocket(_ string: String, baseURL: URL?) throws(ParseError) -> WebSocketURL {
        try WebSocketURL(parsing: string, baseURL: baseURL)
    }

    /// `"ws"` or `"wss"` (after mapping `http` and `https`), without the colon.
    public var scheme: String { record.scheme }

    /// The percent-encoded username, empty if there is none. Part of ``serialized``; `WebSocket`
    /// and `WebSocketStream` send it, with ``password``, percent-decoded in an
    /// `Authorization: Basic` field (see `WebSocket.Options`).
    public var username: String { record.username }

    /// The percent-encoded password, empty if there is none (see ``username``).
    public var password: String { record.password }

    /// The serialised host: a lower-case ASCII domain (non-ASCII labels in `xn--` punycode), a
    /// dotted IPv4 address, or a compressed IPv6 address in brackets (`[::1]`).
    public var host: String { record.host?.serialized ?? "" }

    /// The host as a name resolver or socket address takes it: ``host`` with an IPv6 address's
    /// brackets removed.
    public var connectionHost: String {
        if case .ipv6(let pieces) = record.host { return URLHost.serializeIPv6(pieces) }
        return host
    }

    /// The port written in the URL, or nil when it was absent or the scheme's default
    /// (80 for `ws`, 443 for `wss`).
    public var port: Int? { record.port }

    /// The port to connect to: ``port``, or the scheme's default port.
    public var effectivePort: Int { record.port ?? (isSecure ? 443 : 80) }

    /// Whether the connection uses TLS: true for `wss` (and so for `https` input). WHATWG
    /// WebSockets §2.1 "obtain a WebSocket connection": secure unless the scheme is `http`/`ws`.
    public var isSecure: Bool { record.scheme == "wss" }

    /// ``host`` followed by `:` and ``port`` when there is one: the value of the handshake's `Host`
    /// header field (RFC 6455 §4.1, which leaves out default ports).
    public var authority: String {
        record.port.map { host + ":" + String($0) } ?? host
    }

    /// The serialised path, at least `/`, percent-encoded (URL Standard §4.5 "URL path serializer").
    public var path: String { record.serializedPath }

    /// The percent-encoded query without its `?`, or nil when the URL has no `?` at all; empty for
    /// `ws://host/?`.
    public var query: String? { record.query }

    /// The resource name of WHATWG WebSockets §2.1 "obtain a WebSocket connection": `/`, the path
    /// segments joined by `/`, then `?` and the query only if the query is non-empty — so
    /// `ws://host/?` gives `/`. The request target of the opening handshake.
    public var resourceName: String {
        var name = "/" + record.pathSegments.joined(separator: "/")
        if let query = record.query, !query.isEmpty { name += "?" + query }
        return name
    }

    /// The URL serializer's output (URL Standard §4.5), e.g. `ws://example.com/chat?x=1`: what the
    /// `WebSocket.url` attribute returns.
    public var serialized: String { record.serialized() }

    /// The serialisation of the URL's origin (HTML § "Origins"): `scheme://host`, plus `:port` when
    /// it is not the default. The `origin` of the `MessageEvent`s the socket dispatches.
    public var origin: String { record.scheme + "://" + authority }

    /// The same as ``serialized``.
    public var description: String { serialized }
}
