extension WebSocketURL {
    /// Why the basic URL parser returned failure, named after the URL Standard's validation errors
    /// (§1.1 "Validation"). Only the errors that make parsing fail are here; the others the standard
    /// lists are recoverable and the parser goes on without reporting them.
    enum ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
        case missingSchemeNonRelativeURL
        case hostMissing
        case portOutOfRange(String)
        case portInvalid(Unicode.Scalar)
        case hostInvalidCodePoint(Unicode.Scalar)
        case domainInvalidCodePoint(Unicode.Scalar)
        case domainToASCII(String)
        case ipv4TooManyParts
        case ipv4NonNumericPart(String)
        case ipv4OutOfRangePart
        case ipv6Unclosed
        case ipv6InvalidCompression
        case ipv6TooManyPieces
        case ipv6MultipleCompression
        case ipv6InvalidCodePoint
        case ipv6TooFewPieces
        case ipv4InIPv6TooManyPieces
        case ipv4InIPv6InvalidCodePoint
        case ipv4InIPv6OutOfRangePart
        case ipv4InIPv6TooFewParts

        /// The standard's name for the error, then what it means.
        var description: String {
            switch self {
            case .missingSchemeNonRelativeURL:
                "missing-scheme-non-relative-URL: the input has no scheme and no base URL it could be relative to"
            case .hostMissing:
                "host-missing: the URL has an authority but an empty host"
            case .portOutOfRange(let digits):
                "port-out-of-range: port \(digits) is greater than 65535"
            case .portInvalid(let c):
                "port-invalid: the port contains \(Self.quoted(c)), not only digits"
            case .hostInvalidCodePoint(let c):
                "host-invalid-code-point: the host contains the forbidden code point \(Self.quoted(c))"
            case .domainInvalidCodePoint(let c):
                "domain-invalid-code-point: the host contains the forbidden code point \(Self.quoted(c))"
            case .domainToASCII(let reason):
                "domain-to-ASCII: \(reason)"
            case .ipv4TooManyParts:
                "IPv4-too-many-parts: the IPv4 address has more than four parts"
            case .ipv4NonNumericPart(let part):
                "IPv4-non-numeric-part: the host looks like an IPv4 address but part \"\(part)\" is not a number"
            case .ipv4OutOfRangePart:
                "IPv4-out-of-range-part: a part of the IPv4 address is too large"
            case .ipv6Unclosed:
                "IPv6-unclosed: the IPv6 address has no closing ]"
            case .ipv6InvalidCompression:
                "IPv6-invalid-compression: the IPv6 address starts with a single :"
            case .ipv6TooManyPieces:
                "IPv6-too-many-pieces: the IPv6 address has more than eight pieces"
            case .ipv6MultipleCompression:
                "IPv6-multiple-compression: the IPv6 address contains :: more than once"
            case .ipv6InvalidCodePoint:
                "IPv6-invalid-code-point: the IPv6 address contains a code point that does not belong there"
            case .ipv6TooFewPieces:
                "IPv6-too-few-pieces: the IPv6 address has fewer than eight pieces and no ::"
            case .ipv4InIPv6TooManyPieces:
                "IPv4-in-IPv6-too-many-pieces: the embedded IPv4 address does not fit in the IPv6 address"
            case .ipv4InIPv6InvalidCodePoint:
                "IPv4-in-IPv6-invalid-code-point: the embedded IPv4 address is malformed"
            case .ipv4InIPv6OutOfRangePart:
                "IPv4-in-IPv6-out-of-range-part: a part of the embedded IPv4 address is greater than 255"
            case .ipv4InIPv6TooFewParts:
                "IPv4-in-IPv6-too-few-parts: the embedded IPv4 address has fewer than four parts"
            }
        }

        /// A code point as a reader can see it, even when it is a space or a control.
        static func quoted(_ c: Unicode.Scalar) -> String {
            if c.value > 0x20 && c.value != 0x7F { return "\"\(c)\"" }
            return "U+" + String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
