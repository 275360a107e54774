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

    /// Creates a validator for the start of a text, on a character boundary.
    public init() {}

    /// Whether the bytes so far end on a character boundary: a message may only end here.
    public var isAtCharacterBoundary: Bool { remaining == 0 }

    /// Validates the next bytes of the text; returns `false` at the first invalid byte. After
    /// `false` the validator's state is meaningless.
    ///
    /// A sequence that lies wholly inside `bytes` is checked in one step, with the state kept
    /// in locals; only a sequence cut by the end of `bytes` is remembered byte by byte.
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        // Finish a sequence the previous bytes began.
        while remaining > 0 {
            guard index < count else { return true }
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            guard byte >= lower, byte <= upper else { return false }
            (remaining, lower, upper) = (remaining - 1, 0x80, 0xBF)
            index += 1
        }
        while index < count {
            var lead = base.load(fromByteOffset: index, as: UInt8.self)
            if lead < 0x80 {
                index = Self.skipASCII(base, from: index + 1, count: count)
                guard index < count else { return true }
                lead = base.load(fromByteOffset: index, as: UInt8.self)
            }
            guard let (length, secondLower, secondUpper) = Self.sequence(startingWith: lead) else { return false }
            guard index + length <= count else {
                // Cut by the end of the bytes: check what is here, remember what must follow.
                (remaining, lower, upper) = (UInt8(length - 1), secondLower, secondUpper)
                for next in (index + 1)..<count {
                    let byte = base.load(fromByteOffset: next, as: UInt8.self)
                    guard byte >= lower, byte <= upper else { return false }
                    (remaining, lower, upper) = (remaining - 1, 0x80, 0xBF)
                }
                return true
            }
            let second = base.load(fromByteOffset: index + 1, as: UInt8.self)
            guard second >= secondLower, second <= secondUpper else { return false }
            for next in (index + 2)..<(index + length) {
                guard base.load(fromByteOffset: next, as: UInt8.self) & 0xC0 == 0x80 else { return false }
            }
            index += length
        }
        return true
    }

    /// Whether `bytes` on their own are complete, valid UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isAtCharacterBoundary
    }

    /// The length of the sequence `lead` starts and the range its second byte must fall in,
    /// narrower than 0x80...0xBF after E0, ED, F0 and F4 (overlongs, surrogates, > U+10FFFF);
    /// `nil` for continuation bytes, C0, C1 and F5...FF, which never start a sequence.
    @inline(__always)
    private static func sequence(startingWith lead: UInt8) -> (length: Int, lower: UInt8, upper: UInt8)? {
        switch lead {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        default: nil
        }
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
