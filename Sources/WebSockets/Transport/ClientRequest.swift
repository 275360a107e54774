import WebSocketCore

/// The constructor steps `WebSocket` and `WebSocketStream` share (WHATWG WebSockets §3.1, the
/// WebSocketStream constructor): the URL record and the opening handshake to send, with the
/// credentials the request's credentials mode "include" calls for (WHATWG WebSockets §2.1).
struct ClientRequest: Sendable {
    let url: WebSocketURL
    let handshake: ClientHandshake
    /// Where the response's cookies go; nil when ``WebSocket/Options/cookieStorage`` is.
    let cookies: HandshakeCookies?

    /// - Throws: `SyntaxError` for a URL that does not parse, has a scheme other than `ws`,
    ///   `wss`, `http` or `https`, or has a fragment; for a protocol that is not a token or is
    ///   listed twice.
    init(_ url: String, protocols: [String], options: WebSocket.Options) throws(DOMException) {
        do {
            self.url = try WebSocketURL.forWebSocket(url, baseURL: options.baseURL)
        } catch {
            throw DOMException(.syntaxError, "Invalid WebSocket URL '\(url)': \(error)")
        }
        var headers = options.headers
        if let origin = options.origin { headers.add(name: "Origin", value: origin) }
        // Fetch would send URL credentials only after a 401 (its "authentication fetch"); they go
        // up front instead, as python-websockets and Node's ws send them: the handshake never
        // follows a redirect, so they can only reach the URL's own host, and a retry would cost
        // a round trip and a second TCP connection. Fields the caller set win.
        if !headers.contains(name: "Authorization"), let authorization = self.url.basicAuthorization {
            headers.add(name: "Authorization", value: authorization)
        }
        let record = self.url
        cookies = options.cookieStorage.flatMap { HandshakeCookies(storage: $0, for: record) }
        if !headers.contains(name: "Cookie"), let cookie = cookies?.requestField() {
            headers.add(name: "Cookie", value: cookie)
        }
        do {
            handshake = try ClientHandshake(
                host: self.url.connectionHost, port: self.url.effectivePort, secure: self.url.isSecure,
                resourceName: self.url.resourceName, protocols: protocols,
                extensions: options.perMessageDeflate.map { [$0.offer] } ?? [], extraHeaders: headers)
        } catch {
            throw DOMException(.syntaxError, error.description)
        }
    }
}
