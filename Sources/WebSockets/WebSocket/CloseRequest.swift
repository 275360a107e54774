import WebSocketCore

/// A close code and reason that passed the standard's "validate close code and reason", and
/// what the Close frame then carries — shared by `WebSocket.close`, `WebSocketStream.close`,
/// `WebSocketError` and the server's connections.
struct CloseRequest: Sendable, Hashable {
    /// The code to send; `nil` sends a Close frame without a body.
    let code: CloseCode?
    /// The reason to send after the code.
    let reason: String

    /// WHATWG WebSockets "validate close code and reason", then "close the WebSocket": a
    /// non-empty reason without a code sends 1000.
    ///
    /// - Throws: `InvalidAccessError` for a code other than 1000 or 3000–4999; `SyntaxError` for
    ///   a reason longer than 123 bytes of UTF-8.
    init(code: UInt16?, reason: String?) throws(DOMException) {
        if let code, code != 1000, !(3000...4999).contains(code) {
            throw DOMException(.invalidAccessError, "The close code must be 1000 or between 3000 and 4999; \(code) is neither.")
        }
        let reason = reason ?? ""
        if reason.utf8.count > 123 {
            throw DOMException(.syntaxError, "The close reason must be at most 123 bytes of UTF-8; it is \(reason.utf8.count).")
        }
        self.code = code.map(CloseCode.init(rawValue:)) ?? (reason.isEmpty ? nil : .normalClosure)
        self.reason = reason
    }

    /// A request the library makes itself (1001 on shutdown, 1011 for a handler that threw),
    /// which may use codes a script may not.
    init(trusted code: CloseCode?, reason: String = "") {
        self.code = code
        self.reason = reason
    }
}
