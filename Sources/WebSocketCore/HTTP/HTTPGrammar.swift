/// Character classes and comparisons of HTTP/1.1 syntax (RFC 9110 §5.5, §5.6; RFC 9112 §2.2),
/// shared by the head parser, the header lookups and the handshake builders.
enum HTTPGrammar {
    /// `tchar` (RFC 9110 §5.6.2): the characters a token (method, field name, protocol name,
    /// extension name) may hold.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `SP` / `HTAB`: the optional whitespace (`OWS`) of RFC 9110 §5.6.3.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// `VCHAR`: visible US-ASCII (RFC 5234 Appendix B.1).
    static func isVisibleASCII(_ byte: UInt8) -> Bool {
        byte >= 0x21 && byte <= 0x7E
    }

    /// A byte allowed in a field value or reason phrase: `VCHAR`, `obs-text`, `SP` or `HTAB`
    /// (RFC 9110 §5.5, RFC 9112 §4). Everything else, notably CR, LF and NUL, is refused
    /// because it is how header injection and request smuggling start.
    static func isFieldValueCharacter(_ byte: UInt8) -> Bool {
        isVisibleASCII(byte) || byte >= 0x80 || isWhitespace(byte)
    }

    /// Whether `string` is a non-empty `token` (RFC 9110 §5.6.2).
    static func isToken(_ string: some StringProtocol) -> Bool {
        !string.isEmpty && string.utf8.allSatisfy(isTokenCharacter)
    }

    /// Whether `string` can be written as a field value without trimming or escaping: only
    /// field-value characters, no leading or trailing whitespace.
    static func isFieldValue(_ string: String) -> Bool {
        let utf8 = string.utf8
        guard utf8.allSatisfy(isFieldValueCharacter) else { return false }
        if let first = utf8.first, isWhitespace(first) { return false }
        if let last = utf8.last, isWhitespace(last) { return false }
        return true
    }

    /// ASCII case-insensitive equality, the comparison HTTP uses for field names, tokens and
    /// the WebSocket keywords (RFC 9110 §5.1, RFC 6455 §2.1). Non-ASCII bytes compare exactly,
    /// so no locale or Unicode folding can make two different names match.
    static func equalsCaseInsensitively(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8) { lowercased($0) == lowercased($1) }
    }

    /// Trims `OWS` from both ends, as list parsing requires (RFC 9110 §5.6.1).
    static func trimmingWhitespace(_ string: Substring) -> Substring {
        let utf8 = string.utf8
        guard let start = utf8.firstIndex(where: { !isWhitespace($0) }),
            let last = utf8.lastIndex(where: { !isWhitespace($0) })
        else { return string[string.endIndex...] }
        // Slicing the UTF-8 view keeps a multi-byte last character whole.
        return Substring(utf8[start...last])
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
