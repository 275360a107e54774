extension WebSocketURL.Parser {
    /// The path start, path and opaque path states (URL Standard §4.4): split the path into
    /// segments, resolve `.` and `..` (also written `%2e`), percent-encode with the path
    /// percent-encode set.
    mutating func pathStep() {
        switch state {
        case .pathStart:
            if url.isSpecial {
                state = .path
                if c != "/" && c != "\\" { pointer -= 1 }
            } else if !startsQueryOrFragment(), c != nil {
                state = .path
                if c != "/" { pointer -= 1 }
            }

        case .path:
            if c == nil || c == "/" || isSpecialBackslash || c == "?" || c == "#" {
                let endsInSlash = c == "/" || isSpecialBackslash
                if Self.isDoubleDotSegment(buffer) {
                    url.shortenPath()
                    // "/a/.." is "/": a trailing ".." still leaves an empty last segment.
                    if !endsInSlash { url.appendPathSegment("") }
                } else if Self.isSingleDotSegment(buffer) {
                    if !endsInSlash { url.appendPathSegment("") }
                } else {
                    if url.scheme == "file", url.pathSegments.isEmpty, WebSocketURL.Record.isWindowsDriveLetter(buffer) {
                        // "C|" is written "C:" (the platform-independent Windows drive letter quirk).
                        buffer = String(buffer.prefix(1)) + ":"
                    }
                    url.appendPathSegment(buffer)
                }
                buffer = ""
                _ = startsQueryOrFragment()
            } else if let c {
                WebSocketURL.percentEncode(c, .path, into: &buffer)
            }

        case .opaquePath:
            guard case .opaque(var path) = url.path else { return }
            if startsQueryOrFragment() {
                // The state changed; nothing more for this code point.
            } else if c == " " {
                // A space before "?" or "#" is escaped so that serialising and reparsing keeps it.
                path += remainingStarts(with: "?") || remainingStarts(with: "#") ? "%20" : " "
            } else if let c {
                WebSocketURL.percentEncode(c, .c0Control, into: &path)
            }
            url.path = .opaque(path)

        default:
            preconditionFailure("pathStep() called in \(state)")
        }
    }

    /// The step several states share (URL Standard §4.4): "?" starts the query, "#" the
    /// fragment. Returns whether `c` was one of them.
    mutating func startsQueryOrFragment() -> Bool {
        switch c {
        case "?":
            url.query = ""
            state = .query
        case "#":
            url.fragment = ""
            state = .fragment
        default:
            return false
        }
        return true
    }

    /// "Single-dot URL path segment": `.` or `%2e`, in any case.
    static func isSingleDotSegment(_ segment: String) -> Bool {
        let lower = segment.lowercased()
        return lower == "." || lower == "%2e"
    }

    /// "Double-dot URL path segment": `..` with either dot possibly written `%2e`, in any case.
    static func isDoubleDotSegment(_ segment: String) -> Bool {
        ["..", ".%2e", "%2e.", "%2e%2e"].contains(segment.lowercased())
    }
}
