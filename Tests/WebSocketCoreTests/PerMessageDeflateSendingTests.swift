import NIOCore
import Testing
@testable import WebSocketCore

/// What an engine with permessage-deflate sends (RFC 7692 §6, §7.2.1): which messages are
/// compressed, which never are, and how its zlib state behaves.
@Suite("permessage-deflate sending")
struct PerMessageDeflateSendingTests {
    static let hello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]

    static func connection(
        _ role: Role, _ parameters: PerMessageDeflate.Parameters = .init(), threshold: Int = 1
    ) -> Connection {
        Connection.testing(role, .init(perMessageDeflate: parameters, compression: .init(threshold: threshold)))
    }

    @Test(arguments: [Role.client, .server])
    func messagesBelowTheThresholdGoUncompressed(_ role: Role) throws {
        var connection = Self.connection(role, threshold: 6)
        try connection.sendText("Hello")
        try connection.sendText("Hello!")
        try connection.sendBinary(ByteBuffer(bytes: [1, 2, 3]))
        let key = Wire.key(for: role)
        #expect(connection.drainOutput() == Wire.text("Hello", mask: key)
            + Wire.frame(0x1, [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x57, 0x04, 0x00], rsv: 4, mask: key)
            + Wire.frame(0x2, [1, 2, 3], mask: key))
    }

    @Test func theEmptyMessageGoesUncompressedByDefault() throws {
        var server = Self.connection(.server)
        try server.sendText("")
        try server.sendBinary(ByteBuffer())
        #expect(server.drainOutput() == [0x81, 0x00, 0x82, 0x00])
    }

    @Test func withThresholdZeroTheEmptyMessageIsOneEmptyBlock() throws {
        var server = Self.connection(.server, threshold: 0)
        try server.sendText("Hello")
        try server.sendText("")
        try server.sendText("Hello")
        #expect(server.drainOutput() == [0xC1, 0x07] + Self.hello + [0xC1, 0x01, 0x00, 0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00])
    }

    @Test(arguments: [Role.client, .server])
    func controlFramesAreNeverCompressed(_ role: Role) throws {
        var connection = Self.connection(role)
        try connection.sendPing(ByteBuffer(bytes: Array("Hello".utf8)))
        try connection.sendPong(ByteBuffer(bytes: Array("Hello".utf8)))
        try connection.startTheClosingHandshake(code: .normalClosure, reason: "Hello")
        let key = Wire.key(for: role)
        #expect(connection.drainOutput() == Wire.frame(0x9, Array("Hello".utf8), mask: key)
            + Wire.frame(0xA, Array("Hello".utf8), mask: key) + Wire.close(1000, "Hello", mask: key))
    }

    /// zlib cannot compress with an 8-bit window, so a side limited to one sends plainly
    /// (RFC 7692 §6 allows any message uncompressed) and still reads compressed messages.
    @Test(arguments: [Role.client, .server])
    func aSideLimitedToEightBitsSendsUncompressed(_ role: Role) throws {
        var connection = Self.connection(role, .init(serverMaxWindowBits: 8, clientMaxWindowBits: 8))
        try connection.sendText("Hello")
        #expect(connection.drainOutput() == Wire.text("Hello", mask: Wire.key(for: role)))
        let actions = connection.receive(Wire.frame(0x1, Self.hello, rsv: 4, mask: Wire.peerKey(for: role)), chunking: .whole)
        #expect(actions == [.deliverMessage(.text("Hello"))])
    }

    @Test func aLargeCompressedMessageIsSplitWithRSV1OnItsFirstFrameOnly() throws {
        var server = Connection.testing(
            .server, .init(outgoingFragmentSize: 1000, perMessageDeflate: PerMessageDeflate.Parameters()))
        var random = SeededRandom(seed: 3)
        let payload = random.bytes(10_000)
        try server.sendBinary(ByteBuffer(bytes: payload))
        let output = server.drainOutput()
        var decoder = FrameDecoder(role: .client, allowedReservedBits: .rsv1)
        decoder.append(ByteBuffer(bytes: output))
        var frames: [Frame] = []
        while let next = try decoder.next() {
            if case .frame(let frame) = next { frames.append(frame) }
        }
        #expect(frames.count > 10)
        #expect(frames.first?.reservedBits == .rsv1)
        #expect(frames.first?.opcode == .binary)
        #expect(frames.dropFirst().allSatisfy { $0.reservedBits.isEmpty && $0.opcode == .continuation })
        #expect(frames.last?.fin == true)
        var client = Connection.testing(.client, .init(perMessageDeflate: PerMessageDeflate.Parameters()))
        #expect(client.receive(output, chunking: .whole) == [.deliverMessage(.binary(ByteBuffer(bytes: payload)))])
    }

    /// Copies of an engine are independent, zlib state included: each goes on from the
    /// window it had when copied.
    @Test func copiesOfAConnectionDoNotShareCompressionState() throws {
        var server = Self.connection(.server)
        try server.sendText("Hello")
        _ = server.drainOutput()
        var copy = server
        try copy.sendText("Hello")
        try server.sendText("Hello")
        #expect(copy.drainOutput() == [0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00])
        #expect(server.drainOutput() == [0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00])

        var client = Self.connection(.client)
        _ = client.receive(Wire.frame(0x1, Self.hello, rsv: 4), chunking: .whole)
        var clientCopy = client
        let again = Wire.frame(0x1, [0xF2, 0x00, 0x11, 0x00, 0x00], rsv: 4)
        #expect(clientCopy.receive(again, chunking: .whole) == [.deliverMessage(.text("Hello"))])
        #expect(client.receive(again, chunking: .byteByByte) == [.deliverMessage(.text("Hello"))])
    }

    @Test func aCompressorWithoutContextTakeoverRepeatsItself() {
        var compressor = PerMessageDeflate.Compressor(windowBits: 15, noContextTakeover: true)
        var shared = PerMessageDeflate.Compressor(windowBits: 15)
        let message = Array("a message that says the same thing twice".utf8)
        let first = message.withUnsafeBytes { compressor.compress($0) }
        let second = message.withUnsafeBytes { compressor.compress($0) }
        _ = message.withUnsafeBytes { shared.compress($0) }
        let sharedSecond = message.withUnsafeBytes { shared.compress($0) }
        #expect(first == second)
        #expect(sharedSecond.readableBytes < second.readableBytes)
    }

    @Test(arguments: [9, 10, 12, 15])
    func everyWindowZlibSupportsRoundTrips(_ windowBits: Int) throws {
        var compressor = PerMessageDeflate.Compressor(windowBits: windowBits, level: 9, memoryLevel: 1)
        var decompressor = PerMessageDeflate.Decompressor(windowBits: windowBits)
        var random = SeededRandom(seed: UInt64(windowBits))
        for _ in 0..<20 {
            let pattern = random.bytes(Int.random(in: 1...3000, using: &random))
            let message = Array((0..<20).map { _ in pattern }.joined())
            let compressed = Array(buffer: message.withUnsafeBytes { compressor.compress($0) })
            var output = ByteBuffer()
            try compressed.withUnsafeBytes { bytes in
                try decompressor.decompress(bytes, into: &output, limit: .max) { _ in }
            }
            try decompressor.finishMessage(into: &output, limit: .max) { _ in }
            #expect(Array(buffer: output) == message)
        }
    }
}
