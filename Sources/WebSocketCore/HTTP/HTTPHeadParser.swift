public import NIOCore

/// A strict, bounded, incremental parser for the HTTP/1.1 head of a WebSocket opening handshake
/// (RFC 9112 §2–§5, as used by RFC 6455 §4).
///
/// Feed it bytes as they arrive, in any chunking: it reads one byte at a time through a state
/// machine, so the result does not depend on where the chunks split. It stops at the CRLF CRLF
/// that ends the head and leaves every later byte in the caller's buffer, because those bytes
/// are the start of the WebSocket frame stream.
///
/// Strict where lenient parsers open smuggling and injection holes: lines end in CRLF only, field
/// names are tokens with no whitespace before the colon, obsolete line folding is refused, and
/// field values hold only visible characters, `obs-text`, SP and HTAB. Bounded by
/// ``HandshakeLimits``: the byte or field that would exceed a limit is refused, not read.
public struct HTTPHeadParser: Sendable {
    /// Which start line the head begins with.
    public enum Kind: Sendable, Hashable {
        /// `method SP request-target SP HTTP-version` (RFC 9112 §3), what a server reads.
        case request
        /// `HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 §4), what a client reads.
        case response
    }

    private enum State: Sendable, Hashable {
        case method
        case target
        case requestVersion
        case responseVersion
        case statusCode
        case reasonPhrase
        /// A CR ended a start line or field line; only LF may follow.
        case lineEnd
        case fieldLineStart
        case fieldName
        /// After the colon, skipping optional whitespace.
        case fieldValueStart
        case fieldValue
        /// A CR began the empty line; only LF may follow, and it ends the head.
        case headEnd
        case complete(HTTPHead)
        case failed(HandshakeError)
    }

    /// The start line this parser expects.
    public let kind: Kind
    /// The bounds this parser enforces.
    public let limits: HandshakeLimits
    /// Bytes of the head read so far; never more than ``HandshakeLimits/maxHeadBytes``.
    public private(set) var bytesConsumed = 0

    private var state: State
    /// The bytes of the part being read: a start-line part, a field name or a field value.
    private var part: [UInt8] = []
    /// Length of `part` up to its last non-whitespace byte, so a value's trailing OWS is dropped.
    private var valueLength = 0
    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var statusCode = 0
    private var reasonPhrase = ""
    private var fieldName = ""
    private var headers = HTTPHeaders()

    /// Creates a parser for a head of the given kind.
    public init(kind: Kind, limits: HandshakeLimits = HandshakeLimits()) {
        self.kind = kind
        self.limits = limits
        self.state = kind == .request ? .method : .responseVersion
    }

