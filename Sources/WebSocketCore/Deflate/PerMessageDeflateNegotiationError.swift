extension PerMessageDeflate {
    /// Why a client refuses the server's `permessage-deflate` response; the client must then
    /// fail the WebSocket connection (RFC 7692 §5, RFC 6455 §9.1). A server never reports
    /// these: it declines an offer it cannot read and tries the next.
    public enum NegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The element is not `permessage-deflate`.
        case notPerMessageDeflate(String)
        /// The response accepts `permessage-deflate` more than once (RFC 7692 §5).
        case duplicateExtension
        /// A parameter RFC 7692 §7.1 does not define.
        case unknownParameter(String)
        /// A parameter given twice (RFC 7692 §7.1).
        case duplicateParameter(String)
        /// A value the parameter does not allow: a value on a `*_no_context_takeover`, a window
        /// size that is not 8...15 in decimal without leading zeros, or none where one is
        /// required (RFC 7692 §7.1.1, §7.1.2).
        case invalidValue(parameter: String, value: String?)
        /// `client_max_window_bits` in a response to an offer without it (RFC 7692 §7.1.2.2).
        case unofferedParameter(String)
        /// A parameter the offer requires the response to carry (`server_no_context_takeover`,
        /// RFC 7692 §7.1.1.1; `server_max_window_bits`, §7.1.2.1) is missing.
        case missingParameter(String)
        /// A window size above the limit the client offered (RFC 7692 §7.1.2.1, §7.1.2.2).
        case windowBitsTooLarge(parameter: String, offered: Int, answered: Int)

        public var description: String {
            switch self {
            case .notPerMessageDeflate(let name): "\(name) is not permessage-deflate"
            case .duplicateExtension: "permessage-deflate accepted more than once"
            case .unknownParameter(let name): "unknown permessage-deflate parameter \(name)"
            case .duplicateParameter(let name): "permessage-deflate parameter \(name) given more than once"
            case .invalidValue(let name, let value?): "invalid value \(value) for permessage-deflate parameter \(name)"
            case .invalidValue(let name, nil): "permessage-deflate parameter \(name) needs a value"
            case .unofferedParameter(let name): "permessage-deflate parameter \(name) was not offered"
            case .missingParameter(let name): "permessage-deflate response lacks \(name), which the offer required"
            case .windowBitsTooLarge(let name, let offered, let answered):
                "permessage-deflate \(name)=\(answered) exceeds the \(offered) offered"
            }
        }
    }
}
