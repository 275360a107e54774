import Foundation  // NFC (precomposedStringWithCanonicalMapping) only.

/// Unicode Technical Standard #46 "Unicode IDNA Compatibility Processing", Nontransitional, with
/// CheckBidi and CheckJoiners on and IgnoreInvalidPunycode off: the ToASCII the URL Standard's
/// "domain to ASCII" (§3.5) runs. The mapping data is ``IDNAMappingTable``.
enum UTS46 {
    /// The flags of UTS #46 §4 that differ between the URL Standard (all off) and Unicode's
    /// conformance file IdnaTestV2.txt (all on), which the tests run.
    struct Options: Sendable, Hashable {
        var checkHyphens: Bool
        var useSTD3ASCIIRules: Bool
        var verifyDNSLength: Bool

        /// URL Standard §3.5 "domain to ASCII" with *beStrict* false, as the URL parser runs it.
        static let url = Options(checkHyphens: false, useSTD3ASCIIRules: false, verifyDNSLength: false)
    }

    /// UTS #46 §4.2 ToASCII: process the domain, then write each non-ASCII label as `xn--` Punycode.
    static func toASCII(_ domain: String, options: Options) throws(Error) -> String {
        var labels: [String] = []
        for label in try process(domain, options: options) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(label)
            } else if let encoded = Punycode.encode(label) {
                labels.append("xn--" + encoded)
            } else {
                throw .punycodeOverflow(label: label)
            }
        }
        if options.verifyDNSLength { try verifyDNSLength(labels) }
        return labels.joined(separator: ".")
    }

    /// UTS #46 §4 Processing, steps 1–4: the labels of the domain, mapped, in NFC, `xn--` labels
    /// decoded, each checked against the validity criteria (§4.1).
    static func process(_ domain: String, options: Options) throws(Error) -> [String] {
        var mapped = String.UnicodeScalarView()
        for c in domain.unicodeScalars {
            switch IDNAMappingTable.entry(for: c) {
            // Disallowed code points stay for the validity criteria to reject (step 1).
            case .valid, .deviation, .disallowed: mapped.append(c)
            case .ignored: break
            case .mapped(let replacement): mapped.append(contentsOf: replacement)
            }
        }
        let normalized = String(mapped).precomposedStringWithCanonicalMapping
        var labels: [String] = []
        // Split on the code point, not on Characters: ".\u{301}" is one Character but two labels.
        for label in normalized.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false) {
            labels.append(try convert(String(String.UnicodeScalarView(label)), options: options))
        }
        // CheckBidi looks at the whole domain: the Bidi rule binds every label of a Bidi domain name.
        if labels.contains(where: IDNABidiRule.isRTLLabel) {
            for label in labels {
                if let condition = IDNABidiRule.brokenCondition(in: label) {
                    throw .bidiRule(condition, label: label)
                }
            }
        }
        return labels
    }

    /// Step 4 "Convert/Validate" for one label: decode an `xn--` label, then apply the validity
    /// criteria.
    private static func convert(_ label: String, options: Options) throws(Error) -> String {
        guard label.unicodeScalars.starts(with: "xn--".unicodeScalars) else {
            try validate(label, options: options)
            return label
        }
        guard label.unicodeScalars.allSatisfy(\.isASCII) else { throw .nonASCIIACELabel(label: label) }
        guard let decoded = Punycode.decode(String(label.unicodeScalars.dropFirst(4))) else {
            throw .invalidPunycode(label: label)
        }
        guard !decoded.unicodeScalars.allSatisfy(\.isASCII) else { throw .asciiACELabel(label: label) }
        try validate(decoded, options: options)
        return decoded
    }

    /// VerifyDnsLength (§4.2 step 3): labels of 1 to 63 and a domain of 1 to 253 octets. An empty
    /// root label (a trailing dot) fails too, as IdnaTestV2.txt expects.
    private static func verifyDNSLength(_ labels: [String]) throws(Error) {
        if let label = labels.first(where: { $0.utf8.isEmpty || $0.utf8.count > 63 }) {
            throw .labelLength(label: label)
        }
        let length = labels.reduce(labels.count - 1) { $0 + $1.utf8.count }
        guard length <= 253 else { throw .domainLength(length) }
    }
}
