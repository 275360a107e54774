extension UTS46 {
    /// Why ToASCII failed; each case names the status code IdnaTestV2.txt gives the failure.
    enum Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// P4: an `xn--` label with a non-ASCII code point.
        case nonASCIIACELabel(label: String)
        /// P4: an `xn--` label that is not valid Punycode.
        case invalidPunycode(label: String)
        /// P4: an `xn--` label whose Punycode decodes to nothing, or to ASCII only.
        case asciiACELabel(label: String)
        /// V1: a decoded label that is not in NFC.
        case notNFC(label: String)
        /// V2 (CheckHyphens): "--" in the third and fourth positions.
        case hyphens34(label: String)
        /// V3 (CheckHyphens): a hyphen at the start or the end.
        case leadingOrTrailingHyphen(label: String)
        /// V4: a decoded label that starts with `xn--` itself.
        case decodesToACELabel(label: String)
        /// V5: a label that begins with a combining mark.
        case leadingCombiningMark(label: String)
        /// V7: a code point the mapping table disallows (or maps, in a decoded label).
        case disallowed(Unicode.Scalar, label: String)
        /// U1 (UseSTD3ASCIIRules): ASCII other than a–z, 0–9 and "-".
        case notSTD3(Unicode.Scalar, label: String)
        /// C1, C2: a ZWNJ or ZWJ where RFC 5892 Appendix A does not allow it.
        case contextJ(Unicode.Scalar, label: String)
        /// B1–B6: the label breaks a condition of the Bidi Rule (RFC 5893 §2) in a Bidi domain name.
        case bidiRule(Int, label: String)
        /// A3: Punycode can not encode the label (it would overflow).
        case punycodeOverflow(label: String)
        /// A4_2 (VerifyDnsLength): an empty label or one longer than 63 octets.
        case labelLength(label: String)
        /// A4_1 (VerifyDnsLength): a domain longer than 253 octets.
        case domainLength(Int)

        var description: String {
            switch self {
            case .nonASCIIACELabel(let label):
                "the label \(Self.quoted(label)) starts with xn-- but is not ASCII"
            case .invalidPunycode(let label):
                "the label \(Self.quoted(label)) is not valid Punycode"
            case .asciiACELabel(let label):
                "the label \(Self.quoted(label)) does not decode to a non-ASCII label"
            case .notNFC(let label):
                "the label \(Self.quoted(label)) is not in Unicode Normalization Form C"
            case .hyphens34(let label):
                "the label \(Self.quoted(label)) has hyphens in its third and fourth positions"
            case .leadingOrTrailingHyphen(let label):
                "the label \(Self.quoted(label)) starts or ends with a hyphen"
            case .decodesToACELabel(let label):
                "the label \(Self.quoted(label)) decodes to a label that starts with xn--"
            case .leadingCombiningMark(let label):
                "the label \(Self.quoted(label)) begins with a combining mark"
            case .disallowed(let c, let label):
                "the label \(Self.quoted(label)) contains the disallowed code point \(Self.codePoint(c))"
            case .notSTD3(let c, let label):
                "the label \(Self.quoted(label)) contains \(Self.codePoint(c)), which STD3 rules disallow"
            case .contextJ(let c, let label):
                "the label \(Self.quoted(label)) has a \(c == IDNAContextJ.zeroWidthJoiner ? "zero width joiner" : "zero width non-joiner") (\(Self.codePoint(c))) where RFC 5892 does not allow one"
            case .bidiRule(let condition, let label):
                "the label \(Self.quoted(label)) breaks condition \(condition) of the Bidi Rule (RFC 5893 §2)"
            case .punycodeOverflow(let label):
                "the label \(Self.quoted(label)) is too long to encode as Punycode"
            case .labelLength(let label):
                "the label \(Self.quoted(label)) is empty or longer than 63 octets"
            case .domainLength(let length):
                "the domain is \(length) octets long, more than 253"
            }
        }

        /// A label in quotes, its invisible code points (joiners, marks, controls) written as U+XXXX.
        private static func quoted(_ label: String) -> String {
            "\"" + label.unicodeScalars.map { isVisible($0) ? String($0) : "<" + codePoint($0) + ">" }.joined() + "\""
        }

        private static func codePoint(_ c: Unicode.Scalar) -> String {
            let hex = String(c.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }

        private static func isVisible(_ c: Unicode.Scalar) -> Bool {
            switch c.properties.generalCategory {
            case .control, .format, .nonspacingMark, .enclosingMark, .spaceSeparator, .lineSeparator,
                .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                false
            default:
                true
            }
        }
    }
}
