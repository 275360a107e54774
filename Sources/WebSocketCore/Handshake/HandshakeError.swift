/// Why an opening handshake (RFC 6455 §4) could not be parsed, was refused, or could not be built.
///
/// One type for both roles and every stage, so the I/O layer maps failures in one place: a
/// client fails the WebSocket connection (RFC 6455 §4.1), a server sends the response
/// ``ServerHandshake`` built for the error (RFC 6455 §4.2.1).
public enum HandshakeError: Error, Sendable, Hashable, CustomStringConvertible {
    // MARK: HTTP head syntax (RFC 9112)

    /// The head grew past ``HandshakeLimits/maxHeadBytes`` before its final CRLF CRLF.
    case headTooLarge(limit: Int)
    /// The head carried more than ``HandshakeLimits/maxHeaderCount`` header fields.
    case tooManyHeaderFields(limit: Int)
    /// A line ended in a bare LF, or a CR was not followed by LF (RFC 9112 §2.2).
    case invalidLineEnding
    /// The request method was empty or not a token (RFC 9112 §3.1).
    case invalidMethod
    /// The request-target was empty or held a byte that is not visible ASCII (RFC 9112 §3.2).
    case invalidRequestTarget
    /// The start line's version was not `HTTP/DIGIT.DIGIT` (RFC 9112 §2.3).
    case invalidHTTPVersion
    /// The status code was not three digits followed by a space (RFC 9112 §4).
    case invalidStatusCode
    /// The reason phrase held a control character (RFC 9112 §4).
    case invalidReasonPhrase
    /// A field name was empty or not a token, or a line had no colon (RFC 9112 §5).
    case invalidHeaderName
    /// Whitespace came between a field name and its colon (RFC 9112 §5.1).
    case whitespaceBeforeColon
    /// A field line started with whitespace: obsolete line folding (RFC 9112 §5.2).
    case obsoleteLineFolding
    /// The value of the named field held a control character (RFC 9110 §5.5).
    case invalidHeaderValue(name: String)

    // MARK: Either role (RFC 6455 §4.1, §4.2.1)

    /// The peer spoke another HTTP version; the handshake needs HTTP/1.1.
    case unsupportedHTTPVersion(HTTPVersion)
    /// A field that must appear at most once appeared on several lines.
    case duplicateHeaderField(String)
    /// `Upgrade` was missing or did not list `websocket`.
    case missingUpgrade
    /// `Connection` was missing or did not list `Upgrade`.
    case missingConnectionUpgrade
    /// `Sec-WebSocket-Extensions` did not follow the grammar of RFC 6455 §9.1; carries the value.
    case invalidExtensionHeader(String)
    /// `Sec-WebSocket-Protocol` did not follow its grammar (RFC 6455 §4.3); carries the value.
    case invalidSubprotocolHeader(String)

    // MARK: Client validating the server's response (RFC 6455 §4.1, WHATWG WebSockets §2.2)

    /// The server answered with a status other than 101, redirects included; carries the head.
    case unexpectedStatus(code: Int, head: HTTPResponseHead)
    /// `Sec-WebSocket-Accept` was missing.
    case missingAccept
    /// `Sec-WebSocket-Accept` was not the value computed from our key; carries what was sent.
    case wrongAccept(String)
    /// The server selected a subprotocol the client did not offer.
    case unofferedSubprotocol(String)
    /// The client offered subprotocols and the server selected none (WHATWG WebSockets §2.2).
    case noSubprotocolSelected
    /// The server accepted an extension the client did not offer.
    case unofferedExtension(String)

    // MARK: Server validating the client's request (RFC 6455 §4.2.1)

    /// The request method was not `GET`.
    case methodNotAllowed(String)
    /// The request had no `Host` field.
    case missingHost
    /// The request had no `Sec-WebSocket-Key` field.
    case missingKey
    /// `Sec-WebSocket-Key` was not the base64 form of 16 bytes; carries the value.
    case invalidKey(String)
    /// `Sec-WebSocket-Version` was missing (`nil`) or not `13`; carries the value.
    case unsupportedWebSocketVersion(String?)

    // MARK: Caller input when building a handshake

