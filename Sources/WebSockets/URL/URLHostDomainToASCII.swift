import Foundation  // Unicode normalisation (NFKC) only; the URL itself is never given to Foundation.

extension URLHost {
    /// "Domain to ASCII" (URL Standard §3.5) with *beStrict* false: lower-case the domain and write
    /// non-ASCII labels as `xn--` punycode, then reject forbidden domain code points.
    ///
    /// An ASCII domain without `xn--` labels, the common case, is simply ASCII lower-cased, exactly
    /// as the standard says. For other domains the standard runs UTS #46 ToASCII; this is an
    /// approximation of it, not the full algorithm: the UTS #46 mapping table is approximated by
    /// NFKC, Unicode lower-casing and the ideographic full stops, a few default-ignorable code
    /// points are removed, and the validity checks are reduced to "no controls, format, unassigned,
    /// private-use or space characters, no leading combining mark, `xn--` labels must decode".
    /// CheckBidi and CheckJoiners are not implemented (ZWJ and ZWNJ are rejected outright). Hosts
    /// that differ from a browser's are therefore possible only for unusual non-ASCII domains.
    static func domainToASCII(_ domain: String) throws(Failure) -> String {
        let isPlainASCII =
            domain.utf8.allSatisfy { $0 < 0x80 }
            && !domain.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false).contains(where: hasACEPrefix)
        let result = isPlainASCII ? asciiLowercased(domain) : try uts46ToASCII(domain)
        guard !result.isEmpty else { throw .domainToASCII("the host is empty") }
        if let c = result.unicodeScalars.first(where: WebSocketURL.CodePoint.isForbiddenDomainCodePoint) {
            throw .domainInvalidCodePoint(c)
        }
        return result
    }

    /// Whether a label starts with the ACE prefix `xn--`, in any case.
    private static func hasACEPrefix(_ label: Substring.UnicodeScalarView) -> Bool {
        label.prefix(4).map(WebSocketURL.CodePoint.asciiLowercased).elementsEqual("xn--".unicodeScalars)
    }

    private static func hasACEPrefix(_ label: String) -> Bool {
        hasACEPrefix(label.unicodeScalars[...])
    }

    /// "ASCII lowercase" (Infra).
    private static func asciiLowercased(_ string: String) -> String {
        String(decoding: string.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The approximation of UTS #46 ToASCII described at ``domainToASCII(_:)``: map, then check
    /// and convert each label.
    private static func uts46ToASCII(_ domain: String) throws(Failure) -> String {
        let mapped = uts46Map(domain)
        var labels: [String] = []
        // Split on the code point, not on Characters: ".\u{301}" is one Character but two labels.
        for label in mapped.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false) {
            labels.append(try convertLabel(String(String.UnicodeScalarView(label))))
        }
        return labels.joined(separator: ".")
    }

    /// UTS #46 §4 step 1–2, approximated: drop ignored code points, NFKC, lower-case, and map the
    /// ideographic full stops to ".".
    private static func uts46Map(_ domain: String) -> String {
        let ignored: Set<UInt32> = [0xAD, 0x34F, 0x180B, 0x180C, 0x180D, 0x180F, 0x200B, 0x2060, 0x2064, 0xFEFF]
        var kept = String.UnicodeScalarView()
        for c in domain.unicodeScalars where !ignored.contains(c.value) && !(0xFE00...0xFE0F).contains(c.value) {
            kept.append(c)
        }
        let normalized = String(kept).precomposedStringWithCompatibilityMapping.lowercased()
            .precomposedStringWithCompatibilityMapping
        var output = String.UnicodeScalarView()
        for c in normalized.unicodeScalars {
            output.append(c == "\u{3002}" || c == "\u{FF61}" ? "." : c)
        }
        return String(output)
    }

    /// UTS #46 §4 steps 3–4 and §4.2 for one mapped label: validate, then punycode if non-ASCII.
    private static func convertLabel(_ label: String) throws(Failure) -> String {
        if hasACEPrefix(label) {
            let encoded = String(String.UnicodeScalarView(label.unicodeScalars.dropFirst(4)))
            guard let decoded = Punycode.decode(encoded), !encoded.isEmpty else {
                throw .domainToASCII("the label \"\(label)\" is not valid punycode")
            }
            guard !decoded.unicodeScalars.allSatisfy(\.isASCII), uts46Map(decoded) == decoded,
                !hasACEPrefix(decoded)
            else {
                throw .domainToASCII("the label \"\(label)\" does not decode to a valid non-ASCII label")
            }
            try validate(decoded)
            return label
        }
        guard !label.unicodeScalars.allSatisfy(\.isASCII) else { return label }
        try validate(label)
        guard let encoded = Punycode.encode(label) else {
            throw .domainToASCII("the label \"\(label)\" is too long to encode")
        }
        return "xn--" + encoded
    }

    /// The reduced UTS #46 §4.1 validity criteria for a non-ASCII label.
    private static func validate(_ label: String) throws(Failure) {
        if let first = label.unicodeScalars.first {
            switch first.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                throw .domainToASCII("the label \"\(label)\" begins with a combining mark")
            default:
                break
            }
        }
        for c in label.unicodeScalars {
            switch c.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate, .spaceSeparator, .lineSeparator,
                .paragraphSeparator:
                throw .domainToASCII("the host contains the disallowed code point \(WebSocketURL.ValidationError.quoted(c))")
            default:
                if c == "\u{FFFD}" {
                    // What invalid UTF-8 in a percent-encoded host decodes to.
                    throw .domainToASCII("the host contains invalid UTF-8 or U+FFFD")
                }
            }
        }
    }
}
