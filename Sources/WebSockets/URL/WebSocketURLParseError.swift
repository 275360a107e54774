extension WebSocketURL {
    /// Why a string is not a URL a `WebSocket` can connect to.
    ///
    /// The `WebSocket` constructor throws every one of these as a "`SyntaxError`" `DOMException`
    /// (WHATWG WebSockets §3.1, constructor steps 3–6); ``description`` is the message it carries.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The URL parser returned failure (URL Standard §4.4); `reason` names the standard's
        /// validation error and says what was wrong, e.g. "port-out-of-range: port 65536 is
        /// greater than 65535".
        case invalidURL(input: String, reason: String)

        /// The input has no scheme, so it is a relative URL, and there is no base URL to resolve it
        /// against (or the base URL can not have relative URLs, like `mailto:x`).
        case relativeURLWithoutBase(input: String)

        /// The base URL given to resolve a relative URL is itself not a valid URL.
        case invalidBaseURL(String, reason: String)

        /// The URL parsed, but its scheme is none of `ws`, `wss`, `http` and `https`.
        case unsupportedScheme(String)

        /// The URL has a fragment. Even an empty one (`ws://host/#`) is rejected, since the standard
        /// checks that the fragment is non-null, not that it is non-empty.
        case fragmentNotAllowed(input: String)

        /// A message for a person, naming the input and what is wrong with it.
        public var description: String {
            switch self {
            case .invalidURL(let input, let reason):
                "The URL \"\(input)\" is invalid: \(reason)."
            case .relativeURLWithoutBase(let input):
                "The URL \"\(input)\" is relative (it has no scheme) and there is no base URL to resolve it against."
            case .invalidBaseURL(let base, let reason):
                "The base URL \"\(base)\" is invalid: \(reason)."
            case .unsupportedScheme(let scheme):
                "The URL's scheme \"\(scheme)\" is not supported: a WebSocket URL must use ws:, wss:, http: or https:."
            case .fragmentNotAllowed(let input):
                "The URL \"\(input)\" contains a fragment (\"#\"), which WebSocket URLs must not have."
            }
        }
    }
}
