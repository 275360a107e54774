/// Incremental UTF-8 validation that fails at the first byte that cannot lead to valid text.
///
/// RFC 6455 §8.1 requires failing the connection on invalid UTF-8 in a text message; being
/// incremental and fail-fast means a message split over frames (or a frame spread over reads)
/// is rejected as soon as its bytes go wrong, not when it ends. The byte ranges are those of
/// the Unicode Standard's table of well-formed UTF-8 byte sequences (Table 3-7), so overlong
/// forms, surrogates and code points above U+10FFFF are all rejected.
public struct UTF8Validator: Sendable, Hashable {
    /// Continuation bytes still expected in the current sequence.
    private var remaining: UInt8 = 0
    /// The range the next continuation byte must fall in; narrower than 0x80...0xBF only
    /// right after E0, ED, F0 and F4.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    public init() {}

    /// Whether the bytes so far end on a character boundary: a message may only end here.
    public var isAtCharacterBoundary: Bool { remaining == 0 }

    /// Validates the next bytes of the text; returns `false` at the first invalid byte. After
    /// `false` the validator's state is meaningless.
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        while index < count {
            if remaining == 0 {
                index = Self.skipASCII(base, from: index, count: count)
                guard index < count else { return true }
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                index += 1
                guard byte >= 0x80 else { continue }
                guard startSequence(byte) else { return false }
            } else {
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                guard byte >= lower, byte <= upper else { return false }
                remaining -= 1
                lower = 0x80
                upper = 0xBF
                index += 1
            }
        }
        return true
    }

    /// Whether `bytes` on their own are complete, valid UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isAtCharacterBoundary
    }

    private mutating func startSequence(_ lead: UInt8) -> Bool {
        switch lead {
        case 0xC2...0xDF: (remaining, lower, upper) = (1, 0x80, 0xBF)
        case 0xE0: (remaining, lower, upper) = (2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (remaining, lower, upper) = (2, 0x80, 0xBF)
        case 0xED: (remaining, lower, upper) = (2, 0x80, 0x9F)
        case 0xF0: (remaining, lower, upper) = (3, 0x90, 0xBF)
        case 0xF1...0xF3: (remaining, lower, upper) = (3, 0x80, 0xBF)
        case 0xF4: (remaining, lower, upper) = (3, 0x80, 0x8F)
        default: return false  // continuation bytes, C0, C1 and F5...FF never start a sequence
        }
        return true
    }

    /// The index of the first non-ASCII byte at or after `index`, or `count`. Checks 32 bytes
    /// per step while it can: most text on the wire is ASCII.
    @inline(__always)
    private static func skipASCII(_ base: UnsafeRawPointer, from start: Int, count: Int) -> Int {
        var index = start
        let highBits = SIMD4<UInt64>(repeating: 0x8080_8080_8080_8080)
        while index + 32 <= count {
            let chunk = base.loadUnaligned(fromByteOffset: index, as: SIMD4<UInt64>.self)
            guard (chunk & highBits) == .zero else { break }
            index += 32
        }
        while index + 8 <= count {
            guard base.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 else { break }
            index += 8
        }
        while index < count, base.load(fromByteOffset: index, as: UInt8.self) < 0x80 {
            index += 1
        }
        return index
    }
}
