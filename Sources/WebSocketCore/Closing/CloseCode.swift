/// A status code carried by a close frame (RFC 6455 §7.4, IANA "WebSocket Close Code Number Registry").
public struct CloseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The code's number, the first two bytes of a close payload in network byte order
    /// (RFC 6455 §5.5.1).
    public let rawValue: UInt16

    /// Creates a code from its number; any number, including those that may not be sent
    /// (see ``isAllowedOnTheWire``).
    @inlinable
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Creates a code from its number, as ``init(rawValue:)`` does, written shorter:
    /// `CloseCode(4000)`.
    @inlinable
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000 Normal Closure: the purpose the connection was established for has been
    /// fulfilled (RFC 6455 §7.4.1).
    public static let normalClosure = CloseCode(1000)
    /// 1001 Going Away: the endpoint is going away, such as a server shutting down or a
    /// browser navigating away from the page (RFC 6455 §7.4.1).
    public static let goingAway = CloseCode(1001)
    /// 1002 Protocol Error: the endpoint is closing because of a protocol error
    /// (RFC 6455 §7.4.1); what the engine sends on most ``ProtocolError``s.
    public static let protocolError = CloseCode(1002)
    /// 1003 Unsupported Data: the endpoint received a type of data it cannot accept,
    /// such as binary at a text-only endpoint (RFC 6455 §7.4.1).
    public static let unsupportedData = CloseCode(1003)
    /// Never sent: stands for "the close frame had no status code" (RFC 6455 §7.1.5).
    public static let noStatusReceived = CloseCode(1005)
    /// Never sent: stands for "closed without a close frame" (RFC 6455 §7.1.5).
    public static let abnormalClosure = CloseCode(1006)
    /// 1007 Invalid Frame Payload Data: a message's data does not match its type,
    /// such as invalid UTF-8 in a text message (RFC 6455 §7.4.1).
    public static let invalidFramePayloadData = CloseCode(1007)
    /// 1008 Policy Violation: a message violates the endpoint's policy; the generic code
    /// when no more specific one fits or details are withheld (RFC 6455 §7.4.1).
    public static let policyViolation = CloseCode(1008)
    /// 1009 Message Too Big: a message is too big to process (RFC 6455 §7.4.1); what the
    /// engine sends when a ``Limits`` bound is passed.
    public static let messageTooBig = CloseCode(1009)
    /// 1010 Mandatory Extension: the client expected the server to negotiate an extension
    /// it did not; the reason names the extensions needed. Sent by clients only
    /// (RFC 6455 §7.4.1).
    public static let mandatoryExtension = CloseCode(1010)
    /// 1011 Internal Error: an unexpected condition kept the endpoint from fulfilling the
    /// request (RFC 6455 §7.4.1).
    public static let internalError = CloseCode(1011)
    /// 1012 Service Restart: the server is restarting; a client may reconnect after a
    /// randomised delay (IANA registry).
    public static let serviceRestart = CloseCode(1012)
    /// 1013 Try Again Later: the server is temporarily unable to serve, overloaded for
    /// example; a client may reconnect later (IANA registry).
    public static let tryAgainLater = CloseCode(1013)
    /// 1014 Bad Gateway: the server, acting as a gateway or proxy, got an invalid response
    /// from upstream (IANA registry).
    public static let badGateway = CloseCode(1014)
    /// 1015, never sent: stands for "the TLS handshake failed" (RFC 6455 §7.4.1).
    public static let tlsHandshake = CloseCode(1015)

    /// Whether an endpoint may put this code in a close frame (RFC 6455 §7.4.1–§7.4.2).
    ///
    /// Allowed: the registered codes 1000–1003 and 1007–1014, and 3000–4999 (libraries,
    /// frameworks and applications). Everything else — below 1000, 1004–1006, 1015,
    /// unassigned 1016–2999, and 5000 and up — is a protocol error when received.
    @inlinable
    public var isAllowedOnTheWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    public var description: String { String(rawValue) }
}
