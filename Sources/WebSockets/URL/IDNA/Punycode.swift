/// Punycode (RFC 3492), the Bootstring encoding IDNA uses to write a Unicode label in ASCII after
/// an `xn--` prefix: `münchen` ↔ `mnchen-3ya`.
enum Punycode {
    // RFC 3492 §5 "Parameter values for Punycode".
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 0x80
    /// Larger intermediate values can not come from a real label; stop before Int arithmetic could.
    private static let maxValue = Int(Int32.max)

    /// RFC 3492 §6.3 "Encoding procedure" (without the `xn--` prefix). Nil only on overflow, which
    /// needs a label of some hundred thousand code points.
    static func encode(_ input: String) -> String? {
        let codePoints = input.unicodeScalars.map { Int($0.value) }
        var output = String(String.UnicodeScalarView(input.unicodeScalars.filter(\.isASCII)))
        let basicCount = output.unicodeScalars.count
        var handled = basicCount
        if basicCount > 0 { output += "-" }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < codePoints.count {
            // The smallest code point not yet handled; all below it are already in the output.
            let m = codePoints.filter { $0 >= n }.min()!
            guard (m - n) <= (maxValue - delta) / (handled + 1) else { return nil }
            delta += (m - n) * (handled + 1)
            n = m
            for c in codePoints {
                if c < n {
                    delta += 1
                    guard delta <= maxValue else { return nil }
                }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k, bias: bias)
                        if q < t { break }
                        output.unicodeScalars.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.unicodeScalars.append(digit(q))
                    bias = adapt(delta: delta, numPoints: handled + 1, firstTime: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    /// RFC 3492 §6.2 "Decoding procedure" (without the `xn--` prefix), or nil for input that is not
    /// valid Punycode.
    static func decode(_ input: String) -> String? {
        let scalars = Array(input.unicodeScalars)
        guard scalars.allSatisfy(\.isASCII) else { return nil }
        let delimiter = scalars.lastIndex(of: "-")
        var output: [Unicode.Scalar] = delimiter.map { Array(scalars[..<$0]) } ?? []
        var position = delimiter.map { $0 + 1 } ?? 0
        var n = initialN
        var i = 0
        var bias = initialBias
        while position < scalars.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard position < scalars.count, let digit = digitValue(scalars[position]) else { return nil }
                position += 1
                guard digit <= (maxValue - i) / w else { return nil }
                i += digit * w
                let t = threshold(k, bias: bias)
                if digit < t { break }
                guard w <= maxValue / (base - t) else { return nil }
                w *= base - t
                k += base
            }
            let count = output.count + 1
            bias = adapt(delta: i - oldI, numPoints: count, firstTime: oldI == 0)
            guard i / count <= maxValue - n else { return nil }
            n += i / count
            i %= count
            // Basic code points must be written literally, never encoded.
            guard n >= initialN, let scalar = Unicode.Scalar(UInt32(n)) else { return nil }
            output.insert(scalar, at: i)
            i += 1
        }
        return String(String.UnicodeScalarView(output))
    }

    /// The threshold t(k) of RFC 3492 §6.2, clamped to [tmin, tmax].
    private static func threshold(_ k: Int, bias: Int) -> Int {
        k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
    }

    /// RFC 3492 §6.1 "Bias adaptation function".
    private static func adapt(delta: Int, numPoints: Int, firstTime: Bool) -> Int {
        var delta = firstTime ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// Digit values 0–25 are `a`–`z`, 26–35 are `0`–`9` (RFC 3492 §5), lower-case as IDNA writes them.
    private static func digit(_ value: Int) -> Unicode.Scalar {
        Unicode.Scalar(UInt8(value < 26 ? 0x61 + value : 0x30 + value - 26))
    }

    private static func digitValue(_ c: Unicode.Scalar) -> Int? {
        switch c {
        case "a"..."z": Int(c.value - 0x61)
        case "A"..."Z": Int(c.value - 0x41)
        case "0"..."9": Int(c.value - 0x30) + 26
        default: nil
        }
    }
}
