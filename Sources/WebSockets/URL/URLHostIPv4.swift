extension URLHost {
    /// "Ends in a number checker" (URL Standard §3.5): whether a domain's last label (ignoring one
    /// trailing dot) is a number, in which case the whole host must parse as IPv4 or fail — so
    /// `ws://1.2.3.4.5/` is an error rather than a domain.
    static func endsInANumber(_ input: String) -> Bool {
        // Split code points, not Characters: cheaper, and the input is ASCII by now anyway.
        var parts = input.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true {
            if parts.count == 1 { return false }
            parts.removeLast()
        }
        guard let last = parts.last else { return false }
        if !last.isEmpty, last.allSatisfy(WebSocketURL.CodePoint.isASCIIDigit) { return true }
        return parseIPv4Number(last) != nil
    }

    /// "IPv4 parser" (§3.5): one to four dot-separated numbers, each decimal, octal (leading `0`)
    /// or hex (leading `0x`), the last filling all remaining bytes, so `0x7f.1` is 127.0.0.1.
    static func parseIPv4(_ input: String) throws(Failure) -> UInt32 {
        var parts = input.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true, parts.count > 1 { parts.removeLast() }
        guard parts.count <= 4 else { throw .ipv4TooManyParts }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = parseIPv4Number(part) else { throw .ipv4NonNumericPart(String(Substring(part))) }
            numbers.append(number)
        }
        guard let last = numbers.popLast() else { throw .ipv4NonNumericPart("") }
        if numbers.contains(where: { $0 > 255 }) { throw .ipv4OutOfRangePart }
        // The last number may take up 5 - count bytes: 4 bytes alone, 1 byte after three others.
        guard last < UInt64(1) << (8 * (4 - numbers.count)) else { throw .ipv4OutOfRangePart }
        var ipv4 = last
        for (counter, number) in numbers.enumerated() {
            ipv4 += number << (8 * (3 - counter))
        }
        return UInt32(ipv4)
    }

    /// "IPv4 number parser" (§3.5), or nil for failure. Values are capped just above 2³² so that
    /// long digit strings fail the range checks instead of overflowing.
    static func parseIPv4Number(_ input: Substring.UnicodeScalarView) -> UInt64? {
        var digits = input
        guard !digits.isEmpty else { return nil }
        var radix: UInt64 = 10
        if digits.count >= 2, digits.first == "0", let second = digits.dropFirst().first, second == "x" || second == "X" {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2, digits.first == "0" {
            digits = digits.dropFirst()
            radix = 8
        }
        if digits.isEmpty { return 0 }
        let cap: UInt64 = 1 << 33
        var output: UInt64 = 0
        for c in digits {
            guard c.isASCII, let hex = WebSocketURL.hexValue(UInt8(c.value)), UInt64(hex) < radix else { return nil }
            output = Swift.min(output * radix + UInt64(hex), cap)
        }
        return output
    }

    /// "IPv4 serializer" (§3.6): four decimal bytes joined by dots.
    static func serializeIPv4(_ address: UInt32) -> String {
        (0..<4).map { String((address >> (8 * (3 - $0))) & 0xFF) }.joined(separator: ".")
    }
}
