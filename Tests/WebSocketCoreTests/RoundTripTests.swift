import NIOCore
import Testing
@testable import WebSocketCore

/// Property tests: random messages, randomly fragmented by the sender and randomly chunked on
/// the way, between a client engine and a server engine wired back to back.
@Suite("Client and server engines back to back")
struct RoundTripTests {
    static func randomMessage(using random: inout SeededRandom) -> Message {
        let sizes = [0, 1, 5, 125, 126, 127, 1000, 65_535, 65_536, 70_000]
        let size = Bool.random(using: &random) ? sizes.randomElement(using: &random)! : Int.random(in: 0...300, using: &random)
        if Bool.random(using: &random) {
            return .binary(ByteBuffer(bytes: random.bytes(size)))
        }
        let scalars: [Unicode.Scalar] = ["a", "Z", " ", "é", "ß", "€", "中", "😀", "\u{10FFFF}", "\u{7F}", "\u{80}"]
        var text = ""
        while text.utf8.count < size { text.unicodeScalars.append(scalars.randomElement(using: &random)!) }
        return .text(text)
    }

    /// Moves every queued byte from `sender` to `receiver` in random chunks; returns the receiver's actions.
    static func transfer(from sender: inout Connection, to receiver: inout Connection, random: inout SeededRandom) -> [ConnectionAction] {
        var bytes: [UInt8] = []
        while let buffer = sender.nextBytesToSend() { bytes += buffer.readableBytesView }
        return receiver.receive(bytes, chunking: .random(seed: random.next()))
    }

    @Test(arguments: 1...12)
    func randomMessagesArriveIntactInBothDirections(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        let fragmentSize = Bool.random(using: &random) ? nil : Int.random(in: 1...3000, using: &random)
        var client = Connection(role: .client, configuration: .init(outgoingFragmentSize: fragmentSize),
                                maskingKeyGenerator: SeededRandom(seed: UInt64(seed) << 8))
        var server = Connection(role: .server, configuration: .init(outgoingFragmentSize: fragmentSize))
        var sentByClient: [ConnectionAction] = []
        var sentByServer: [ConnectionAction] = []
        var receivedByServer: [ConnectionAction] = []
        var receivedByClient: [ConnectionAction] = []
        for _ in 0..<40 {
            let message = Self.randomMessage(using: &random)
            if Bool.random(using: &random) {
                try client.send(message)
                sentByClient.append(.deliverMessage(message))
                if Int.random(in: 0..<4, using: &random) == 0 {
                    let ping = ByteBuffer(bytes: random.bytes(Int.random(in: 0...125, using: &random)))
                    try client.sendPing(ping)
                    sentByClient.append(.deliverPing(ping))
                }
            } else {
                try server.send(message)
                sentByServer.append(.deliverMessage(message))
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                receivedByServer += Self.transfer(from: &client, to: &server, random: &random)
                receivedByClient += Self.transfer(from: &server, to: &client, random: &random)
            }
        }
        try client.startTheClosingHandshake(code: .normalClosure, reason: "done")
        #expect(client.nextAction() == .startCloseTimer)
        receivedByServer += Self.transfer(from: &client, to: &server, random: &random)
        receivedByClient += Self.transfer(from: &server, to: &client, random: &random)

        #expect(receivedByServer == sentByClient + [
            .closeFrameReceived(CloseFrame(code: .normalClosure, reason: "done")), .closeTransport])
        let pongs = sentByClient.compactMap { action -> ConnectionAction? in
            if case .deliverPing(let payload) = action { return .deliverPong(payload) }
            return nil
        }
        // Pongs interleave with the server's messages; compare each stream on its own.
        #expect(receivedByClient.filter { if case .deliverPong = $0 { true } else { false } } == pongs)
        #expect(receivedByClient.filter { if case .deliverPong = $0 { false } else { true } } == sentByServer + [
            .closeFrameReceived(CloseFrame(code: .normalClosure, reason: "done"))])
        #expect(server.transportClosed() == ConnectionClosure(code: 1000, reason: "done", wasClean: true))
        #expect(client.transportClosed() == ConnectionClosure(code: 1000, reason: "done", wasClean: true))
    }
}