    /// Reads head bytes from the readable bytes of `buffer`.
    ///
    /// Moves the buffer's reader index past the bytes that belong to the head, and no further:
    /// what remains readable afterwards belongs to the frame stream. Returns the head once its
    /// final CRLF CRLF has been read, `nil` while more bytes are needed. After completion it
    /// returns the same head again without reading; after an error it throws the same error.
    ///
    /// - Throws: ``HandshakeError`` naming the first syntax rule or limit the bytes broke; the
    ///   offending byte is left unread.
    public mutating func parse(_ buffer: inout ByteBuffer) throws(HandshakeError) -> HTTPHead? {
        switch state {
        case .complete(let head): return head
        case .failed(let error): throw error
        default: break
        }
        var consumed = 0
        var failure: HandshakeError?
        var head: HTTPHead?
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                do throws(HandshakeError) {
                    head = try self.consume(byte)
                } catch {
                    failure = error
                    return
                }
                consumed += 1
                if head != nil { return }
            }
        }
        buffer.moveReaderIndex(forwardBy: consumed)
        if let failure {
            state = .failed(failure)
            throw failure
        }
        return head
    }

    /// Advances the state machine by one byte; returns the head when this byte completes it.
    private mutating func consume(_ byte: UInt8) throws(HandshakeError) -> HTTPHead? {
        guard bytesConsumed < limits.maxHeadBytes else {
            throw .headTooLarge(limit: limits.maxHeadBytes)
        }
        if byte == .lineFeed {
            switch state {
            case .lineEnd, .headEnd: break
            default: throw .invalidLineEnding
            }
        }
        switch state {
        case .method:
            if HTTPGrammar.isTokenCharacter(byte) {
                part.append(byte)
            } else if byte == .space, !part.isEmpty {
                method = takePart()
                state = .target
            } else {
                throw .invalidMethod
            }
        case .target:
            if HTTPGrammar.isVisibleASCII(byte) {
                part.append(byte)
            } else if byte == .space, !part.isEmpty {
                target = takePart()
                state = .requestVersion
            } else {
                throw .invalidRequestTarget
            }
        case .requestVersion:
            if byte == .carriageReturn {
                version = try takeVersion()
                state = .lineEnd
            } else {
                try appendVersionByte(byte)
            }
        case .responseVersion:
            if byte == .space {
                version = try takeVersion()
                state = .statusCode
            } else {
                try appendVersionByte(byte)
            }
        case .statusCode:
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), part.count < 3 {
                part.append(byte)
            } else if byte == .space, part.count == 3 {
                statusCode = part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                part.removeAll(keepingCapacity: true)
                state = .reasonPhrase
            } else {
                throw .invalidStatusCode
            }
        case .reasonPhrase:
            if byte == .carriageReturn {
                reasonPhrase = takePart()
                state = .lineEnd
            } else if HTTPGrammar.isFieldValueCharacter(byte) {
                part.append(byte)
            } else {
                throw .invalidReasonPhrase
            }
        case .lineEnd:
            guard byte == .lineFeed else { throw .invalidLineEnding }
            state = .fieldLineStart
        case .fieldLineStart:
            if byte == .carriageReturn {
                state = .headEnd
            } else if HTTPGrammar.isWhitespace(byte) {
                // RFC 9112 §5.2 lets a server reject folding; a line that starts with whitespace
                // is also how smuggling hides a field from one parser and shows it to another.
                throw .obsoleteLineFolding
            } else if HTTPGrammar.isTokenCharacter(byte) {
                guard headers.count < limits.maxHeaderCount else {
                    throw .tooManyHeaderFields(limit: limits.maxHeaderCount)
                }
                part.append(byte)
                state = .fieldName
            } else {
                throw .invalidHeaderName
            }
        case .fieldName:
            if HTTPGrammar.isTokenCharacter(byte) {
                part.append(byte)
            } else if byte == UInt8(ascii: ":") {
                fieldName = takePart()
                state = .fieldValueStart
            } else if HTTPGrammar.isWhitespace(byte) {
                // RFC 9112 §5.1: a server MUST reject whitespace between name and colon.
                throw .whitespaceBeforeColon
            } else {
                throw .invalidHeaderName
            }
        case .fieldValueStart, .fieldValue:
            if byte == .carriageReturn {
                part.removeSubrange(valueLength...)
                headers.add(name: fieldName, value: takePart())
                valueLength = 0
                state = .lineEnd
            } else if HTTPGrammar.isWhitespace(byte) {
                if state == .fieldValue { part.append(byte) }
            } else if HTTPGrammar.isFieldValueCharacter(byte) {
                part.append(byte)
                valueLength = part.count
                state = .fieldValue
            } else {
                throw .invalidHeaderValue(name: fieldName)
            }
        case .headEnd:
            guard byte == .lineFeed else { throw .invalidLineEnding }
            let head: HTTPHead =
                switch kind {
                case .request:
                    .request(HTTPRequestHead(method: method, target: target, version: version, headers: headers))
                case .response:
                    .response(
                        HTTPResponseHead(
                            version: version, statusCode: statusCode, reasonPhrase: reasonPhrase, headers: headers))
                }
            bytesConsumed += 1
            state = .complete(head)
            headers = HTTPHeaders()
            part = []
            return head
        case .complete, .failed:
            preconditionFailure("parse(_:) returns before consuming in a final state")
        }
        bytesConsumed += 1
        return nil
    }

    /// Returns `part` as a string and empties it, keeping its storage for the next part.
    /// Bytes that are not UTF-8 (possible only as `obs-text`) become U+FFFD.
    private mutating func takePart() -> String {
        let string = String(decoding: part, as: UTF8.self)
        part.removeAll(keepingCapacity: true)
        return string
    }

    /// Collects a version byte; a version is exactly eight visible characters, so a ninth is
    /// refused at once.
    private mutating func appendVersionByte(_ byte: UInt8) throws(HandshakeError) {
        guard part.count < 8, HTTPGrammar.isVisibleASCII(byte) else { throw .invalidHTTPVersion }
        part.append(byte)
    }

    /// Parses `HTTP-version = "HTTP" "/" DIGIT "." DIGIT` (RFC 9112 §2.3) from `part`.
    private mutating func takeVersion() throws(HandshakeError) -> HTTPVersion {
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard part.count == 8, part.starts(with: "HTTP/".utf8), digits.contains(part[5]),
            part[6] == UInt8(ascii: "."), digits.contains(part[7])
        else { throw .invalidHTTPVersion }
        let version = HTTPVersion(major: Int(part[5] - digits.lowerBound), minor: Int(part[7] - digits.lowerBound))
        part.removeAll(keepingCapacity: true)
        return version
    }
}

extension UInt8 {
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let lineFeed = UInt8(ascii: "\n")
}
