extension PerMessageDeflate.Configuration {
    /// Server: accepts the first permessage-deflate offer among the client's
    /// (``HandshakeRequest/extensions``, in the client's order of preference) that it can
    /// read, answering it with this configuration's preferences (RFC 7692 §5, §7.1); `nil`
    /// when there is none, and messages go uncompressed.
    ///
    /// An offer with an unknown, repeated or malformed parameter is declined and the next one
    /// tried (RFC 7692 §5). The response:
    ///
    /// - has `server_no_context_takeover` if the client asked or ``serverNoContextTakeover``
    ///   is set (RFC 7692 §7.1.1.1: accepting the request means repeating it);
    /// - has `client_no_context_takeover` if the client announced it or
    ///   ``clientNoContextTakeover`` is set (§7.1.1.2);
    /// - has `server_max_window_bits`, the smaller of the client's limit and
    ///   ``serverMaxWindowBits``, if either is given (§7.1.2.1);
    /// - has `client_max_window_bits` only if the client offered it (§7.1.2.2): the smaller of
    ///   its value and ``clientMaxWindowBits``, or ``clientMaxWindowBits`` for an offer
    ///   without a value. A client that did not offer it cannot be limited and is accepted
    ///   all the same, using up to 15 bits.
    public func negotiate(offers: [ExtensionOffer]) -> PerMessageDeflate.Agreement? {
        for offer in offers where offer.name == PerMessageDeflate.extensionName {
            guard let offered = try? PerMessageDeflate.ElementParameters(parsing: offer, isOffer: true) else { continue }
            return agreement(answering: offered)
        }
        return nil
    }

    /// Server: ``negotiate(offers:)`` applied to the offers of a validated opening handshake.
    public func negotiate(_ request: HandshakeRequest) -> PerMessageDeflate.Agreement? {
        negotiate(offers: request.extensions)
    }

    private func agreement(answering offered: PerMessageDeflate.ElementParameters) -> PerMessageDeflate.Agreement {
        var answer = PerMessageDeflate.ElementParameters()
        answer.serverNoContextTakeover = offered.serverNoContextTakeover || serverNoContextTakeover
        answer.clientNoContextTakeover = offered.clientNoContextTakeover || clientNoContextTakeover
        answer.serverMaxWindowBits = switch (offered.serverMaxWindowBits, serverMaxWindowBits) {
        case (let limit?, let preferred?): min(limit, preferred)
        case (let bits?, nil), (nil, let bits?): bits
        case (nil, nil): nil
        }
        answer.clientMaxWindowBits = switch (offered.clientMaxWindowBits, clientMaxWindowBits) {
        case (.absent, _), (.unspecified, nil): .absent
        case (.unspecified, let preferred?): .bits(preferred)
        case (.bits(let limit), let preferred): .bits(min(limit, preferred ?? limit))
        }
        let clientBits: Int? = if case .bits(let bits) = answer.clientMaxWindowBits { bits } else { nil }
        let parameters = PerMessageDeflate.Parameters(
            serverNoContextTakeover: answer.serverNoContextTakeover,
            clientNoContextTakeover: answer.clientNoContextTakeover,
            serverMaxWindowBits: answer.serverMaxWindowBits ?? 15,
            clientMaxWindowBits: clientBits ?? 15)
        return PerMessageDeflate.Agreement(response: answer.element, parameters: parameters)
    }
}
