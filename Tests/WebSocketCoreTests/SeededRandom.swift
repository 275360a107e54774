/// A deterministic generator (SplitMix64) so that every "random" test replays exactly from its seed.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// Always the same masking key, so a client engine's output bytes can be written down exactly.
struct FixedMaskingKeys: RandomNumberGenerator, Sendable {
    var key: UInt32 = 0x0102_0304
    mutating func next() -> UInt64 { UInt64(key) }
}
