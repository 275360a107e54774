public import Foundation

/// The error the standard's algorithms throw (Web IDL § DOMException).
///
/// The WHATWG WebSockets Standard throws a "`SyntaxError`" `DOMException` for a bad URL, protocol
/// list or close reason, an "`InvalidAccessError`" for a bad close code and an
/// "`InvalidStateError`" for `send()` while connecting (§3.1). Swift throws it typed
/// (`throws(DOMException)`) so a caller can switch on ``name`` exactly as script compares
/// `error.name`.
///
/// ```swift
/// do {
///     try socket.close(code: 1001)
/// } catch {
///     print(error.name)  // .invalidAccessError, rawValue "InvalidAccessError"
/// }
/// ```
public struct DOMException: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The exception's name, one of Web IDL's error names (Web IDL § DOMException names).
    public let name: Name

    /// A human-readable explanation of what was wrong; not meant for matching.
    public let message: String

    /// Creates an exception with the given name and message.
    ///
    /// Mirrors `new DOMException(message, name)` with the arguments in the order a Swift caller reads
    /// best: what kind of error first, then the detail.
    public init(_ name: Name, _ message: String) {
        self.name = name
        self.message = message
    }

    /// Creates an exception with the given name and message.
    public init(name: Name, message: String) {
        self.init(name, message)
    }

    /// The legacy numeric code of ``name`` (Web IDL § DOMException names, "legacy code"),
    /// kept because old code compares `error.code == DOMException.SYNTAX_ERR`.
    ///
    /// Zero for names that never had one.
    public var code: UInt16 { name.code }

    /// `"<name>: <message>"`, the shape browsers print for an uncaught `DOMException`.
    public var description: String {
        message.isEmpty ? name.rawValue : "\(name.rawValue): \(message)"
    }

    /// The same text as ``description``, so Foundation's `localizedDescription` says what was wrong
    /// instead of a generic "The operation could not be completed".
    public var errorDescription: String? { description }
}

extension DOMException {
    /// Web IDL's error names that this library throws, or that a Swift user of the web's APIs is
    /// likely to meet (Web IDL § DOMException names).
    ///
    /// The raw value is the standard's name exactly, e.g. `"SyntaxError"`.
    public enum Name: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The string did not match the expected pattern (legacy code 12, `SYNTAX_ERR`).
        case syntaxError = "SyntaxError"
        /// The object is in an invalid state (legacy code 11, `INVALID_STATE_ERR`).
        case invalidStateError = "InvalidStateError"
        /// The object does not support the operation or argument (legacy code 15, `INVALID_ACCESS_ERR`).
        case invalidAccessError = "InvalidAccessError"
        /// The operation is not supported (legacy code 9, `NOT_SUPPORTED_ERR`).
        case notSupportedError = "NotSupportedError"
        /// The object can not be found here (legacy code 8, `NOT_FOUND_ERR`).
        case notFoundError = "NotFoundError"
        /// The operation is insecure (legacy code 18, `SECURITY_ERR`).
        case securityError = "SecurityError"
        /// A network error occurred (legacy code 19, `NETWORK_ERR`).
        case networkError = "NetworkError"
        /// The operation was aborted (legacy code 20, `ABORT_ERR`).
        case abortError = "AbortError"
        /// The operation timed out (legacy code 23, `TIMEOUT_ERR`).
        case timeoutError = "TimeoutError"
        /// An encoding or decoding operation failed (no legacy code).
        case encodingError = "EncodingError"
        /// The I/O read operation failed (no legacy code).
        case notReadableError = "NotReadableError"
        /// The operation failed for an operation-specific reason (no legacy code).
        case operationError = "OperationError"
        /// The request is not allowed by the user agent or the platform in the current context
        /// (no legacy code).
        case notAllowedError = "NotAllowedError"

        /// The legacy numeric code Web IDL assigns to this name, or 0 if it has none.
        public var code: UInt16 {
            switch self {
            case .notSupportedError: 9
            case .notFoundError: 8
            case .invalidStateError: 11
            case .syntaxError: 12
            case .invalidAccessError: 15
            case .securityError: 18
            case .networkError: 19
            case .abortError: 20
            case .timeoutError: 23
            case .encodingError, .notReadableError, .operationError, .notAllowedError: 0
            }
        }

        /// The standard's name, e.g. `"SyntaxError"`.
        public var description: String { rawValue }
    }
}
