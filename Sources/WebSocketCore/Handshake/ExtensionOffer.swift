/// One element of a `Sec-WebSocket-Extensions` header: an extension name and its parameters
/// (RFC 6455 §9.1).
///
/// A client sends these as offers; a server answers with the ones it accepts, in the same form,
/// which is why one type serves both directions (RFC 6455 §9.1, RFC 7692 §5). Parameters keep
/// their order and duplicates, because an extension's own negotiation rules (RFC 7692 §7.1)
/// decide what a repeated or unknown parameter means. Names and values compare exactly.
public struct ExtensionOffer: Sendable, Hashable, CustomStringConvertible {
    /// The extension token, for example `permessage-deflate`.
    public var name: String
    /// The parameters in order: a name, and a value if the parameter had `=`. Values are stored
    /// unquoted; RFC 6455 §9.1 requires every value, quoted or not, to be a token.
    public var parameters: [(name: String, value: String?)]

    /// Creates an extension element. Every name and value should be a token (RFC 9110 §5.6.2);
    /// the handshake builders refuse elements that are not with ``HandshakeError/invalidExtension(_:)``.
    public init(name: String, parameters: [(name: String, value: String?)] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// The values of every parameter named `name`, in order: `nil` for a parameter given without
    /// a value, an empty array if the parameter is absent.
    public func values(ofParameter name: String) -> [String?] {
        parameters.filter { $0.name == name }.map(\.value)
    }

    /// Whether the name, every parameter name and every value is a token, so the element can be
    /// written and read back unchanged.
    var isValid: Bool {
        HTTPGrammar.isToken(name)
            && parameters.allSatisfy { HTTPGrammar.isToken($0.name) && ($0.value.map(HTTPGrammar.isToken) ?? true) }
    }

    /// The canonical wire form: `name; param; param=value`, values unquoted.
    public var description: String {
        var text = name
        for parameter in parameters {
            text += "; " + parameter.name
            if let value = parameter.value { text += "=" + value }
        }
        return text
    }

    /// Same name and same parameters in the same order; tuples cannot synthesise this.
    public static func == (lhs: ExtensionOffer, rhs: ExtensionOffer) -> Bool {
        lhs.name == rhs.name
            && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(parameters.count)
        for parameter in parameters {
            hasher.combine(parameter.name)
            hasher.combine(parameter.value)
        }
    }
}
