extension PerMessageDeflate.Configuration {
    /// The element a client offers in `Sec-WebSocket-Extensions` (RFC 7692 §5, §7.1): by
    /// default exactly `permessage-deflate; client_max_window_bits`, the WebSocket Standard's
    /// offer. Give it to ``ClientHandshake`` in `extensions`.
    public var offer: ExtensionOffer {
        offered.element
    }

    /// What the client offers, parameter by parameter.
    var offered: PerMessageDeflate.ElementParameters {
        var offered = PerMessageDeflate.ElementParameters()
        offered.serverNoContextTakeover = serverNoContextTakeover
        offered.clientNoContextTakeover = clientNoContextTakeover
        offered.serverMaxWindowBits = serverMaxWindowBits
        if offersClientMaxWindowBits {
            offered.clientMaxWindowBits = clientMaxWindowBits.map { .bits($0) } ?? .unspecified
        }
        return offered
    }

    /// Client: the parameters in use after an accepted opening handshake;
    /// ``accept(extensions:)`` applied to the extensions the server accepted.
    public func accept(_ result: HandshakeResult) throws(PerMessageDeflate.NegotiationError) -> PerMessageDeflate.Parameters? {
        try accept(extensions: result.extensions)
    }

    /// Client: the parameters in use after the handshake, given the extensions the server
    /// accepted (``HandshakeResult/extensions``); `nil` when the server did not accept
    /// permessage-deflate, so messages go uncompressed.
    ///
    /// - Throws: ``PerMessageDeflate/NegotiationError`` when the response is unacceptable; the
    ///   client must then fail the WebSocket connection (RFC 7692 §5).
    public func accept(extensions: [ExtensionOffer]) throws(PerMessageDeflate.NegotiationError)
        -> PerMessageDeflate.Parameters?
    {
        let responses = extensions.filter { $0.name == PerMessageDeflate.extensionName }
        guard let response = responses.first else { return nil }
        guard responses.count == 1 else { throw .duplicateExtension }
        return try accept(response: response)
    }

    /// Client: checks the server's `permessage-deflate` response element against ``offer``
    /// (RFC 7692 §7.1) and returns the parameters in use.
    ///
    /// Refused: unknown, repeated or malformed parameters; `client_max_window_bits` when it
    /// was not offered, or without a value; a window above what was offered; a response
    /// without `server_no_context_takeover` or `server_max_window_bits` when the offer
    /// carried them (a server accepting those must repeat them, RFC 7692 §7.1.1.1, §7.1.2.1).
    /// Absent parameters take their defaults; the client keeps to what it announced itself
    /// (`client_no_context_takeover`, a `client_max_window_bits` value) even if the response
    /// leaves it out.
    ///
    /// - Throws: ``PerMessageDeflate/NegotiationError`` for the first problem found.
    public func accept(response: ExtensionOffer) throws(PerMessageDeflate.NegotiationError) -> PerMessageDeflate.Parameters {
        guard response.name == PerMessageDeflate.extensionName else { throw .notPerMessageDeflate(response.name) }
        let answered = try PerMessageDeflate.ElementParameters(parsing: response, isOffer: false)
        let offered = offered
        if offered.serverNoContextTakeover, !answered.serverNoContextTakeover {
            throw .missingParameter("server_no_context_takeover")
        }
        var parameters = PerMessageDeflate.Parameters(
            serverNoContextTakeover: answered.serverNoContextTakeover,
            clientNoContextTakeover: answered.clientNoContextTakeover || offered.clientNoContextTakeover)

        switch (offered.serverMaxWindowBits, answered.serverMaxWindowBits) {
        case (nil, nil): break
        case (_?, nil): throw .missingParameter("server_max_window_bits")
        case (let limit?, let bits?) where bits > limit:
            throw .windowBitsTooLarge(parameter: "server_max_window_bits", offered: limit, answered: bits)
        case (_, let bits?): parameters.serverMaxWindowBits = bits
        }

        switch (offered.clientMaxWindowBits, answered.clientMaxWindowBits) {
        case (.absent, .absent), (.unspecified, .absent): break
        case (.absent, _): throw .unofferedParameter("client_max_window_bits")
        case (.bits(let limit), .bits(let bits)) where bits > limit:
            throw .windowBitsTooLarge(parameter: "client_max_window_bits", offered: limit, answered: bits)
        case (_, .bits(let bits)), (.bits(let bits), .absent): parameters.clientMaxWindowBits = bits
        case (_, .unspecified): throw .invalidValue(parameter: "client_max_window_bits", value: nil)  // parsing refuses it first
        }
        return parameters
    }
}
