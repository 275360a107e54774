extension WebSocketURL {
    /// The percent-encode sets of the URL Standard (§1.3 "Percent-encoded bytes"), each a superset of
    /// the one before it except where noted.
    enum PercentEncodeSet {
        /// C0 controls and everything above U+007E: opaque paths and opaque hosts.
        case c0Control
        /// C0 control set plus space, `"`, `<`, `>` and `` ` ``.
        case fragment
        /// C0 control set plus space, `"`, `#`, `<` and `>` (not `` ` ``, so not built on ``fragment``).
        case query
        /// The query set plus `'`: queries of special URLs (`ws:`, `http:` …).
        case specialQuery
        /// The query set plus `?`, `^`, `` ` ``, `{` and `}`.
        case path
        /// The path set plus `/`, `:`, `;`, `=`, `@`, `[`–`^` and `|`.
        case userinfo

        /// Whether `scalar` must be written as `%XX` escapes in this set.
        func contains(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            if value < 0x20 || value > 0x7E { return true }
            switch self {
            case .c0Control:
                return false
            case .fragment:
                return " \"<>`".unicodeScalars.contains(scalar)
            case .query:
                return " \"#<>".unicodeScalars.contains(scalar)
            case .specialQuery:
                return " \"#<>'".unicodeScalars.contains(scalar)
            case .path:
                return " \"#<>?^`{}".unicodeScalars.contains(scalar)
            case .userinfo:
                return " \"#<>?^`{}/:;=@[\\]|".unicodeScalars.contains(scalar)
            }
        }
    }

    /// "UTF-8 percent-encode" (URL Standard §1.3) `scalar` onto `output`: the scalar itself, or its
    /// UTF-8 bytes as `%XX` with upper-case hex digits when the set contains it.
    static func percentEncode(_ scalar: Unicode.Scalar, _ set: PercentEncodeSet, into output: inout String) {
        guard set.contains(scalar) else {
            output.unicodeScalars.append(scalar)
            return
        }
        for byte in scalar.utf8 {
            output.unicodeScalars.append("%")
            output.unicodeScalars.append(upperHexDigits[Int(byte >> 4)])
            output.unicodeScalars.append(upperHexDigits[Int(byte & 0x0F)])
        }
    }

    private static let upperHexDigits = Array("0123456789ABCDEF".unicodeScalars)

    /// "Percent-decode" a string (URL Standard §1.3): its UTF-8 bytes with every `%XX` replaced by
    /// the byte it names; a `%` not followed by two hex digits stays as it is.
    static func percentDecode(_ string: String) -> [UInt8] {
        let input = Array(string.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }

    /// The value of an ASCII hex digit, or nil.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
