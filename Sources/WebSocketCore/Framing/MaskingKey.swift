/// The 32-bit key a client XORs over every payload byte it sends (RFC 6455 §5.3).
///
/// `rawValue` holds the four key bytes in wire order, most significant byte first, so
/// `MaskingKey(rawValue: 0x37fa213d)` is the key of the RFC's §5.7 examples.
public struct MaskingKey: RawRepresentable, Sendable, Hashable {
    /// The four key bytes as one word, the first byte on the wire most significant.
    public let rawValue: UInt32

    /// Creates the key whose wire bytes are `rawValue`, most significant byte first.
    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The key as four bytes in wire order.
    @inlinable
    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16),
         UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue)]
    }

    /// XORs `source` with the key into `destination` (which may be the same memory).
    ///
    /// `offset` is the position of `source`'s first byte within the whole payload, so a
    /// payload can be masked piece by piece as it arrives (RFC 6455 §5.3: octet i is XORed
    /// with key octet i mod 4). Works a SIMD vector at a time: masking is the one per-byte
    /// cost every frame a client sends or a server receives pays.
    @inlinable
    public func apply(
        from source: UnsafeRawBufferPointer,
        to destination: UnsafeMutableRawBufferPointer,
        offset: Int = 0
    ) {
        precondition(destination.count >= source.count, "destination too small for masking")
        let count = source.count
        guard count > 0, let input = source.baseAddress, let output = destination.baseAddress else { return }
        // The key word as it must lie in memory, starting at key byte `offset % 4`.
        let rotated = rawValue.rotatedLeft(by: 8 * (offset & 3))
        let word32 = UInt32(bigEndian: rotated)
        let word64 = UInt64(word32) | UInt64(word32) << 32
        var index = 0
        if count >= 32 {
            let vector = SIMD4<UInt64>(repeating: word64)
            while index + 32 <= count {
                let chunk = input.loadUnaligned(fromByteOffset: index, as: SIMD4<UInt64>.self)
                output.storeBytes(of: chunk ^ vector, toByteOffset: index, as: SIMD4<UInt64>.self)
                index += 32
            }
        }
        while index + 8 <= count {
            let chunk = input.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            output.storeBytes(of: chunk ^ word64, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        // Fewer than 8 bytes remain; `index` is a multiple of 8, so the word is in phase.
        withUnsafeBytes(of: word64) { key in
            while index < count {
                let byte = input.load(fromByteOffset: index, as: UInt8.self) ^ key[index & 7]
                output.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
                index += 1
            }
        }
    }

    /// XORs `bytes` with the key in place; see ``apply(from:to:offset:)``.
    @inlinable
    public func apply(to bytes: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        apply(from: UnsafeRawBufferPointer(bytes), to: bytes, offset: offset)
    }
}

extension UInt32 {
    @inlinable
    func rotatedLeft(by bits: Int) -> UInt32 {
        bits == 0 ? self : (self << UInt32(bits)) | (self >> UInt32(32 - bits))
    }
}
