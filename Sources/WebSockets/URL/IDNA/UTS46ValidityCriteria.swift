import Foundation  // NFC (precomposedStringWithCanonicalMapping) only.

extension UTS46 {
    /// UTS #46 §4.1 Validity Criteria 1–8 for one label, Nontransitional. Criterion 5 (no full
    /// stop) always holds here: the domain is split at every full stop, and Punycode can not
    /// encode one. Criterion 9 (CheckBidi) needs the whole domain and is in ``process(_:options:)``.
    static func validate(_ label: String, options: Options) throws(Error) {
        let scalars = Array(label.unicodeScalars)
        // 1. NFC. Compare code points: String's == is canonical equivalence and would always agree.
        if !scalars.allSatisfy(\.isASCII),
            !label.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(scalars)
        {
            throw .notNFC(label: label)
        }
        if options.checkHyphens {
            // 2. No "--" in the third and fourth positions; 3. no hyphen at either end.
            if scalars.count >= 4, scalars[2] == "-", scalars[3] == "-" { throw .hyphens34(label: label) }
            if scalars.first == "-" || scalars.last == "-" { throw .leadingOrTrailingHyphen(label: label) }
        } else if scalars.starts(with: "xn--".unicodeScalars) {
            // 4. Only a decoded label can still start with the ACE prefix.
            throw .decodesToACELabel(label: label)
        }
        // 7. (before 6, which needs the properties only valid code points have).
        var properties: [IDNAMappingTable.Properties] = []
        for c in scalars {
            switch IDNAMappingTable.entry(for: c) {
            case .valid(let p), .deviation(let p): properties.append(p)
            case .ignored, .disallowed, .mapped: throw .disallowed(c, label: label)
            }
            if options.useSTD3ASCIIRules, c.isASCII, !(c == "-" || ("a"..."z").contains(c) || ("0"..."9").contains(c)) {
                throw .notSTD3(c, label: label)
            }
        }
        // 6. No combining mark first.
        if properties.first?.isMark == true { throw .leadingCombiningMark(label: label) }
        // 8. CheckJoiners.
        if let joiner = IDNAContextJ.firstUnjustifiedJoiner(in: scalars, properties: properties) {
            throw .contextJ(joiner, label: label)
        }
    }
}
