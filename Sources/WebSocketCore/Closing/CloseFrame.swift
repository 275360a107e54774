public import NIOCore

/// The payload of a close frame: an optional status code and a UTF-8 reason (RFC 6455 §5.5.1).
public struct CloseFrame: Sendable, Hashable {
    /// The status code, or `nil` for an empty payload (RFC 6455 §7.1.5 then reports 1005).
    public var code: CloseCode?
    /// The reason; always empty when `code` is `nil`.
    public var reason: String

    /// Creates a close payload; `reason` is dropped when `code` is `nil`, since a reason may
    /// only follow a code (§5.5.1).
    public init(code: CloseCode?, reason: String = "") {
        self.code = code
        self.reason = code == nil ? "" : reason
    }

    /// Parses and checks a received close payload: a 1-byte payload and codes that may not
    /// be sent are protocol errors (§5.5.1, §7.4), an invalid UTF-8 reason is 1007 (§8.1).
    public init(parsing payload: ByteBuffer) throws(ProtocolError) {
        var payload = payload
        switch payload.readableBytes {
        case 0:
            self.init(code: nil)
        case 1:
            throw .closePayloadTooShort
        default:
            let code = CloseCode(payload.readInteger(as: UInt16.self)!)
            guard code.isAllowedOnTheWire else { throw .invalidCloseCode(code.rawValue) }
            let reason = try payload.withUnsafeReadableBytes { bytes throws(ProtocolError) in
                guard UTF8Validator.isValid(bytes) else { throw .invalidUTF8 }
                return String(decoding: bytes, as: UTF8.self)
            }
            self.init(code: code, reason: reason)
        }
    }

    /// The payload bytes: the code in network byte order followed by the reason, if any.
    public var payload: ByteBuffer {
        guard let code else { return ByteBuffer() }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(2 + reason.utf8.count)
        buffer.writeInteger(code.rawValue)
        buffer.writeString(reason)
        return buffer
    }
}
