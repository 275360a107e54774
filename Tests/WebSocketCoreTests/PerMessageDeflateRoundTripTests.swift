import NIOCore
import Testing
@testable import WebSocketCore

/// Property tests with compression on: random messages from 0 bytes to 1 MiB, randomly
/// fragmented by the sender and randomly chunked on the way, between a client engine and a
/// server engine wired back to back, for each kind of context takeover and window size.
@Suite("permessage-deflate engines back to back")
struct PerMessageDeflateRoundTripTests {
    typealias Parameters = PerMessageDeflate.Parameters

    static let settings: [Parameters] = [
        Parameters(),
        Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true),
        Parameters(serverNoContextTakeover: true),
        Parameters(clientNoContextTakeover: true),
        Parameters(serverMaxWindowBits: 9, clientMaxWindowBits: 9),
        Parameters(serverMaxWindowBits: 8, clientMaxWindowBits: 12),
        Parameters(serverNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 8),
        Parameters(clientNoContextTakeover: true, serverMaxWindowBits: 12, clientMaxWindowBits: 15),
    ]

    /// Random bytes, bytes that compress well, or text; `size` bytes or about that many.
    static func randomMessage(size: Int, using random: inout SeededRandom) -> Message {
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            return .binary(ByteBuffer(bytes: random.bytes(size)))
        case 1:
            let pattern = random.bytes(Int.random(in: 1...64, using: &random))
            var bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                for index in 0..<size { buffer[index] = pattern[index % pattern.count] }
                count = size
            }
            for _ in 0..<(size / 100) { bytes[Int.random(in: 0..<size, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            return .binary(ByteBuffer(bytes: bytes))
        default:
            let scalars: [Unicode.Scalar] = ["a", "Z", " ", "é", "ß", "€", "中", "😀", "\u{10FFFF}", "\u{7F}", "\u{80}"]
            var phrase = ""
            for _ in 0..<Int.random(in: 1...40, using: &random) { phrase.unicodeScalars.append(scalars.randomElement(using: &random)!) }
            var text = String(repeating: phrase, count: size / phrase.utf8.count)
            while text.utf8.count < size { text.unicodeScalars.append(scalars.randomElement(using: &random)!) }
            return .text(text)
        }
    }

    static func randomSize(using random: inout SeededRandom) -> Int {
        let sizes = [0, 1, 5, 125, 126, 127, 1000, 65_535, 65_536, 70_000]
        return Bool.random(using: &random) ? sizes.randomElement(using: &random)! : Int.random(in: 0...300, using: &random)
    }

    /// Moves every queued byte from `sender` to `receiver` in random chunks, small ones for
    /// small transfers and up to a twentieth of the bytes for large ones.
    static func transfer(
        from sender: inout Connection, to receiver: inout Connection, random: inout SeededRandom
    ) -> (actions: [ConnectionAction], bytes: Int) {
        var bytes: [UInt8] = []
        while let buffer = sender.nextBytesToSend() { bytes += buffer.readableBytesView }
        var actions: [ConnectionAction] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 1...max(17, bytes.count / 20), using: &random))
            receiver.receiveData(ByteBuffer(bytes: bytes[start..<end]))
            while let action = receiver.nextAction() { actions.append(action) }
            start = end
        }
        return (actions, bytes.count)
    }

    @Test(arguments: settings, [1, 2])
    func randomMessagesArriveIntactInBothDirections(_ parameters: Parameters, seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        let fragmentSize = Bool.random(using: &random) ? nil : Int.random(in: 100...5000, using: &random)
        let compression = PerMessageDeflate.Configuration(compressionLevel: Int.random(in: 1...9, using: &random))
        let configuration = Connection.Configuration(
            outgoingFragmentSize: fragmentSize, perMessageDeflate: parameters, compression: compression)
        var client = Connection(role: .client, configuration: configuration, maskingKeyGenerator: SeededRandom(seed: UInt64(seed) << 8))
        var server = Connection(role: .server, configuration: configuration)
        var sentByClient: [ConnectionAction] = []
        var sentByServer: [ConnectionAction] = []
        var receivedByServer: [ConnectionAction] = []
        var receivedByClient: [ConnectionAction] = []
        let largeAt = Int.random(in: 0..<30, using: &random)
        for index in 0..<30 {
            let size = index == largeAt ? 1 << 20 : Self.randomSize(using: &random)
            let message = Self.randomMessage(size: size, using: &random)
            if Bool.random(using: &random) {
                try client.send(message)
                sentByClient.append(.deliverMessage(message))
                if Int.random(in: 0..<4, using: &random) == 0 {
                    try client.sendPing(ByteBuffer(bytes: [UInt8(index)]))
                    sentByClient.append(.deliverPing(ByteBuffer(bytes: [UInt8(index)])))
                }
            } else {
                try server.send(message)
                sentByServer.append(.deliverMessage(message))
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                receivedByServer += Self.transfer(from: &client, to: &server, random: &random).actions
                receivedByClient += Self.transfer(from: &server, to: &client, random: &random).actions
            }
        }
        try client.startTheClosingHandshake(code: .normalClosure)
        receivedByServer += Self.transfer(from: &client, to: &server, random: &random).actions
        receivedByClient += Self.transfer(from: &server, to: &client, random: &random).actions

        #expect(server.failure == nil)
        #expect(client.failure == nil)
        #expect(receivedByServer == sentByClient + [.closeFrameReceived(CloseFrame(code: .normalClosure)), .closeTransport])
        #expect(receivedByClient.filter { if case .deliverMessage = $0 { true } else { false } } == sentByServer)
    }

    /// Compressed wherever the sending side's window allows: a megabyte of repeated text
    /// shrinks to a few kilobytes, except from a side limited to 8 bits, which sends it as is.
    @Test(arguments: settings)
    func eachSideCompressesUnlessItsWindowIsEightBits(_ parameters: Parameters) throws {
        var random = SeededRandom(seed: 7)
        let text = String(repeating: "permessage-deflate, RFC 7692 ", count: 40_000)
        var client = Connection(role: .client, configuration: .init(perMessageDeflate: parameters))
        var server = Connection(role: .server, configuration: .init(perMessageDeflate: parameters))
        try client.sendText(text)
        try server.sendText(text)
        let toServer = Self.transfer(from: &client, to: &server, random: &random)
        let toClient = Self.transfer(from: &server, to: &client, random: &random)
        #expect(toServer.actions == [.deliverMessage(.text(text))])
        #expect(toClient.actions == [.deliverMessage(.text(text))])
        #expect(parameters.clientMaxWindowBits == 8 ? toServer.bytes > text.utf8.count : toServer.bytes < 20_000)
        #expect(parameters.serverMaxWindowBits == 8 ? toClient.bytes > text.utf8.count : toClient.bytes < 20_000)
    }

    /// Many small messages, the traffic permessage-deflate's context takeover is for: each
    /// message shares most of its words with the ones before.
    @Test func tenThousandSmallMessagesWithContextTakeover() throws {
        var random = SeededRandom(seed: 10_000)
        func run(_ parameters: Parameters) throws -> (wire: Int, raw: Int) {
            var client = Connection(role: .client, configuration: .init(perMessageDeflate: parameters))
            var server = Connection(role: .server, configuration: .init(perMessageDeflate: parameters))
            var raw = 0
            var wire = 0
            for batch in 0..<100 {
                var sent: [ConnectionAction] = []
                for index in 0..<100 {
                    let id = batch * 100 + index
                    let text = #"{"type":"tick","id":\#(id),"price":\#(id % 977).\#(id % 89),"symbol":"SWFT"}"#
                    try client.sendText(text)
                    try server.sendText(text)
                    sent.append(.deliverMessage(.text(text)))
                    raw += text.utf8.count
                }
                let toServer = Self.transfer(from: &client, to: &server, random: &random)
                let toClient = Self.transfer(from: &server, to: &client, random: &random)
                #expect(toServer.actions == sent)
                #expect(toClient.actions == sent)
                wire += toClient.bytes
            }
            return (wire, raw)
        }
        let takeover = try run(Parameters())
        let noTakeover = try run(Parameters(serverNoContextTakeover: true, clientNoContextTakeover: true))
        #expect(takeover.wire < takeover.raw / 2, "\(takeover)")
        #expect(takeover.wire < noTakeover.wire, "\(takeover) vs \(noTakeover)")
    }
}
