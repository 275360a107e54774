extension WebSocketURL.Parser {
    /// The file, file slash and file host states (URL Standard §4.4). A WebSocket never takes a
    /// `file:` URL, but a relative URL resolved against a `file:` base must still parse as the
    /// standard says before the constructor rejects its scheme.
    mutating func fileStep() throws(WebSocketURL.ValidationError) {
        typealias Record = WebSocketURL.Record
        switch state {
        case .file:
            url.scheme = "file"
            url.host = .empty
            if c == "/" || c == "\\" {
                state = .fileSlash
            } else if let base, base.scheme == "file" {
                url.host = base.host
                url.path = base.path
                url.query = base.query
                if !startsQueryOrFragment(), c != nil {
                    url.query = nil
                    if !Record.startsWithWindowsDriveLetter(input, at: pointer) {
                        url.shortenPath()
                    } else {
                        url.path = .segments([])
                    }
                    state = .path
                    pointer -= 1
                }
            } else {
                state = .path
                pointer -= 1
            }

        case .fileSlash:
            if c == "/" || c == "\\" {
                state = .fileHost
            } else {
                if let base, base.scheme == "file" {
                    url.host = base.host
                    if !Record.startsWithWindowsDriveLetter(input, at: pointer),
                        let first = base.pathSegments.first, Record.isNormalizedWindowsDriveLetter(first)
                    {
                        url.appendPathSegment(first)
                    }
                }
                state = .path
                pointer -= 1
            }

        case .fileHost:
            if c == nil || c == "/" || c == "\\" || c == "?" || c == "#" {
                pointer -= 1
                if Record.isWindowsDriveLetter(buffer) {
                    // "file://C:/" — the drive letter is the first path segment, not a host; the
                    // path state picks it up from the buffer.
                    state = .path
                } else if buffer.isEmpty {
                    url.host = .empty
                    state = .pathStart
                } else {
                    var host = try URLHost.parse(buffer, isOpaque: false)
                    if host == .domain("localhost") { host = .empty }
                    url.host = host
                    buffer = ""
                    state = .pathStart
                }
            } else if let c {
                buffer.unicodeScalars.append(c)
            }

        default:
            preconditionFailure("fileStep() called in \(state)")
        }
    }
}
