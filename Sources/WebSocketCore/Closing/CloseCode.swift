/// A status code carried by a close frame (RFC 6455 §7.4, IANA "WebSocket Close Code Number Registry").
public struct CloseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16

    @inlinable
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    @inlinable
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let normalClosure = CloseCode(1000)
    public static let goingAway = CloseCode(1001)
    public static let protocolError = CloseCode(1002)
    public static let unsupportedData = CloseCode(1003)
    /// Never sent: stands for "the close frame had no status code" (RFC 6455 §7.1.5).
    public static let noStatusReceived = CloseCode(1005)
    /// Never sent: stands for "closed without a close frame" (RFC 6455 §7.1.5).
    public static let abnormalClosure = CloseCode(1006)
    public static let invalidFramePayloadData = CloseCode(1007)
    public static let policyViolation = CloseCode(1008)
    public static let messageTooBig = CloseCode(1009)
    public static let mandatoryExtension = CloseCode(1010)
    public static let internalError = CloseCode(1011)
    public static let serviceRestart = CloseCode(1012)
    public static let tryAgainLater = CloseCode(1013)
    public static let badGateway = CloseCode(1014)
    /// Never sent: stands for "the TLS handshake failed".
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
