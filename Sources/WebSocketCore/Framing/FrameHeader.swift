public import NIOCore

/// The fixed part of a frame: everything before the payload (RFC 6455 §5.2).
public struct FrameHeader: Sendable, Hashable {
    /// FIN: this frame is the last of its message (§5.2); control frames always have it (§5.5).
    public var fin: Bool
    /// RSV1–RSV3 as set on the wire; zero unless a negotiated extension defines them (§5.2).
    public var reservedBits: ReservedBits
    /// How to interpret the payload: a data frame, a continuation or a control frame (§5.2).
    public var opcode: Opcode
    /// Present on every frame a client sends, absent on every frame a server sends (§5.3).
    public var maskingKey: MaskingKey?
    /// The payload length in bytes, whichever of the 7-, 16- or 64-bit encodings carried it (§5.2).
    public var payloadLength: Int

    /// Creates a header from its fields; the length encoding and the MASK bit on the wire follow
    /// from `payloadLength` and `maskingKey`.
    @inlinable
    public init(fin: Bool, reservedBits: ReservedBits = [], opcode: Opcode, maskingKey: MaskingKey?, payloadLength: Int) {
        self.fin = fin
        self.reservedBits = reservedBits
        self.opcode = opcode
        self.maskingKey = maskingKey
        self.payloadLength = payloadLength
    }

    /// Bytes the header takes on the wire: lengths use their shortest encoding (§5.2).
    @inlinable
    public var encodedLength: Int {
        let extendedLength = payloadLength < 126 ? 0 : payloadLength <= 0xFFFF ? 2 : 8
        return 2 + extendedLength + (maskingKey == nil ? 0 : 4)
    }

    /// Appends the header to `buffer`.
    @inlinable
    public func write(to buffer: inout ByteBuffer) {
        var first = opcode.rawValue | reservedBits.rawValue
        if fin { first |= 0x80 }
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        if payloadLength < 126 {
            buffer.writeMultipleIntegers(first, maskBit | UInt8(payloadLength))
        } else if payloadLength <= 0xFFFF {
            buffer.writeMultipleIntegers(first, maskBit | 126, UInt16(payloadLength))
        } else {
            buffer.writeMultipleIntegers(first, maskBit | 127, UInt64(payloadLength))
        }
        if let maskingKey { buffer.writeInteger(maskingKey.rawValue) }
    }

    /// Parses the header at the start of `buffer`'s readable bytes without consuming them.
    ///
    /// Every rule that needs only the header is checked here, each as soon as the bytes it
    /// depends on are present — before any payload is buffered: reserved opcodes, RSV bits
    /// not claimed by an extension, the masking direction (§5.1), control frames that are
    /// fragmented or longer than 125 bytes (§5.5), lengths with the top bit set or not in
    /// their shortest form, and `maxFrameSize`.
    ///
    /// - Returns: the header and its length on the wire, or `nil` if more bytes are needed.
    public static func parse(
        _ buffer: ByteBuffer,
        role: Role,
        allowedReservedBits: ReservedBits = [],
        maxFrameSize: Int = .max
    ) throws(ProtocolError) -> (header: FrameHeader, length: Int)? {
        guard let (first, second) = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt8, UInt8).self) else {
            return nil
        }
        guard let opcode = Opcode(rawValue: first & 0x0F) else { throw .reservedOpcode(first & 0x0F) }
        let reservedBits = ReservedBits(rawValue: first & 0x70)
        let unclaimed = reservedBits.subtracting(allowedReservedBits)
        guard unclaimed.isEmpty else { throw .reservedBitsSet(unclaimed) }
        let fin = first & 0x80 != 0
        let masked = second & 0x80 != 0
        switch (role, masked) {
        case (.server, false): throw .unmaskedFrameFromClient
        case (.client, true): throw .maskedFrameFromServer
        default: break
        }
        let shortLength = Int(second & 0x7F)
        if opcode.isControl {
            guard fin else { throw .fragmentedControlFrame }
            guard shortLength <= 125 else { throw .controlFrameTooLong(shortLength) }
        }

        var cursor = buffer.readerIndex + 2
        let payloadLength: Int
        switch shortLength {
        case 126:
            guard let length = buffer.getInteger(at: cursor, as: UInt16.self) else { return nil }
            guard length >= 126 else { throw .nonMinimalPayloadLength }
            payloadLength = Int(length)
            cursor += 2
        case 127:
            guard let length = buffer.getInteger(at: cursor, as: UInt64.self) else { return nil }
            guard length & (1 << 63) == 0 else { throw .payloadLengthTooLarge }
            guard length > 0xFFFF else { throw .nonMinimalPayloadLength }
            payloadLength = Int(length)
            cursor += 8
        default:
            payloadLength = shortLength
        }
        guard payloadLength <= maxFrameSize else { throw .frameTooLarge(length: payloadLength, limit: maxFrameSize) }

        var maskingKey: MaskingKey?
        if masked {
            guard let key = buffer.getInteger(at: cursor, as: UInt32.self) else { return nil }
            maskingKey = MaskingKey(rawValue: key)
            cursor += 4
        }
        let header = FrameHeader(
            fin: fin, reservedBits: reservedBits, opcode: opcode, maskingKey: maskingKey, payloadLength: payloadLength)
        return (header, cursor - buffer.readerIndex)
    }
}
