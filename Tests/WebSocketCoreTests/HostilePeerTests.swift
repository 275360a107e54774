import NIOCore
import Testing
@testable import WebSocketCore

/// A table of misbehaving (and well-behaved) peers, in the categories of the industry
/// conformance suite: each case states the bytes the peer sends and exactly what the engine
/// must deliver and answer. Every case runs for both roles (the peer masks as its role
/// requires) and with the input whole, byte by byte and in random chunks.
@Suite("Hostile peer")
struct HostilePeerTests {
    struct Case: CustomStringConvertible, Sendable {
        enum Ending: Sendable {
            /// The input ends with nothing more to say.
            case none
            /// The engine must fail the connection, sending a close frame with this code.
            case fail(UInt16)
            /// The peer's close frame arrives; the engine must echo its code.
            case peerCloses(CloseFrame)
        }

        var category: String
        var name: String
        var roles: [Role] = [.client, .server]
        var limits = Limits()
        /// The peer's bytes, given the masking key the peer must use (nil towards a client).
        var peerSends: @Sendable (UInt32?) -> [UInt8]
        /// The actions before the ending's own.
        var delivered: [ConnectionAction] = []
        /// (opcode, payload) of the frames the engine must send before the ending's close frame.
        var replies: [(UInt8, [UInt8])] = []
        var ending: Ending

        var description: String { "\(category): \(name)" }

        func expectedActions(_ role: Role) -> [ConnectionAction] {
            switch ending {
            case .none: delivered
            case .fail: delivered + [.closeTransport]
            case .peerCloses(let frame):
                delivered + [.closeFrameReceived(frame), role == .server ? .closeTransport : .startCloseTimer]
            }
        }

        func expectedOutput(_ role: Role) -> [UInt8] {
            let key = Wire.key(for: role)
            var bytes = replies.flatMap { Wire.frame($0.0, $0.1, mask: key) }
            switch ending {
            case .none: break
            case .fail(let code): bytes += Wire.close(code, mask: key)
            case .peerCloses(let frame): bytes += Wire.close(frame.code?.rawValue, frame.reason, mask: key)
            }
            return bytes
        }
    }

    static func text(_ string: String) -> ConnectionAction { .deliverMessage(.text(string)) }
    static func binary(_ bytes: [UInt8]) -> ConnectionAction { .deliverMessage(.binary(ByteBuffer(bytes: bytes))) }
    static func frames(_ parts: [(UInt8, [UInt8], Bool)]) -> @Sendable (UInt32?) -> [UInt8] {
        { key in parts.flatMap { Wire.frame($0.0, $0.1, fin: $0.2, mask: key) } }
    }
    static let normalClose = Wire.close(1000)
    static let ascii = Array("Hello-µ@ßöäüàá-UTF-8!!".utf8)

