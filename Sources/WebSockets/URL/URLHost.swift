/// A host of a URL record (URL Standard §3.1 "Host representation").
enum URLHost: Sendable, Hashable {
    /// An ASCII domain, lower-cased, non-ASCII labels already in punycode.
    case domain(String)
    case ipv4(UInt32)
    /// Eight 16-bit pieces.
    case ipv6([UInt16])
    /// The host of a non-special URL, percent-encoded but otherwise as written.
    case opaque(String)
    /// The empty host, as in `file:///`.
    case empty

    typealias Failure = WebSocketURL.ValidationError

    /// "Host serializer" (§3.6): IPv6 addresses in brackets, everything else as it is stored.
    var serialized: String {
        switch self {
        case .domain(let string), .opaque(let string): string
        case .ipv4(let address): Self.serializeIPv4(address)
        case .ipv6(let pieces): "[" + Self.serializeIPv6(pieces) + "]"
        case .empty: ""
        }
    }

    /// "Host parser" (§3.5): `isOpaque` is true for URLs whose scheme is not special.
    static func parse(_ input: String, isOpaque: Bool) throws(Failure) -> URLHost {
        let scalars = Array(input.unicodeScalars)
        if scalars.first == "[" {
            guard scalars.count >= 2, scalars.last == "]" else { throw .ipv6Unclosed }
            return .ipv6(try parseIPv6(Array(scalars.dropFirst().dropLast())))
        }
        if isOpaque { return try parseOpaqueHost(input) }
        // The standard percent-decodes first, so "%65xample.com" is "example.com" and "%2F" can
        // not slip a forbidden code point past the checks below.
        let domain = String(decoding: WebSocketURL.percentDecode(input), as: UTF8.self)
        let asciiDomain = try domainToASCII(domain)
        if endsInANumber(asciiDomain) { return .ipv4(try parseIPv4(asciiDomain)) }
        return .domain(asciiDomain)
    }

    /// "Opaque-host parser" (§3.5): reject forbidden host code points, percent-encode the rest with
    /// the C0 control percent-encode set.
    static func parseOpaqueHost(_ input: String) throws(Failure) -> URLHost {
        if input.isEmpty { return .empty }
        var output = ""
        for c in input.unicodeScalars {
            if WebSocketURL.CodePoint.isForbiddenHostCodePoint(c) { throw .hostInvalidCodePoint(c) }
            WebSocketURL.percentEncode(c, .c0Control, into: &output)
        }
        return .opaque(output)
    }
}