    /// The host for the `Host` field was empty or held characters a field value cannot.
    case invalidHost(String)
    /// The resource name did not start with `/` or held a byte that is not visible ASCII.
    case invalidResourceName(String)
    /// A subprotocol to offer or select was not a token (RFC 6455 §4.1, WHATWG §3.1).
    case invalidSubprotocol(String)
    /// A subprotocol was offered twice (WHATWG WebSockets §3.1).
    case duplicateSubprotocol(String)
    /// An extension's name, a parameter name or a parameter value was not a token (RFC 6455 §9.1).
    case invalidExtension(String)
    /// An extra header's name was not a token or its value held forbidden characters.
    case invalidHeaderField(name: String)
    /// An extra header named a field the handshake itself sets, such as `Sec-WebSocket-Key`.
    case reservedHeaderField(String)

    public var description: String {
        switch self {
        case .headTooLarge(let limit):
            "HTTP head exceeds \(limit) bytes"
        case .tooManyHeaderFields(let limit):
            "HTTP head has more than \(limit) header fields"
        case .invalidLineEnding:
            "HTTP line does not end in CRLF (bare CR or LF)"
        case .invalidMethod:
            "HTTP request method is not a token"
        case .invalidRequestTarget:
            "HTTP request-target is empty or not visible ASCII"
        case .invalidHTTPVersion:
            "HTTP version is not of the form HTTP/x.y"
        case .invalidStatusCode:
            "HTTP status code is not three digits followed by a space"
        case .invalidReasonPhrase:
            "HTTP reason phrase contains a control character"
        case .invalidHeaderName:
            "HTTP header name is empty, not a token, or lacks a colon"
        case .whitespaceBeforeColon:
            "HTTP header has whitespace before its colon"
        case .obsoleteLineFolding:
            "HTTP header line starts with whitespace (obsolete line folding)"
        case .invalidHeaderValue(let name):
            "HTTP header \(name) has a control character in its value"
        case .unsupportedHTTPVersion(let version):
            "WebSocket handshake needs HTTP/1.1, got \(version)"
        case .duplicateHeaderField(let name):
            "\(name) header appears more than once"
        case .missingUpgrade:
            "Upgrade header is missing or does not list websocket"
        case .missingConnectionUpgrade:
            "Connection header is missing or does not list Upgrade"
        case .invalidExtensionHeader(let value):
            "Sec-WebSocket-Extensions header is malformed: \(value)"
        case .invalidSubprotocolHeader(let value):
            "Sec-WebSocket-Protocol header is malformed: \(value)"
        case .unexpectedStatus(let code, let head):
            "server answered \(code) \(head.reasonPhrase) instead of 101 Switching Protocols"
        case .missingAccept:
            "Sec-WebSocket-Accept header is missing"
        case .wrongAccept(let value):
            "Sec-WebSocket-Accept \(value) does not match the key sent"
        case .unofferedSubprotocol(let name):
            "server selected subprotocol \(name), which was not offered"
        case .noSubprotocolSelected:
            "server selected no subprotocol although subprotocols were offered"
        case .unofferedExtension(let name):
            "server accepted extension \(name), which was not offered"
        case .methodNotAllowed(let method):
            "WebSocket handshake needs GET, got \(method)"
        case .missingHost:
            "Host header is missing"
        case .missingKey:
            "Sec-WebSocket-Key header is missing"
        case .invalidKey(let value):
            "Sec-WebSocket-Key \(value) is not 16 bytes in base64"
        case .unsupportedWebSocketVersion(let value?):
            "Sec-WebSocket-Version \(value) is not supported; only 13 is"
        case .unsupportedWebSocketVersion(nil):
            "Sec-WebSocket-Version header is missing"
        case .invalidHost(let host):
            "host \(host) is empty or contains characters not allowed in a header"
        case .invalidResourceName(let name):
            "resource name \(name) does not start with / or is not visible ASCII"
        case .invalidSubprotocol(let name):
            "subprotocol \(name) is not a token"
        case .duplicateSubprotocol(let name):
            "subprotocol \(name) is offered more than once"
        case .invalidExtension(let text):
            "extension \(text) has a name, parameter or value that is not a token"
        case .invalidHeaderField(let name):
            "header \(name) has an invalid name or value"
        case .reservedHeaderField(let name):
            "header \(name) is set by the handshake itself"
        }
    }
}
