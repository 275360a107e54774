/// The error a ``WebSocketStream`` or a server's ``WebSocketConnection`` reports when the
/// connection did not close cleanly, and the reason a caller may give to
/// ``WebSocketStream/Readable/cancel(_:)`` or ``WebSocketStream/Writable/abort(_:)`` to close
/// with a code (the WebSocketStream proposal's `WebSocketError`, a `DOMException` there).
///
/// ```swift
/// do {
///     let info = try await stream.closed
/// } catch let error as WebSocketError {
///     print(error.closeCode as Any, error.reason)   // 1006 "" when TCP was lost
/// }
/// ```
public struct WebSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Always `"WebSocketError"`, as the proposal's `name`.
    public var name: String { "WebSocketError" }
    /// What happened, for people; not meant for matching.
    public let message: String
    /// The connection's close code: the peer's, or 1006 when no Close frame arrived.
    public let closeCode: UInt16?
    /// The connection's close reason.
    public let reason: String

    /// The `new WebSocketError(message, init)` constructor steps: validates the code and
    /// reason as `close` does; a reason without a code sets 1000.
    ///
    /// - Throws: `InvalidAccessError` for a code other than 1000 or 3000–4999; `SyntaxError` for
    ///   a reason longer than 123 bytes of UTF-8.
    public init(_ message: String = "", closeCode: UInt16? = nil, reason: String = "") throws(DOMException) {
        let request = try CloseRequest(code: closeCode, reason: reason)
        self.init(message: message, code: request.code?.rawValue, reason: request.reason)
    }

    /// An error the library reports, whose code may be one a caller may not send (1006, 1001, …).
    init(message: String, code: UInt16?, reason: String) {
        self.message = message
        self.closeCode = code
        self.reason = reason
    }

    /// `"WebSocketError: <message>"` and the code and reason.
    public var description: String {
        var text = message.isEmpty ? name : "\(name): \(message)"
        if let closeCode { text += " (code \(closeCode)" + (reason.isEmpty ? ")" : ", reason \"\(reason)\")") }
        return text
    }
}
