#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension WebSocket.Proxy {
    /// The process's variables ``environmentProxy(for:in:)`` reads, and only those: copying the
    /// whole environment for every connection costs more than the rest of a connect's set-up.
    static var processEnvironment: [String: String] {
        var environment: [String: String] = [:]
        for name in variableNames {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }

    /// The names ``processEnvironment`` reads, spelt out once rather than for every connection.
    private static let variableNames = ["no", "wss", "ws", "socks", "https", "http", "all"]
        .flatMap { [$0 + "_proxy", $0.uppercased() + "_PROXY"] } + ["REQUEST_METHOD"]

    /// The proxy URL ``environment`` picks for `url` from `environment` (the process's, at connect
    /// time), or nil to connect directly; see ``environment`` for the rules. Pure, so that tests
    /// need not change the process's environment.
    static func environmentProxy(for url: WebSocketURL, in environment: [String: String]) -> String? {
        if let noProxy = variable("no", in: environment),
            NoProxyList(noProxy).contains(host: url.connectionHost, port: url.effectivePort)
        {
            return nil
        }
        // RFC 6455 §4.1: prefer a SOCKS5 proxy, then the one for HTTPS over the one for HTTP.
        let names = url.isSecure ? ["wss", "socks", "https", "all"] : ["ws", "socks", "https", "http", "all"]
        for name in names {
            guard let value = variable(name, in: environment) else { continue }
            return name == "socks" ? socksURL(value) : value
        }
        return nil
    }

    /// `name_proxy`, else `NAME_PROXY`, as urllib's `getproxies_environment` reads them: a
    /// lower-case variable that is set but empty hides the upper-case one.
    private static func variable(_ name: String, in environment: [String: String]) -> String? {
        if let value = environment[name + "_proxy"] { return value.isEmpty ? nil : value }
        // "httpoxy": a CGI program gets a request's `Proxy` header as HTTP_PROXY.
        if name == "http", environment["REQUEST_METHOD"] != nil { return nil }
        guard let value = environment[name.uppercased() + "_PROXY"], !value.isEmpty else { return nil }
        return value
    }

    /// `socks_proxy` names a SOCKS proxy even when written as `http://host:port` (as desktop
    /// settings export it) or as `host:port`; python-websockets reads both as `socks5h:`.
    private static func socksURL(_ value: String) -> String {
        if value.hasPrefix("http://") { return "socks5h://" + value.dropFirst("http://".count) }
        return value.contains("://") ? value : "socks5h://" + value
    }
}
