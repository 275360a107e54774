extension WebSocketURL {
    /// The "basic URL parser" of the URL Standard (§4.4), without *state override* (only the URL
    /// setters need it) and with UTF-8 as the only encoding (the only one WebSocket uses).
    ///
    /// The states and steps follow the standard one for one, including the pointer arithmetic
    /// ("decrease pointer by 1" re-reads the code point in the next state), so each branch can be
    /// checked against the text. Recoverable validation errors are not reported.
    struct Parser {
        enum State {
            case schemeStart, scheme, noScheme, specialRelativeOrAuthority, pathOrAuthority, relative
            case relativeSlash, specialAuthoritySlashes, specialAuthorityIgnoreSlashes, authority, host
            case port, file, fileSlash, fileHost, pathStart, path, opaquePath, query, fragment
        }

        // Internal rather than private: the file and path states live in their own files.
        let input: [Unicode.Scalar]
        let base: Record?
        var url = Record()
        var state = State.schemeStart
        var buffer = ""
        var atSignSeen = false
        var insideBrackets = false
        var passwordTokenSeen = false
        var pointer = 0

        /// Parses `string` against `base`, or throws the validation error that made parsing fail.
        static func parse(_ string: String, base: Record? = nil) throws(ValidationError) -> Record {
            var parser = Parser(string, base: base)
            return try parser.run()
        }

        private init(_ string: String, base: Record?) {
            // Strip leading and trailing C0 control or space, then remove every tab and newline.
            var scalars = Array(string.unicodeScalars)
            while let last = scalars.last, CodePoint.isC0ControlOrSpace(last) { scalars.removeLast() }
            let start = scalars.firstIndex { !CodePoint.isC0ControlOrSpace($0) } ?? scalars.endIndex
            self.input = scalars[start...].filter { !CodePoint.isASCIITabOrNewline($0) }
            self.base = base
        }

        /// The code point the pointer points at, nil standing for the standard's EOF code point.
        var c: Unicode.Scalar? { pointer >= 0 && pointer < input.count ? input[pointer] : nil }

        /// "Remaining starts with": the code points after the pointer begin with `prefix`.
        func remainingStarts(with prefix: String) -> Bool {
            let rest = input.dropFirst(pointer + 1)
            return rest.starts(with: prefix.unicodeScalars)
        }

        /// "url is special and c is U+005C (\)": the backslash quirk of special URLs.
        var isSpecialBackslash: Bool { c == "\\" && url.isSpecial }

        private mutating func run() throws(ValidationError) -> Record {
            while true {
                try step()
                if pointer >= input.count { break }
                pointer += 1
            }
            return url
        }

        /// One iteration of the state machine for `c`. Each state's body is the standard's list of
        /// steps for that state.
        private mutating func step() throws(ValidationError) {
            switch state {
            case .schemeStart:
                if let c, CodePoint.isASCIIAlpha(c) {
                    buffer.unicodeScalars.append(CodePoint.asciiLowercased(c))
                    state = .scheme
                } else {
                    state = .noScheme
                    pointer -= 1
                }

            case .scheme:
                if let c, CodePoint.isASCIIAlphanumeric(c) || c == "+" || c == "-" || c == "." {
                    buffer.unicodeScalars.append(CodePoint.asciiLowercased(c))
                } else if c == ":" {
                    url.scheme = buffer
                    buffer = ""
                    if url.scheme == "file" {
                        state = .file
                    } else if url.isSpecial, let base, base.scheme == url.scheme {
                        state = .specialRelativeOrAuthority
                    } else if url.isSpecial {
                        state = .specialAuthoritySlashes
                    } else if remainingStarts(with: "/") {
                        state = .pathOrAuthority
                        pointer += 1
                    } else {
                        url.path = .opaque("")
                        state = .opaquePath
                    }
                } else {
                    // Not a scheme after all ("/chat", "example.com:80"?): start over as relative.
                    buffer = ""
                    state = .noScheme
                    pointer = -1
                }

            case .noScheme:
                guard let base, !base.hasOpaquePath || c == "#" else { throw .missingSchemeNonRelativeURL }
                if base.hasOpaquePath {
                    url.scheme = base.scheme
                    url.path = base.path
                    url.query = base.query
                    url.fragment = ""
                    state = .fragment
                } else if base.scheme != "file" {
                    state = .relative
                    pointer -= 1
                } else {
                    state = .file
                    pointer -= 1
                }

            case .specialRelativeOrAuthority:
                if c == "/", remainingStarts(with: "/") {
                    state = .specialAuthorityIgnoreSlashes
                    pointer += 1
                } else {
                    state = .relative
                    pointer -= 1
                }

            case .pathOrAuthority:
                if c == "/" {
                    state = .authority
                } else {
                    state = .path
                    pointer -= 1
                }

            case .relative:
                let base = base!
                url.scheme = base.scheme
                if c == "/" || isSpecialBackslash {
                    state = .relativeSlash
                } else {
                    url.username = base.username
                    url.password = base.password
                    url.host = base.host
                    url.port = base.port
                    url.path = base.path
                    url.query = base.query
                    if !startsQueryOrFragment(), c != nil {
                        url.query = nil
                        url.shortenPath()
                        state = .path
                        pointer -= 1
                    }
                }

            case .relativeSlash:
                if url.isSpecial, c == "/" || c == "\\" {
                    state = .specialAuthorityIgnoreSlashes
                } else if c == "/" {
                    state = .authority
                } else {
                    let base = base!
                    url.username = base.username
                    url.password = base.password
                    url.host = base.host
                    url.port = base.port
                    state = .path
                    pointer -= 1
                }

            case .specialAuthoritySlashes:
                if c == "/", remainingStarts(with: "/") {
                    state = .specialAuthorityIgnoreSlashes
                    pointer += 1
                } else {
                    state = .specialAuthorityIgnoreSlashes
                    pointer -= 1
                }

            case .specialAuthorityIgnoreSlashes:
                if c != "/" && c != "\\" {
                    state = .authority
                    pointer -= 1
                }

            case .authority:
                try authorityStep()

            case .host:
                try hostStep()

            case .port:
                try portStep()

            case .file, .fileSlash, .fileHost:
                try fileStep()

            case .pathStart, .path, .opaquePath:
                pathStep()

            case .query:
                if c == "#" || c == nil {
                    let set: PercentEncodeSet = url.isSpecial ? .specialQuery : .query
                    var query = url.query ?? ""
                    for codePoint in buffer.unicodeScalars { percentEncode(codePoint, set, into: &query) }
                    url.query = query
                    buffer = ""
                    if c == "#" {
                        url.fragment = ""
                        state = .fragment
                    }
                } else if let c {
                    buffer.unicodeScalars.append(c)
                }

            case .fragment:
                if let c {
                    var fragment = url.fragment ?? ""
                    percentEncode(c, .fragment, into: &fragment)
                    url.fragment = fragment
                }
            }
        }

        /// Authority state: collect up to the last "@" as userinfo, then hand the rest to the host state.
        private mutating func authorityStep() throws(ValidationError) {
            if c == "@" {
                if atSignSeen { buffer = "%40" + buffer }
                atSignSeen = true
                for codePoint in buffer.unicodeScalars {
                    if codePoint == ":" && !passwordTokenSeen {
                        passwordTokenSeen = true
                        continue
                    }
                    if passwordTokenSeen {
                        percentEncode(codePoint, .userinfo, into: &url.password)
                    } else {
                        percentEncode(codePoint, .userinfo, into: &url.username)
                    }
                }
                buffer = ""
            } else if c == nil || c == "/" || c == "?" || c == "#" || isSpecialBackslash {
                if atSignSeen && buffer.isEmpty { throw .hostMissing }
                pointer -= buffer.unicodeScalars.count + 1
                buffer = ""
                state = .host
            } else if let c {
                buffer.unicodeScalars.append(c)
            }
        }

        /// Host state (the hostname state is the same without state override).
        private mutating func hostStep() throws(ValidationError) {
            if c == ":" && !insideBrackets {
                guard !buffer.isEmpty else { throw .hostMissing }
                url.host = try URLHost.parse(buffer, isOpaque: !url.isSpecial)
                buffer = ""
                state = .port
            } else if c == nil || c == "/" || c == "?" || c == "#" || isSpecialBackslash {
                pointer -= 1
                if url.isSpecial && buffer.isEmpty { throw .hostMissing }
                url.host = try URLHost.parse(buffer, isOpaque: !url.isSpecial)
                buffer = ""
                state = .pathStart
            } else if let c {
                if c == "[" { insideBrackets = true }
                if c == "]" { insideBrackets = false }
                buffer.unicodeScalars.append(c)
            }
        }

        /// Port state: digits up to the end of the authority; the default port is stored as nil.
        private mutating func portStep() throws(ValidationError) {
            if let c, CodePoint.isASCIIDigit(c) {
                buffer.unicodeScalars.append(c)
            } else if c == nil || c == "/" || c == "?" || c == "#" || isSpecialBackslash {
                if !buffer.isEmpty {
                    // Leading zeros are fine ("ws://h:00080/"); compare digit strings by value.
                    let digits = buffer.drop { $0 == "0" }
                    guard digits.count <= 5, let port = Int(digits.isEmpty ? "0" : digits), port <= 65535 else {
                        throw .portOutOfRange(buffer)
                    }
                    url.port = port == url.defaultPort ? nil : port
                    buffer = ""
                }
                state = .pathStart
                pointer -= 1
            } else if let c {
                throw .portInvalid(c)
            }
        }
    }
}
