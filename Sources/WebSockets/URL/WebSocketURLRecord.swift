extension WebSocketURL {
    /// A URL record (URL Standard §4.1 "URLs"): what the basic URL parser produces, for any scheme.
    ///
    /// ``WebSocketURL`` wraps one whose scheme is `ws` or `wss` and whose fragment is nil; the
    /// record itself is general so that other schemes, and base URLs of any scheme, parse as the
    /// standard says before the WebSocket constructor rejects them.
    struct Record: Sendable, Hashable {
        /// An ASCII lower-case scheme, without the colon.
        var scheme = ""
        /// Percent-encoded username, possibly empty.
        var username = ""
        /// Percent-encoded password, possibly empty.
        var password = ""
        /// Nil for URLs without an authority (`mailto:x`); an empty host exists (`file:///`).
        var host: URLHost?
        /// Nil when absent or equal to the scheme's default port.
        var port: Int?
        var path: Path = .segments([])
        var query: String?
        var fragment: String?

        /// A URL's path (§4.1): a list of segments, or an opaque string for URLs like `mailto:x`.
        enum Path: Sendable, Hashable {
            case segments([String])
            case opaque(String)
        }

        /// Whether the scheme is special (§4.1 "special scheme"), which changes how the parser treats
        /// `\`, hosts and queries.
        var isSpecial: Bool {
            switch scheme {
            case "ftp", "file", "http", "https", "ws", "wss": true
            default: false
            }
        }

        /// The special scheme's default port (§4.1 "default port"); `file` and others have none.
        var defaultPort: Int? {
            switch scheme {
            case "ftp": 21
            case "http", "ws": 80
            case "https", "wss": 443
            default: nil
            }
        }

        /// "Includes credentials" (§4.1).
        var includesCredentials: Bool { !username.isEmpty || !password.isEmpty }

        var hasOpaquePath: Bool {
            if case .opaque = path { true } else { false }
        }

        /// The path segments, empty for an opaque path.
        var pathSegments: [String] {
            if case .segments(let segments) = path { segments } else { [] }
        }

        /// "URL path serializer" (§4.5): the opaque path, or "/" before each segment.
        var serializedPath: String {
            switch path {
            case .opaque(let string): string
            case .segments(let segments): segments.map { "/" + $0 }.joined()
            }
        }

        /// "URL serializer" (§4.5).
        func serialized(excludingFragment: Bool = false) -> String {
            var output = scheme + ":"
            if let host {
                output += "//"
                if includesCredentials {
                    output += username
                    if !password.isEmpty { output += ":" + password }
                    output += "@"
                }
                output += host.serialized
                if let port { output += ":" + String(port) }
            } else if case .segments(let segments) = path, segments.count > 1, segments[0].isEmpty {
                // Keeps "web+demo:/.//not-a-host/" from reparsing with "not-a-host" as its host.
                output += "/."
            }
            output += serializedPath
            if let query { output += "?" + query }
            if !excludingFragment, let fragment { output += "#" + fragment }
            return output
        }

        /// "Shorten a url's path" (§4.4): drop the last segment, except a lone normalized Windows
        /// drive letter of a `file:` URL.
        mutating func shortenPath() {
            guard case .segments(var segments) = path else { return }
            if scheme == "file", segments.count == 1, Self.isNormalizedWindowsDriveLetter(segments[0]) { return }
            if !segments.isEmpty { segments.removeLast() }
            path = .segments(segments)
        }

        mutating func appendPathSegment(_ segment: String) {
            guard case .segments(var segments) = path else { return }
            segments.append(segment)
            path = .segments(segments)
        }

        /// "Windows drive letter" (§4.2): an ASCII letter then `:` or `|`.
        static func isWindowsDriveLetter<S: StringProtocol>(_ string: S) -> Bool {
            let scalars = Array(string.unicodeScalars)
            return scalars.count == 2 && CodePoint.isASCIIAlpha(scalars[0]) && (scalars[1] == ":" || scalars[1] == "|")
        }

        /// "Normalized Windows drive letter" (§4.2): an ASCII letter then `:`.
        static func isNormalizedWindowsDriveLetter(_ string: String) -> Bool {
            isWindowsDriveLetter(string) && string.unicodeScalars.last == ":"
        }

        /// "Starts with a Windows drive letter" (§4.2), for the code points from `start` on.
        static func startsWithWindowsDriveLetter(_ input: [Unicode.Scalar], at start: Int) -> Bool {
            guard start >= 0, input.count - start >= 2 else { return false }
            let first = input[start]
            let second = input[start + 1]
            guard CodePoint.isASCIIAlpha(first), second == ":" || second == "|" else { return false }
            if input.count - start == 2 { return true }
            return ["/", "\\", "?", "#"].contains(input[start + 2])
        }
    }
}
