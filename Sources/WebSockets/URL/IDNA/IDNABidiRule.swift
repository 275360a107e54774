/// The Bidi Rule of RFC 5893 §2, which UTS #46 CheckBidi applies to every label of a "Bidi
/// domain name" (one with a right-to-left label), so that the labels display unambiguously.
enum IDNABidiRule {
    typealias BidiClass = IDNAMappingTable.BidiClass

    /// An RTL label (RFC 5893 §1.4): one with a code point of Bidi class R, AL or AN.
    static func isRTLLabel(_ label: String) -> Bool {
        label.unicodeScalars.contains { [.r, .al, .an].contains(bidiClass($0)) }
    }

    /// The number of the first condition of RFC 5893 §2 the label breaks, or nil.
    static func brokenCondition(in label: String) -> Int? {
        let classes = label.unicodeScalars.map(bidiClass)
        guard let first = classes.first else { return nil }  // the empty root label has no direction
        // The last class that is not NSM: conditions 3 and 6 skip trailing NSMs.
        let end = classes.last { $0 != .nsm }
        switch first {
        case .r, .al:
            // 2. Only R, AL, AN, EN, ES, CS, ET, ON, BN and NSM in an RTL label.
            if classes.contains(where: { ![.r, .al, .an, .en, .es, .cs, .et, .on, .bn, .nsm].contains($0) }) { return 2 }
            // 3. It ends with R, AL, EN or AN, then NSMs.
            if ![.r, .al, .en, .an].contains(end) { return 3 }
            // 4. Not both EN and AN.
            if classes.contains(.en) && classes.contains(.an) { return 4 }
        case .l:
            // 5. Only L, EN, ES, CS, ET, ON, BN and NSM in an LTR label.
            if classes.contains(where: { ![.l, .en, .es, .cs, .et, .on, .bn, .nsm].contains($0) }) { return 5 }
            // 6. It ends with L or EN, then NSMs.
            if ![.l, .en].contains(end) { return 6 }
        default:
            // 1. It starts with L, R or AL.
            return 1
        }
        return nil
    }

    /// A code point's Bidi class; `other` for one that may not be in a label anyway.
    private static func bidiClass(_ c: Unicode.Scalar) -> BidiClass {
        IDNAMappingTable.properties(of: c)?.bidiClass ?? .other
    }
}
