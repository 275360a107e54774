/// A proxy URL, checked: how to reach the proxy and how to ask it for a tunnel (see
/// ``WebSocket/Proxy`` for the forms accepted).
struct ProxyURL: Sendable, Hashable {
    /// How the proxy is asked for a tunnel.
    enum Kind: Sendable, Hashable {
        /// HTTP `CONNECT` (RFC 9110 §9.3.6).
        case httpConnect
        /// SOCKS5 `CONNECT` (RFC 1928 §4); `resolvesOriginLocally` for `socks5:`, whose proxy
        /// is given an address, not for `socks5h:`, whose proxy is given the host name.
        case socks5(resolvesOriginLocally: Bool)
    }

    /// Percent-decoded credentials for `Proxy-Authorization: Basic` (RFC 7617).
    struct Credentials: Sendable, Hashable {
        var username: String
        var password: String
    }

    let kind: Kind
    /// The host as a name resolver or socket address takes it (an IPv6 address without brackets).
    let host: String
    let port: Int
    let credentials: Credentials?

    /// The proxy `choice` names for a connection to `url`, or nil to connect directly.
    ///
    /// - Parameter environment: What ``WebSocket/Proxy/environment`` reads.
    static func chosen(
        by choice: WebSocket.Proxy, for url: WebSocketURL, environment: [String: String]
    ) throws(WebSocket.Failure) -> ProxyURL? {
        switch choice {
        case .none: return nil
        case .url(let string): return try ProxyURL(parsing: string)
        case .environment:
            guard let string = WebSocket.Proxy.environmentProxy(for: url, in: environment) else { return nil }
            return try ProxyURL(parsing: string)
        }
    }

    /// Checks `string` as a proxy URL; one without `://` is taken as `http://` + `string`, as curl does.
    ///
    /// - Throws: ``WebSocket/Failure/invalidProxy(_:)`` saying what is wrong or unsupported.
    init(parsing string: String) throws(WebSocket.Failure) {
        let input = string.contains("://") ? string : "http://" + string
        let record: WebSocketURL.Record
        do throws(WebSocketURL.ValidationError) {
            record = try WebSocketURL.Parser.parse(input)
        } catch {
            throw .invalidProxy("\(string) is not a URL: \(error)")
        }
        switch record.scheme {
        case "http": kind = .httpConnect
        case "socks5": kind = .socks5(resolvesOriginLocally: true)
        case "socks5h": kind = .socks5(resolvesOriginLocally: false)
        case "https": throw .invalidProxy("\(string): https:// proxies (TLS to the proxy) are not supported")
        default: throw .invalidProxy("\(string): the scheme \(record.scheme) is not supported")
        }
        guard ["", "/"].contains(record.serializedPath), record.query?.isEmpty ?? true, record.fragment?.isEmpty ?? true else {
            throw .invalidProxy("\(string): a proxy URL has no path, query or fragment")
        }
        host = try Self.connectionHost(record, string)
        port = record.port ?? (kind == .httpConnect ? 80 : 1080)
        if record.includesCredentials {
            guard kind == .httpConnect else {
                throw .invalidProxy("\(string): SOCKS5 username/password authentication (RFC 1929) is not supported")
            }
            guard let username = String(validating: WebSocketURL.percentDecode(record.username), as: UTF8.self),
                let password = String(validating: WebSocketURL.percentDecode(record.password), as: UTF8.self)
            else { throw .invalidProxy("\(string): the credentials are not UTF-8 once percent-decoded") }
            credentials = Credentials(username: username, password: password)
        } else {
            credentials = nil
        }
    }

    /// The record's host as a socket address or resolver takes it. SOCKS URLs are not special, so
    /// the URL parser leaves their host opaque: it is parsed here as an `http:` host would be.
    private static func connectionHost(_ record: WebSocketURL.Record, _ string: String) throws(WebSocket.Failure) -> String {
        var host = record.host
        if case .opaque(let opaque) = host {
            do throws(URLHost.Failure) {
                host = try URLHost.parse(opaque, isOpaque: false)
            } catch {
                throw .invalidProxy("\(string): invalid host: \(error)")
            }
        }
        guard let host, host != .empty else { throw .invalidProxy("\(string): no host") }
        if case .ipv6(let pieces) = host { return URLHost.serializeIPv6(pieces) }
        return host.serialized
    }
}
