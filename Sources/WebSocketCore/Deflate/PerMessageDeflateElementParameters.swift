extension PerMessageDeflate {
    /// The parameters of one `permessage-deflate` element, offer or response, as written on
    /// the wire (RFC 7692 §7.1): the form both roles read and write.
    struct ElementParameters: Sendable, Hashable {
        /// `client_max_window_bits`, the one parameter that may appear without a value.
        enum ClientWindowBits: Sendable, Hashable {
            case absent
            /// Without a value: only allowed in an offer (RFC 7692 §7.1.2.2).
            case unspecified
            case bits(Int)
        }

        var serverNoContextTakeover = false
        var clientNoContextTakeover = false
        var serverMaxWindowBits: Int?
        var clientMaxWindowBits = ClientWindowBits.absent

        init() {}

        /// Reads `element`'s parameters, refusing unknown, repeated and malformed ones
        /// (RFC 7692 §5: such an offer is declined, such a response fails the connection).
        ///
        /// - Parameter isOffer: `true` for a client's offer, where `client_max_window_bits`
        ///   may come without a value; a response must give one.
        init(parsing element: ExtensionOffer, isOffer: Bool) throws(NegotiationError) {
            var seen: Set<String> = []
            for (name, value) in element.parameters {
                guard seen.insert(name).inserted else { throw .duplicateParameter(name) }
                switch name {
                case "server_no_context_takeover":
                    guard value == nil else { throw .invalidValue(parameter: name, value: value) }
                    serverNoContextTakeover = true
                case "client_no_context_takeover":
                    guard value == nil else { throw .invalidValue(parameter: name, value: value) }
                    clientNoContextTakeover = true
                case "server_max_window_bits":
                    guard let bits = Self.windowBits(value) else { throw .invalidValue(parameter: name, value: value) }
                    serverMaxWindowBits = bits
                case "client_max_window_bits":
                    if value == nil, isOffer {
                        clientMaxWindowBits = .unspecified
                    } else if let bits = Self.windowBits(value) {
                        clientMaxWindowBits = .bits(bits)
                    } else {
                        throw .invalidValue(parameter: name, value: value)
                    }
                default:
                    throw .unknownParameter(name)
                }
            }
        }

        /// The element with these parameters, in a fixed order.
        var element: ExtensionOffer {
            var parameters: [(name: String, value: String?)] = []
            if serverNoContextTakeover { parameters.append(("server_no_context_takeover", nil)) }
            if clientNoContextTakeover { parameters.append(("client_no_context_takeover", nil)) }
            if let serverMaxWindowBits { parameters.append(("server_max_window_bits", String(serverMaxWindowBits))) }
            switch clientMaxWindowBits {
            case .absent: break
            case .unspecified: parameters.append(("client_max_window_bits", nil))
            case .bits(let bits): parameters.append(("client_max_window_bits", String(bits)))
            }
            return ExtensionOffer(name: extensionName, parameters: parameters)
        }

        /// A window size as RFC 7692 §7.1.2 writes it: a decimal integer from 8 to 15 without
        /// leading zeros, so exactly one of eight strings.
        private static func windowBits(_ value: String?) -> Int? {
            guard let value, let bits = Int(value), windowBitsRange.contains(bits), String(bits) == value else { return nil }
            return bits
        }
    }
}
