import NIOCore
import Testing
@testable import WebSocketCore

/// Peers that misuse permessage-deflate, and the edges of correct use: misplaced RSV1,
/// corrupt or truncated DEFLATE data, invalid UTF-8 inside compressed text, and the limits
/// applied to decompressed messages. Every case runs in both roles, with the input whole,
/// byte by byte and in random chunks.
@Suite("permessage-deflate hostile peer")
struct PerMessageDeflateHostilePeerTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var parameters = PerMessageDeflate.Parameters()
        var limits = Limits()
        /// (opcode, payload, FIN, RSV bits) of each frame the peer sends.
        var frames: [(opcode: UInt8, payload: [UInt8], fin: Bool, rsv: UInt8)]
        var delivered: [ConnectionAction] = []
        /// (opcode, payload) of the frames the engine answers with before any close frame.
        var replies: [(UInt8, [UInt8])] = []
        /// The close code the engine fails the connection with, if it must.
        var failure: UInt16?

        var description: String { name }
    }

    static let hello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]
    static let helloAgain: [UInt8] = [0xF2, 0x00, 0x11, 0x00, 0x00]

    static func compressed(_ bytes: [UInt8]) -> [UInt8] {
        var compressor = PerMessageDeflate.Compressor(windowBits: 15)
        return Array(buffer: bytes.withUnsafeBytes { compressor.compress($0) })
    }

    static func text(_ string: String) -> ConnectionAction { .deliverMessage(.text(string)) }

    static let rsv1: [Case] = [
        Case(name: "RSV1 on a ping", frames: [(0x9, [], true, 4)], failure: 1002),
        Case(name: "RSV1 on a pong", frames: [(0xA, [1], true, 4)], failure: 1002),
        Case(name: "RSV1 on a close", frames: [(0x8, [0x03, 0xE8], true, 4)], failure: 1002),
        Case(name: "RSV1 on a ping inside a compressed message",
             frames: [(0x1, [0xF2, 0x48], false, 4), (0x9, [], true, 4)], failure: 1002),
        Case(name: "RSV1 on the continuation of a compressed message",
             frames: [(0x1, [0xF2, 0x48, 0xCD], false, 4), (0x0, [0xC9, 0xC9, 0x07, 0x00], true, 4)], failure: 1002),
        Case(name: "RSV1 on the continuation of an uncompressed message",
             frames: [(0x1, Array("Hel".utf8), false, 0), (0x0, Array("lo".utf8), true, 4)], failure: 1002),
        Case(name: "RSV2 alongside permessage-deflate", frames: [(0x1, hello, true, 6)], failure: 1002),
        Case(name: "RSV3 alongside permessage-deflate", frames: [(0x1, Array("Hello".utf8), true, 1)], failure: 1002),
        Case(name: "uncompressed messages between compressed ones keep the window",
             frames: [(0x1, hello, true, 4), (0x1, Array("Hi".utf8), true, 0), (0x2, [1, 2], true, 0), (0x1, helloAgain, true, 4)],
             delivered: [text("Hello"), text("Hi"), .deliverMessage(.binary(ByteBuffer(bytes: [1, 2]))), text("Hello")]),
        Case(name: "ping between the fragments of a compressed message",
             frames: [(0x1, [0xF2, 0x48], false, 4), (0x9, [7], true, 0), (0x0, [0xCD, 0xC9, 0xC9, 0x07, 0x00], true, 0)],
             delivered: [.deliverPing(ByteBuffer(bytes: [7])), text("Hello")], replies: [(0xA, [7])]),
        Case(name: "compressed binary", frames: [(0x2, compressed([0xFF, 0xFE, 0x00, 0xC0]), true, 4)],
             delivered: [.deliverMessage(.binary(ByteBuffer(bytes: [0xFF, 0xFE, 0x00, 0xC0])))]),
        Case(name: "the empty compressed message", frames: [(0x1, [0x00], true, 4)], delivered: [text("")]),
        Case(name: "compressed messages with no payload at all leave the window alone",
             frames: [(0x1, [], true, 4), (0x1, hello, true, 4), (0x1, [], true, 4), (0x1, helloAgain, true, 4)],
             delivered: [text(""), text("Hello"), text(""), text("Hello")]),
    ]

    static let corrupt: [Case] = [
        Case(name: "reserved block type", frames: [(0x1, [0xFF], true, 4)], failure: 1007),
        Case(name: "distance beyond the start of the data", frames: [(0x1, helloAgain, true, 4)], failure: 1007),
        Case(name: "stored block lengths that disagree", frames: [(0x2, [0x00, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5], true, 4)],
             failure: 1007),
        Case(name: "a message cut inside a block", frames: [(0x1, Array(hello.dropLast()), true, 4)], failure: 1007),
        Case(name: "distance beyond a window reset by no context takeover",
             parameters: PerMessageDeflate.Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true),
             frames: [(0x1, hello, true, 4), (0x1, helloAgain, true, 4)], delivered: [text("Hello")], failure: 1007),
        Case(name: "garbage after a corrupt message is not read",
             frames: [(0x1, [0xFF], true, 4), (0x1, Array("late".utf8), true, 0)], failure: 1007),
    ]

    static let invalidText: [(String, [UInt8])] = [
        ("surrogate", [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xED, 0xA0, 0x80, 0x65]),
        ("lone continuation", [0x41, 0x80]),
        ("overlong", [0xC0, 0xAF]),
        ("truncated at the end", [0x41, 0xE2, 0x82]),
    ]

    static let utf8: [Case] = invalidText.map { name, bytes in
        Case(name: "compressed text with invalid UTF-8: \(name)", frames: [(0x1, compressed(bytes), true, 4)], failure: 1007)
    } + [
        // The first fragment decompresses to invalid text: fail without waiting for the rest.
        Case(name: "invalid UTF-8 fails at the first compressed fragment",
             frames: [(0x1, compressed([0x41, 0xFF] + Array(repeating: 0x41, count: 100)), false, 4)], failure: 1007),
        Case(name: "a character split across fragments of compressed text",
             frames: [(0x1, Array(compressed(Array("€uro".utf8)).prefix(2)), false, 4),
                      (0x0, Array(compressed(Array("€uro".utf8)).dropFirst(2)), true, 0)],
             delivered: [text("€uro")]),
    ]

    static let limits: [Case] = [
        Case(name: "decompressed message at maxMessageSize", limits: Limits(maxMessageSize: 1000),
             frames: [(0x2, compressed(Array(repeating: 7, count: 1000)), true, 4)],
             delivered: [.deliverMessage(.binary(ByteBuffer(repeating: 7, count: 1000)))]),
        Case(name: "decompressed message one byte over maxMessageSize", limits: Limits(maxMessageSize: 1000),
             frames: [(0x2, compressed(Array(repeating: 7, count: 1001)), true, 4)], failure: 1009),
        Case(name: "decompressed text one byte over maxMessageSize", limits: Limits(maxMessageSize: 1000),
             frames: [(0x1, compressed(Array(repeating: 0x61, count: 1001)), true, 4)], failure: 1009),
        Case(name: "fragments decompressing past maxMessageSize together", limits: Limits(maxMessageSize: 1000),
             frames: [(0x2, Array(compressed(Array(repeating: 7, count: 1500)).prefix(4)), false, 4),
                      (0x0, Array(compressed(Array(repeating: 7, count: 1500)).dropFirst(4)), true, 0)],
             failure: 1009),
        Case(name: "compressed payload larger than maxMessageSize on the wire", limits: Limits(maxMessageSize: 10),
             frames: [(0x2, [0x00, 0x0A, 0x00, 0xF5, 0xFF] + Array(repeating: 1, count: 10), true, 4)], failure: 1009),
    ]

    static let allCases = rsv1 + corrupt + utf8 + limits

    @Test(arguments: allCases, [Role.client, .server])
    func theEngineAnswersAsTheRFCsRequire(_ testCase: Case, _ role: Role) {
        let input = testCase.frames.flatMap {
            Wire.frame($0.opcode, $0.payload, fin: $0.fin, rsv: $0.rsv, mask: Wire.peerKey(for: role))
        }
        let key = Wire.key(for: role)
        let expectedOutput = testCase.replies.flatMap { Wire.frame($0.0, $0.1, mask: key) }
            + (testCase.failure.map { Wire.close($0, mask: key) } ?? [])
        for chunking in Chunking.all {
            var connection = Connection.testing(
                role, .init(limits: testCase.limits, perMessageDeflate: testCase.parameters))
            let transcript = connection.feed(input, chunking: chunking)
            #expect(transcript.actions == testCase.delivered + (testCase.failure == nil ? [] : [.closeTransport]),
                    "\(role), \(chunking)")
            #expect(transcript.output == expectedOutput, "\(role), \(chunking)")
            #expect(connection.failure?.closeCode.rawValue == testCase.failure, "\(role), \(chunking)")
        }
    }

    @Test(arguments: [Role.client, .server])
    func rsv1WithoutPermessageDeflateIsAProtocolError(_ role: Role) {
        var connection = Connection.testing(role)
        let transcript = connection.feed(Wire.frame(0x1, Self.hello, rsv: 4, mask: Wire.peerKey(for: role)))
        #expect(transcript.actions == [.closeTransport])
        #expect(connection.failure == .reservedBitsSet(.rsv1))
    }

    /// Random bytes, and compressed messages with one byte changed, as compressed messages:
    /// each is delivered or refused with 1007, never anything else, and nothing traps.
    @Test func arbitraryCompressedDataIsDeliveredOrRefused() {
        var random = SeededRandom(seed: 1007)
        let valid = Self.compressed(Array("a sentence long enough to hold matches, matches and more matches".utf8))
        for round in 0..<3000 {
            var payload = valid
            if round % 2 == 0 {
                payload = random.bytes(Int.random(in: 1...64, using: &random))
            } else {
                payload[Int.random(in: 0..<payload.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            var client = Connection.testing(.client, .init(perMessageDeflate: PerMessageDeflate.Parameters()))
            let actions = client.receive(
                Wire.frame(0x2, payload, rsv: 4) + Wire.frame(0x2, Self.hello, rsv: 4), chunking: .random(seed: UInt64(round)))
            if let failure = client.failure {
                #expect(failure.closeCode == .invalidFramePayloadData, "\(payload)")
                #expect(actions.last == .closeTransport)
            } else {
                #expect(actions.count == 2, "\(payload)")
            }
        }
    }

    @Test func corruptDataIsReportedWithZlibsReason() {
        var client = Connection.testing(.client, .init(perMessageDeflate: PerMessageDeflate.Parameters()))
        _ = client.feed(Wire.frame(0x1, Self.helloAgain, rsv: 4))
        #expect(client.failure == .invalidCompressedData("invalid distance too far back"))
        #expect(client.failure?.closeCode == .invalidFramePayloadData)
    }
}
