import NIOCore
import Testing
@testable import WebSocketCore

/// The examples of RFC 7692 §7.2.3, byte for byte: each received by both roles, whole, byte
/// by byte and in random chunks, and the ones a zlib sender produces sent exactly.
@Suite("RFC 7692 §7.2.3 examples")
struct PerMessageDeflateRFCExampleTests {
    struct Example: CustomStringConvertible, Sendable {
        var name: String
        /// The frames as (opcode, payload, FIN, RSV1), so a client's peer can mask them.
        var frames: [(opcode: UInt8, payload: [UInt8], fin: Bool, compressed: Bool)]
        /// The frames unmasked, as the RFC prints them.
        var rfcBytes: [UInt8]
        var messages: [String]

        var description: String { name }

        func bytes(mask: UInt32?) -> [UInt8] {
            frames.flatMap { Wire.frame($0.opcode, $0.payload, fin: $0.fin, rsv: $0.compressed ? 4 : 0, mask: mask) }
        }
    }

    static let hello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
    static let helloAgain: [UInt8] = [0xF2, 0x00, 0x11, 0x00, 0x00]
    static let deflate = Connection.Configuration(perMessageDeflate: PerMessageDeflate.Parameters())

    static let examples: [Example] = [
        Example(
            name: "§7.2.3.1 a message compressed in one DEFLATE block",
            frames: [(0x1, hello, true, true)],
            rfcBytes: [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00], messages: ["Hello"]),
        Example(
            name: "§7.2.3.1 the same message fragmented",
            frames: [(0x1, [0xF2, 0x48, 0xCD], false, true), (0x0, [0xC9, 0xC9, 0x07, 0x00], true, false)],
            rfcBytes: [0x41, 0x03, 0xF2, 0x48, 0xCD, 0x80, 0x04, 0xC9, 0xC9, 0x07, 0x00], messages: ["Hello"]),
        Example(
            name: "§7.2.3.2 sharing the LZ77 sliding window",
            frames: [(0x1, hello, true, true), (0x1, helloAgain, true, true)],
            rfcBytes: [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00],
            messages: ["Hello", "Hello"]),
        Example(
            name: "§7.2.3.3 a DEFLATE block with no compression",
            frames: [(0x1, [0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00], true, true)],
            rfcBytes: [0xC1, 0x0B, 0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00], messages: ["Hello"]),
        Example(
            name: "§7.2.3.4 a DEFLATE block with BFINAL set",
            frames: [(0x1, [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00], true, true)],
            rfcBytes: [0xC1, 0x08, 0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00], messages: ["Hello"]),
        Example(
            name: "§7.2.3.4 BFINAL, then a message that refers back across it",
            frames: [(0x1, [0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00], true, true), (0x1, helloAgain, true, true)],
            rfcBytes: [0xC1, 0x08, 0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00, 0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00],
            messages: ["Hello", "Hello"]),
        Example(
            name: "§7.2.3.5 two DEFLATE blocks in one message",
            frames: [(0x1, [0xF2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xCA, 0xC9, 0xC9, 0x07, 0x00], true, true)],
            rfcBytes: [0xC1, 0x0D, 0xF2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xCA, 0xC9, 0xC9, 0x07, 0x00],
            messages: ["Hello"]),
        Example(
            name: "§7.2.3.6 an empty fragment ending a message",
            frames: [(0x1, hello + [0x00, 0x00, 0xFF, 0xFF], false, true), (0x0, [0x00], true, false)],
            rfcBytes: [0x41, 0x0B] + hello + [0x00, 0x00, 0xFF, 0xFF, 0x80, 0x01, 0x00], messages: ["Hello"]),
    ]

    @Test(arguments: examples)
    func theFramesAreTheRFCsBytes(_ example: Example) {
        #expect(example.bytes(mask: nil) == example.rfcBytes)
    }

    @Test(arguments: examples, [Role.client, .server])
    func eachRoleReceives(_ example: Example, _ role: Role) {
        let input = example.bytes(mask: Wire.peerKey(for: role))
        for chunking in Chunking.all {
            var connection = Connection.testing(role, Self.deflate)
            let transcript = connection.feed(input, chunking: chunking)
            #expect(transcript.actions == example.messages.map { .deliverMessage(.text($0)) }, "\(role), \(chunking)")
            #expect(transcript.output.isEmpty)
        }
    }

    @Test func aServerSendsTheCompressedHelloExactly() throws {
        var server = Connection.testing(.server, Self.deflate)
        try server.sendText("Hello")
        #expect(server.drainOutput() == [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
    }

    @Test func aServerSharesItsWindowAcrossMessages() throws {
        var server = Connection.testing(.server, Self.deflate)
        try server.sendText("Hello")
        try server.sendText("Hello")
        #expect(server.drainOutput() == [0xC1, 0x07, 0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00])
    }

    @Test(arguments: [Role.client, .server])
    func withoutContextTakeoverEveryMessageStartsAfresh(_ role: Role) throws {
        let parameters = PerMessageDeflate.Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true)
        var connection = Connection.testing(role, .init(perMessageDeflate: parameters))
        try connection.sendText("Hello")
        try connection.sendText("Hello")
        let frame = Wire.frame(0x1, Self.hello, rsv: 4, mask: Wire.key(for: role))
        #expect(connection.drainOutput() == frame + frame)
    }

    @Test func aClientMasksTheCompressedPayload() throws {
        var client = Connection.testing(.client, Self.deflate)
        try client.sendText("Hello")
        #expect(client.drainOutput() == Wire.frame(0x1, Self.hello, rsv: 4, mask: FixedMaskingKeys().key))
    }

    @Test func onlyTheFirstFrameOfACompressedMessageHasRSV1() throws {
        var server = Connection.testing(.server, .init(outgoingFragmentSize: 3, perMessageDeflate: PerMessageDeflate.Parameters()))
        try server.sendText("Hello")
        #expect(server.drainOutput() == [0x41, 0x03, 0xF2, 0x48, 0xCD, 0x00, 0x03, 0xC9, 0xC9, 0x07, 0x80, 0x01, 0x00])
    }
}
