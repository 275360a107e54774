import WebSocketCore

/// The constructor steps `WebSocket` and `WebSocketStream` share (WHATWG WebSockets §3.1, the
/// WebSocketStream constructor): the URL record and the opening handshake to send.
struct ClientRequest: Sendable {
    let url: WebSocketURL
    let handshake: ClientHandshake

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