    static let framing: [Case] = [0, 1, 125, 126, 127, 128, 65_535, 65_536].flatMap { length -> [Case] in
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 % 94 + 32) }
        return [
            Case(category: "framing", name: "text of \(length) bytes", peerSends: frames([(0x1, payload, true)]),
                 delivered: [text(String(decoding: payload, as: UTF8.self))], ending: .none),
            Case(category: "framing", name: "binary of \(length) bytes", peerSends: frames([(0x2, payload, true)]),
                 delivered: [binary(payload)], ending: .none),
        ]
    } + [
        Case(category: "framing", name: "16-bit length used for 125 bytes", peerSends: { key in
            Wire.frame(0x2, Array(repeating: 1, count: 125), mask: key, lengthBits: 16)
        }, ending: .fail(1002)),
        Case(category: "framing", name: "64-bit length used for 65535 bytes", peerSends: { key in
            Wire.frame(0x2, Array(repeating: 1, count: 65_535), mask: key, lengthBits: 64)
        }, ending: .fail(1002)),
        Case(category: "framing", name: "64-bit length with the top bit set", peerSends: { key in
            [0x82, (key == nil ? 0 : 0x80) | 127, 0x80, 0, 0, 0, 0, 0, 0, 0]
        }, ending: .fail(1002)),
        Case(category: "framing", name: "unmasked frame to a server", roles: [.server],
             peerSends: { _ in Wire.text("hi") }, ending: .fail(1002)),
        Case(category: "framing", name: "masked frame to a client", roles: [.client],
             peerSends: { _ in Wire.text("hi", mask: 0x1234_5678) }, ending: .fail(1002)),
    ]

    static let pingPong: [Case] = [
        Case(category: "ping/pong", name: "empty ping", peerSends: frames([(0x9, [], true)]),
             delivered: [.deliverPing(ByteBuffer())], replies: [(0xA, [])], ending: .none),
        Case(category: "ping/pong", name: "ping with 125 bytes", peerSends: frames([(0x9, Array(repeating: 0xFE, count: 125), true)]),
             delivered: [.deliverPing(ByteBuffer(repeating: 0xFE, count: 125))],
             replies: [(0xA, Array(repeating: 0xFE, count: 125))], ending: .none),
        Case(category: "ping/pong", name: "ping with 126 bytes", peerSends: frames([(0x9, Array(repeating: 0xFE, count: 126), true)]),
             ending: .fail(1002)),
        Case(category: "ping/pong", name: "unsolicited pong", peerSends: frames([(0xA, ascii, true)]),
             delivered: [.deliverPong(ByteBuffer(bytes: ascii))], ending: .none),
        Case(category: "ping/pong", name: "unsolicited pong then ping",
             peerSends: frames([(0xA, [1], true), (0x9, [2], true)]),
             delivered: [.deliverPong(ByteBuffer(bytes: [1])), .deliverPing(ByteBuffer(bytes: [2]))],
             replies: [(0xA, [2])], ending: .none),
        Case(category: "ping/pong", name: "ten pings", peerSends: frames((0..<10).map { (0x9, [UInt8($0)], true) }),
             delivered: (0..<10).map { .deliverPing(ByteBuffer(bytes: [UInt8($0)])) },
             replies: (0..<10).map { (0xA, [UInt8($0)]) }, ending: .none),
        Case(category: "ping/pong", name: "fragmented ping", peerSends: frames([(0x9, [1], false), (0x0, [2], true)]),
             ending: .fail(1002)),
    ]

    static let reservedBits: [Case] = (1...7).map { rsv in
        Case(category: "reserved bits", name: "RSV \(rsv) on a text frame after a valid one", peerSends: { key in
            Wire.text("ok", mask: key) + Wire.frame(0x1, Array("x".utf8), rsv: UInt8(rsv), mask: key)
        }, delivered: [text("ok")], ending: .fail(1002))
    } + [
        Case(category: "reserved bits", name: "RSV on a ping", peerSends: { key in Wire.frame(0x9, [], rsv: 1, mask: key) },
             ending: .fail(1002)),
        Case(category: "reserved bits", name: "RSV on a close", peerSends: { key in Wire.frame(0x8, [3, 0xE8], rsv: 4, mask: key) },
             ending: .fail(1002)),
    ]

    static let opcodes: [Case] = [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF].map { opcode in
        Case(category: "opcodes", name: "reserved opcode 0x\(String(opcode, radix: 16))", peerSends: { key in
            Wire.text("a", mask: key) + Wire.frame(UInt8(opcode), [1, 2], mask: key) + Wire.text("never", mask: key)
        }, delivered: [text("a")], ending: .fail(1002))
    }

    static let fragmentation: [Case] = [
        Case(category: "fragmentation", name: "text in three fragments", peerSends: frames([
            (0x1, Array("frag".utf8), false), (0x0, Array("men".utf8), false), (0x0, Array("ted".utf8), true),
        ]), delivered: [text("fragmented")], ending: .none),
        Case(category: "fragmentation", name: "binary in fragments with empty ones", peerSends: frames([
            (0x2, [], false), (0x0, [1, 2], false), (0x0, [], false), (0x0, [3], true),
        ]), delivered: [binary([1, 2, 3])], ending: .none),
        Case(category: "fragmentation", name: "ping and pong between fragments", peerSends: frames([
            (0x1, Array("a".utf8), false), (0x9, [7], true), (0x0, Array("b".utf8), false), (0xA, [8], true),
            (0x0, Array("c".utf8), true),
        ]), delivered: [.deliverPing(ByteBuffer(bytes: [7])), .deliverPong(ByteBuffer(bytes: [8])), text("abc")],
             replies: [(0xA, [7])], ending: .none),
        Case(category: "fragmentation", name: "continuation without a message",
             peerSends: frames([(0x0, Array("x".utf8), true)]), ending: .fail(1002)),
        Case(category: "fragmentation", name: "unfinished continuation without a message",
             peerSends: frames([(0x0, Array("x".utf8), false)]), ending: .fail(1002)),
        Case(category: "fragmentation", name: "text inside a fragmented text", peerSends: frames([
            (0x1, Array("a".utf8), false), (0x1, Array("b".utf8), true),
        ]), ending: .fail(1002)),
        Case(category: "fragmentation", name: "binary inside a fragmented text", peerSends: frames([
            (0x1, Array("a".utf8), false), (0x2, [1], false),
        ]), ending: .fail(1002)),
        Case(category: "fragmentation", name: "continuation after a finished message", peerSends: frames([
            (0x1, Array("a".utf8), true), (0x0, Array("b".utf8), true),
        ]), delivered: [text("a")], ending: .fail(1002)),
        Case(category: "fragmentation", name: "fragmented close", peerSends: frames([(0x8, [3], false), (0x0, [0xE8], true)]),
             ending: .fail(1002)),
        Case(category: "fragmentation", name: "close between fragments", peerSends: { key in
            Wire.frame(0x1, Array("a".utf8), fin: false, mask: key) + Wire.close(1000, mask: key)
                + Wire.frame(0x0, Array("b".utf8), mask: key)
        }, ending: .peerCloses(CloseFrame(code: .normalClosure))),
    ]

    /// Invalid UTF-8, each sent as one text frame after a valid prefix.
    static let invalidUTF8: [(String, [UInt8])] = [
        ("lone continuation", [0x80]), ("lone C0 lead", [0xC0, 0x80]), ("overlong slash", [0xC0, 0xAF]),
        ("overlong C1", [0xC1, 0xBF]), ("overlong 3-byte", [0xE0, 0x80, 0xAF]), ("overlong 4-byte", [0xF0, 0x80, 0x80, 0xAF]),
        ("surrogate D800", [0xED, 0xA0, 0x80]), ("surrogate DFFF", [0xED, 0xBF, 0xBF]),
        ("surrogate pair", [0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80]), ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ("F5 lead", [0xF5, 0x80, 0x80, 0x80]), ("FE", [0xFE]), ("FF", [0xFF]),
        ("truncated 2-byte then ASCII", [0xC2, 0x41]), ("truncated 3-byte then ASCII", [0xE2, 0x82, 0x41]),
        ("truncated 4-byte at the end", [0xF0, 0x9F, 0x98]), ("5-byte form", [0xF8, 0x88, 0x80, 0x80, 0x80]),
        ("hello with invalid middle (κόσμε + ED A0 80)", Array("κόσμε".utf8) + [0xED, 0xA0, 0x80] + Array("edited".utf8)),
    ]

    static let validUTF8: [(String, String)] = [
        ("Greek", "κόσμε"), ("two-byte boundary", "\u{80}\u{7FF}"), ("three-byte boundary", "\u{800}\u{FFFF}"),
        ("four-byte boundary", "\u{10000}\u{10FFFF}"), ("U+D7FF and U+E000", "\u{D7FF}\u{E000}"),
        ("emoji", "😀👍🏽"), ("U+FFFE noncharacter", "\u{FFFE}"),
    ]

    static let utf8: [Case] = invalidUTF8.map { name, bytes in
        Case(category: "UTF-8", name: "invalid: \(name)", peerSends: frames([(0x1, Array("ok ".utf8) + bytes, true)]),
             ending: .fail(1007))
    } + invalidUTF8.map { name, bytes in
        Case(category: "UTF-8", name: "invalid across fragments: \(name)", peerSends: frames(
            [(0x1, Array("ok".utf8), false)] + bytes.map { (0x0, [$0], false) } + [(0x0, [], true)]),
             ending: .fail(1007))
    } + validUTF8.map { name, string in
        Case(category: "UTF-8", name: "valid: \(name)", peerSends: frames([(0x1, Array(string.utf8), true)]),
             delivered: [text(string)], ending: .none)
    } + validUTF8.map { name, string in
        Case(category: "UTF-8", name: "valid split into one-byte fragments: \(name)", peerSends: frames(
            Array(string.utf8).enumerated().map { (($0.offset == 0 ? 0x1 : 0x0), [$0.element], $0.offset == string.utf8.count - 1) }),
             delivered: [text(string)], ending: .none)
    }

    static let validCloseCodes: [UInt16] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
    static let invalidCloseCodes: [UInt16] = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65_535]

    static let closing: [Case] = [
        Case(category: "close", name: "empty close", peerSends: { key in Wire.close(nil, mask: key) },
             ending: .peerCloses(CloseFrame(code: nil))),
        Case(category: "close", name: "close with 1-byte payload", peerSends: frames([(0x8, [0x03], true)]), ending: .fail(1002)),
        Case(category: "close", name: "close with reason", peerSends: { key in Wire.close(1000, "bye", mask: key) },
             ending: .peerCloses(CloseFrame(code: .normalClosure, reason: "bye"))),
        Case(category: "close", name: "close with 123-byte reason", peerSends: { key in
            Wire.close(1000, String(repeating: "*", count: 123), mask: key)
        }, ending: .peerCloses(CloseFrame(code: .normalClosure, reason: String(repeating: "*", count: 123)))),
        Case(category: "close", name: "close with 124-byte reason", peerSends: { key in
            Wire.close(1000, String(repeating: "*", count: 124), mask: key)
        }, ending: .fail(1002)),
        Case(category: "close", name: "close with invalid UTF-8 reason", peerSends: frames([(0x8, [0x03, 0xE8, 0xCE, 0xBA, 0xED, 0xA0, 0x80], true)]),
             ending: .fail(1007)),
        Case(category: "close", name: "frames after close are ignored", peerSends: { key in
            Wire.close(1000, mask: key) + Wire.text("late", mask: key) + Wire.frame(0x9, [], mask: key)
        }, ending: .peerCloses(CloseFrame(code: .normalClosure))),
        Case(category: "close", name: "garbage after close is ignored", peerSends: { key in
            Wire.close(1001, mask: key) + [0xFF, 0xFF, 0xFF]
        }, ending: .peerCloses(CloseFrame(code: .goingAway))),
        Case(category: "close", name: "message then close", peerSends: { key in
            Wire.text("last", mask: key) + Wire.close(1000, mask: key)
        }, delivered: [text("last")], ending: .peerCloses(CloseFrame(code: .normalClosure))),
    ] + validCloseCodes.map { code in
        Case(category: "close", name: "valid code \(code)", peerSends: { key in Wire.close(code, mask: key) },
             ending: .peerCloses(CloseFrame(code: CloseCode(code))))
    } + invalidCloseCodes.map { code in
        Case(category: "close", name: "invalid code \(code)", peerSends: { key in Wire.close(code, mask: key) },
             ending: .fail(1002))
    }

    static let limits: [Case] = [
        Case(category: "limits", name: "frame above maxFrameSize", limits: Limits(maxFrameSize: 100),
             peerSends: frames([(0x2, Array(repeating: 0, count: 101), true)]), ending: .fail(1009)),
        Case(category: "limits", name: "frame at maxFrameSize", limits: Limits(maxFrameSize: 100),
             peerSends: frames([(0x2, Array(repeating: 0, count: 100), true)]),
             delivered: [binary(Array(repeating: 0, count: 100))], ending: .none),
        Case(category: "limits", name: "single frame above maxMessageSize", limits: Limits(maxMessageSize: 10),
             peerSends: frames([(0x1, Array(repeating: 0x61, count: 11), true)]), ending: .fail(1009)),
        Case(category: "limits", name: "fragments adding up above maxMessageSize", limits: Limits(maxMessageSize: 10),
             peerSends: frames([(0x2, Array(repeating: 0, count: 6), false), (0x0, Array(repeating: 0, count: 5), true)]),
             ending: .fail(1009)),
        Case(category: "limits", name: "fragments adding up to maxMessageSize", limits: Limits(maxMessageSize: 10),
             peerSends: frames([(0x2, Array(repeating: 0, count: 6), false), (0x0, Array(repeating: 0, count: 4), true)]),
             delivered: [binary(Array(repeating: 0, count: 10))], ending: .none),
        Case(category: "limits", name: "too many fragments", limits: Limits(maxFragmentsPerMessage: 3),
             peerSends: frames([(0x2, [], false), (0x0, [], false), (0x0, [], false), (0x0, [], true)]), ending: .fail(1009)),
        Case(category: "limits", name: "as many fragments as allowed", limits: Limits(maxFragmentsPerMessage: 3),
             peerSends: frames([(0x2, [1], false), (0x0, [], false), (0x0, [2], true)]),
             delivered: [binary([1, 2])], ending: .none),
        Case(category: "limits", name: "control frames do not count as fragments", limits: Limits(maxFragmentsPerMessage: 2),
             peerSends: frames([(0x2, [1], false), (0xA, [], true), (0xA, [], true), (0x0, [2], true)]),
             delivered: [.deliverPong(ByteBuffer()), .deliverPong(ByteBuffer()), binary([1, 2])], ending: .none),
    ]

    static let allCases = framing + pingPong + reservedBits + opcodes + fragmentation + utf8 + closing + limits

    @Test(arguments: allCases)
    func clientRole(_ testCase: Case) {
        run(testCase, as: .client)
    }

    @Test(arguments: allCases)
    func serverRole(_ testCase: Case) {
        run(testCase, as: .server)
    }

    private func run(_ testCase: Case, as role: Role) {
        guard testCase.roles.contains(role) else { return }
        let input = testCase.peerSends(Wire.peerKey(for: role))
        for chunking in Chunking.all {
            var connection = Connection.testing(role, .init(limits: testCase.limits))
            let transcript = connection.feed(input, chunking: chunking)
            #expect(transcript.actions == testCase.expectedActions(role), "\(role), \(chunking)")
            #expect(transcript.output == testCase.expectedOutput(role), "\(role), \(chunking)")
            if case .fail(let code) = testCase.ending {
                #expect(connection.failure?.closeCode.rawValue == code, "\(role), \(chunking)")
                #expect(connection.transportClosed() == ConnectionClosure(
                    code: 1006, reason: "", wasClean: false, failure: connection.failure))
            }
        }
    }
}
