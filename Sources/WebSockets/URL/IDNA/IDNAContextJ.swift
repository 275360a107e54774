/// The CONTEXTJ rules of RFC 5892 Appendix A.1 (ZERO WIDTH NON-JOINER) and A.2 (ZERO WIDTH
/// JOINER), which UTS #46 CheckJoiners applies: a joiner must follow a virama, and a ZWNJ may
/// otherwise only sit between a left- or dual-joining and a right- or dual-joining character,
/// with transparent characters between.
enum IDNAContextJ {
    static let zeroWidthNonJoiner: Unicode.Scalar = "\u{200C}"
    static let zeroWidthJoiner: Unicode.Scalar = "\u{200D}"

    /// The first ZWJ or ZWNJ of the label that its context does not allow, if any. `properties`
    /// are those of `scalars`, one for one.
    static func firstUnjustifiedJoiner(
        in scalars: [Unicode.Scalar], properties: [IDNAMappingTable.Properties]
    ) -> Unicode.Scalar? {
        for (i, c) in scalars.enumerated() where c == zeroWidthJoiner || c == zeroWidthNonJoiner {
            if i > 0, properties[i - 1].isVirama { continue }
            if c == zeroWidthNonJoiner, isBetweenJoiningCharacters(i, properties) { continue }
            return c
        }
        return nil
    }

    /// RFC 5892 A.1: (Joining_Type:{L,D})(Joining_Type:T)* ZWNJ (Joining_Type:T)*(Joining_Type:{R,D}).
    private static func isBetweenJoiningCharacters(_ i: Int, _ properties: [IDNAMappingTable.Properties]) -> Bool {
        let before = properties[..<i].last { $0.joiningType != .transparent }?.joiningType
        let after = properties[(i + 1)...].first { $0.joiningType != .transparent }?.joiningType
        return (before == .leftJoining || before == .dualJoining) && (after == .rightJoining || after == .dualJoining)
    }
}
