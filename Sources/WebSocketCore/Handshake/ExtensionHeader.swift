/// Reading and writing the `Sec-WebSocket-Extensions` header (RFC 6455 §9.1).
///
/// ```
/// extension-list  = 1#extension
/// extension       = extension-token *( ";" extension-param )
/// extension-param = token [ "=" ( token / quoted-string ) ]
/// ```
/// with optional whitespace around `,`, `;` and `=` (RFC 9110 §5.6.1, §5.6.3). A quoted value
/// must, once unescaped, be a token. Several header lines form one list (RFC 9110 §5.3).
public enum ExtensionHeader: Sendable {
    /// Parses the values of every `Sec-WebSocket-Extensions` line, in order, as one list.
    ///
    /// Returns an empty array when there are no lines. Empty list elements (`a, , b`) are
    /// skipped as the list rule asks; a list with no element at all is malformed.
    ///
    /// - Throws: ``HandshakeError/invalidExtensionHeader(_:)`` carrying the combined value.
    public static func parse(_ values: [String]) throws(HandshakeError) -> [ExtensionOffer] {
        guard !values.isEmpty else { return [] }
        let combined = values.joined(separator: ", ")
        var reader = Reader(bytes: Array(combined.utf8))
        guard let offers = reader.readList(), !offers.isEmpty else {
            throw .invalidExtensionHeader(combined)
        }
        return offers
    }

    /// Parses one `Sec-WebSocket-Extensions` value.
    ///
    /// - Throws: ``HandshakeError/invalidExtensionHeader(_:)`` carrying the value.
    public static func parse(_ value: String) throws(HandshakeError) -> [ExtensionOffer] {
        try parse([value])
    }

    /// The canonical header value for `extensions`: elements joined by `, `, parameters by `; `,
    /// values unquoted, for example `permessage-deflate; client_max_window_bits`.
    public static func serialize(_ extensions: [ExtensionOffer]) -> String {
        extensions.map(\.description).joined(separator: ", ")
    }

    /// A cursor over the header bytes; each `read` returns `nil` on a grammar violation.
    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func readList() -> [ExtensionOffer]? {
            var offers: [ExtensionOffer] = []
            while true {
                skipWhitespace()
                guard let byte = current else { return offers }
                if byte == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard let offer = readExtension() else { return nil }
                offers.append(offer)
                skipWhitespace()
                guard let separator = current else { return offers }
                guard separator == UInt8(ascii: ",") else { return nil }
                position += 1
            }
        }

        private mutating func readExtension() -> ExtensionOffer? {
            guard let name = readToken() else { return nil }
            var offer = ExtensionOffer(name: name)
            skipWhitespace()
            while current == UInt8(ascii: ";") {
                position += 1
                skipWhitespace()
                guard let parameterName = readToken() else { return nil }
                skipWhitespace()
                var value: String?
                if current == UInt8(ascii: "=") {
                    position += 1
                    skipWhitespace()
                    guard let parameterValue = current == UInt8(ascii: "\"") ? readQuotedToken() : readToken()
                    else { return nil }
                    value = parameterValue
                    skipWhitespace()
                }
                offer.parameters.append((name: parameterName, value: value))
            }
            return offer
        }

        private mutating func readToken() -> String? {
            let start = position
            while let byte = current, HTTPGrammar.isTokenCharacter(byte) { position += 1 }
            guard position > start else { return nil }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        /// Reads a `quoted-string` (RFC 9110 §5.6.4) whose unescaped content is a token, as
        /// RFC 6455 §9.1 requires of quoted parameter values.
        private mutating func readQuotedToken() -> String? {
            position += 1  // the opening quote
            var content: [UInt8] = []
            while let byte = current {
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard !content.isEmpty, content.allSatisfy(HTTPGrammar.isTokenCharacter) else { return nil }
                    return String(decoding: content, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = current, HTTPGrammar.isFieldValueCharacter(escaped) else { return nil }
                    content.append(escaped)
                    position += 1
                default:
                    guard HTTPGrammar.isFieldValueCharacter(byte) else { return nil }
                    content.append(byte)
                }
            }
            return nil  // unterminated
        }

        private mutating func skipWhitespace() {
            while let byte = current, HTTPGrammar.isWhitespace(byte) { position += 1 }
        }
    }
}
