extension WebSocket {
    /// Which proxy, if any, the connection goes through (RFC 6455 §4.1: "the client SHOULD connect to
    /// that proxy and ask it to open a TCP connection to the host given by /host/ and the port
    /// given by /port/").
    ///
    /// The `Host` header, the resource name and, for `wss:`, TLS with its server name and
    /// certificate check stay the origin server's: TLS runs inside the tunnel, so the proxy sees
    /// only encrypted bytes. ``Options/connectTimeout`` covers connecting to the proxy and opening
    /// the tunnel. A ``Options/unixSocketPath`` is never proxied.
    ///
    /// Proxy URLs take these forms:
    ///
    /// - `http://[user:password@]host[:port]`: an HTTP proxy that opens the tunnel with `CONNECT`
    ///   (RFC 9110 §9.3.6); port 80 by default. Credentials are percent-decoded and sent as
    ///   `Proxy-Authorization: Basic` (RFC 7617).
    /// - `socks5://host[:port]`: a SOCKS5 proxy (RFC 1928); port 1080 by default. The origin's host
    ///   name is resolved here and the proxy is given its address.
    /// - `socks5h://host[:port]`: the same, but the proxy is given the host name and resolves it.
    ///
    /// A URL without `://` is taken as `http://` followed by it (`proxy.example:3128`), as curl does.
    ///
    /// Not supported, failing the connection with ``Failure/invalidProxy(_:)``: `https://` proxies
    /// (TLS to the proxy itself), SOCKS5 username/password authentication (RFC 1929; NIOSOCKS
    /// offers only "no authentication"), SOCKS4, and any other scheme. A URL with a path other than
    /// `/`, a query or a fragment is refused too.
    public enum Proxy: Sendable, Hashable {
        /// The proxy the environment names, as python-websockets (`urllib.request.getproxies`)
        /// and curl read it when the connection starts: for `wss:` URLs the first of `wss_proxy`,
        /// `socks_proxy`, `https_proxy`, `all_proxy` that is set; for `ws:` URLs the first of
        /// `ws_proxy`, `socks_proxy`, `https_proxy`, `http_proxy`, `all_proxy`. SOCKS comes first
        /// and the HTTPS proxy before the HTTP one because RFC 6455 §4.1 encourages clients
        /// without a WebSocket-specific setting to prefer them.
        ///
        /// Each name is looked up in lower case, then upper case; a lower-case variable that is
        /// set but empty hides the upper-case one. `HTTP_PROXY` is ignored when `REQUEST_METHOD`
        /// is set, as a CGI program may have it from a request's `Proxy` header ("httpoxy"). A
        /// `socks_proxy` without a scheme or with `http://` means `socks5h://`; any other value
        /// without a scheme means `http://`.
        ///
        /// `no_proxy` (or `NO_PROXY`) lists, separated by commas, the origins to reach directly:
        /// `*` for all, host names (which also match their subdomains, with or without a leading
        /// `.`), IP addresses, and any of these followed by `:port` to match that port only
        /// (`[…]` around an IPv6 address then). Address ranges (CIDR) are not supported.
        case environment
        /// No proxy, whatever the environment says.
        case none
        /// This proxy URL (see ``Proxy`` for the forms it takes), for every origin: `no_proxy`
        /// does not apply.
        case url(String)
    }
}
