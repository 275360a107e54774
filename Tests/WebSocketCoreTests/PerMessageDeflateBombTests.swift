import NIOCore
import Testing
@testable import WebSocketCore

/// Decompression bombs: compressed messages far smaller than what they inflate to. The
/// engine must fail with 1009 as soon as the decompressed message passes `maxMessageSize`,
/// having decompressed no more than that, and without waiting for the rest of the input.
@Suite("permessage-deflate bombs")
struct PerMessageDeflateBombTests {
    /// Bits in DEFLATE's order: values least significant bit first, Huffman codes most
    /// significant bit first (RFC 1951 §3.1.1).
    struct BitWriter {
        var bytes: [UInt8] = []
        private var count = 0

        mutating func write(_ value: UInt32, count bits: Int) {
            for index in 0..<bits {
                if count % 8 == 0 { bytes.append(0) }
                bytes[bytes.count - 1] |= UInt8((value >> index) & 1) << (count % 8)
                count += 1
            }
        }

        mutating func writeCode(_ code: UInt32, count bits: Int) {
            for index in (0..<bits).reversed() { write(code >> index, count: 1) }
        }
    }

    /// A DEFLATE stream of `count` bytes, hand-made (RFC 1951 §3.2.7): one dynamic block whose
    /// codes give length 258 and distance 1 one bit each, so that after a zero literal every
    /// two zero bits copy 258 more zeros. `count` bytes inflate to about 1032 × `count`; the
    /// block never ends.
    static func bomb(count: Int) -> [UInt8] {
        var bits = BitWriter()
        bits.write(0, count: 1)  // BFINAL clear
        bits.write(2, count: 2)  // BTYPE 10: dynamic Huffman codes
        bits.write(29, count: 5)  // HLIT: 286 literal/length codes
        bits.write(0, count: 5)  // HDIST: 1 distance code
        bits.write(14, count: 4)  // HCLEN: 18 code length codes
        // Code length code lengths, in RFC 1951's order: symbols 0, 1, 2 and 18 get 2 bits.
        for symbol in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
            bits.write([0, 1, 2, 18].contains(symbol) ? 2 : 0, count: 3)
        }
        // Their canonical codes are 00, 01, 10 and 11, in symbol order.
        let codes: [Int: UInt32] = [0: 0b00, 1: 0b01, 2: 0b10, 18: 0b11]
        func length(_ symbol: Int) { bits.writeCode(codes[symbol]!, count: 2) }
        func zeros(_ run: Int) {
            length(18)
            bits.write(UInt32(run - 11), count: 7)
        }
        // Literal/length code lengths: literal 0 and end-of-block 2 bits, length 258 1 bit.
        length(2)
        zeros(138)
        zeros(117)
        length(2)
        zeros(28)
        length(1)
        // Distance code lengths: distance 1, 1 bit.
        length(1)
        // Canonical codes: length 258 is 0, literal 0 is 10, end-of-block 11; distance 1 is 0.
        bits.writeCode(0b10, count: 2)
        // From here on every zero bit pair is "length 258, distance 1".
        return bits.bytes + repeatElement(0, count: count - bits.bytes.count)
    }

    static let limit = 1 << 20
    static let deflate = Connection.Configuration(limits: Limits(maxMessageSize: limit), perMessageDeflate: .init())

    @Test func theHandMadeStreamIsABomb() throws {
        var decompressor = PerMessageDeflate.Decompressor(windowBits: 15)
        var output = ByteBuffer()
        var zeros = true
        try Self.bomb(count: 16 * 1024).withUnsafeBytes { input in
            try decompressor.decompress(input, into: &output, limit: 64 << 20) { piece in
                zeros = zeros && piece.allSatisfy { $0 == 0 }
            }
        }
        #expect(output.readableBytes > 16 << 20)
        #expect(zeros)
    }

    /// 1 MiB on the wire, within the limit, that would inflate to over a gigabyte.
    @Test(arguments: [Role.client, .server])
    func aMessageInflatingToAGigabyteFailsOnItsFirstRead(_ role: Role) {
        let input = Wire.frame(0x2, Self.bomb(count: Self.limit), rsv: 4, mask: Wire.peerKey(for: role))
        var connection = Connection.testing(role, Self.deflate)
        let clock = ContinuousClock()
        let start = clock.now
        var fed = 0
        var actions: [ConnectionAction] = []
        while fed < input.count, actions.isEmpty {
            let read = Array(input[fed..<min(fed + 4096, input.count)])
            actions = connection.receive(read, chunking: .whole)
            fed += read.count
        }
        let elapsed = clock.now - start
        #expect(actions == [.closeTransport])
        #expect(connection.failure == .messageTooLarge(limit: Self.limit))
        #expect(connection.drainOutput() == Wire.close(1009, mask: Wire.key(for: role)))
        // About 1 KiB of this input inflates to 1 MiB: the first 4 KiB read is enough.
        #expect(fed == 4096)
        #expect(elapsed < .seconds(2), "inflating 1 MiB should take milliseconds")
    }

    @Test(arguments: [Role.client, .server])
    func aBombArrivingWholeStopsAtTheLimit(_ role: Role) {
        let input = Wire.frame(0x1, Self.bomb(count: Self.limit), rsv: 4, mask: Wire.peerKey(for: role))
        var connection = Connection.testing(role, Self.deflate)
        let clock = ContinuousClock()
        let start = clock.now
        let actions = connection.receive(input, chunking: .whole)
        let elapsed = clock.now - start
        #expect(actions == [.closeTransport])
        #expect(connection.failure == .messageTooLarge(limit: Self.limit))
        #expect(elapsed < .seconds(2), "inflating a whole gigabyte would take seconds")
    }

    /// zlib's own output for 8 MiB of zeros, about 8 KiB, spread over small fragments: each
    /// inflates to little, together they pass the limit, and the fragments after that are
    /// never read.
    @Test(arguments: [Role.client, .server])
    func fragmentsInflatingPastTheLimitTogetherFail(_ role: Role) {
        var compressor = PerMessageDeflate.Compressor(windowBits: 15, level: 9)
        let payload = Array(buffer: [UInt8](repeating: 0, count: 8 << 20).withUnsafeBytes { compressor.compress($0) })
        #expect(payload.count < 16 * 1024)
        let fragments = stride(from: 0, to: payload.count, by: 100).map { Array(payload[$0..<min($0 + 100, payload.count)]) }
        var connection = Connection.testing(role, Self.deflate)
        var sent = 0
        var actions: [ConnectionAction] = []
        for (index, fragment) in fragments.enumerated() where actions.isEmpty {
            let frame = Wire.frame(
                index == 0 ? 0x2 : 0x0, fragment, fin: index == fragments.count - 1, rsv: index == 0 ? 4 : 0,
                mask: Wire.peerKey(for: role))
            actions = connection.receive(frame, chunking: .whole)
            sent += 1
        }
        #expect(actions == [.closeTransport])
        #expect(connection.failure == .messageTooLarge(limit: Self.limit))
        #expect(sent < fragments.count / 4)
    }

    @Test func theSameStreamWithinALargerLimitArrivesIntact() throws {
        var compressor = PerMessageDeflate.Compressor(windowBits: 15, level: 9)
        let payload = Array(buffer: [UInt8](repeating: 0, count: 8 << 20).withUnsafeBytes { compressor.compress($0) })
        var client = Connection.testing(
            .client, .init(limits: Limits(maxMessageSize: 8 << 20), perMessageDeflate: PerMessageDeflate.Parameters()))
        let actions = client.receive(Wire.frame(0x2, payload, rsv: 4), chunking: .random(seed: 4))
        #expect(actions == [.deliverMessage(.binary(ByteBuffer(repeating: 0, count: 8 << 20)))])
    }
}
