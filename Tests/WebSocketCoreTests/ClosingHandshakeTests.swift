import NIOCore
import Testing
@testable import WebSocketCore

/// The closing handshake as a state machine (RFC 6455 §5.5.1, §7), mirrored for both roles.
@Suite("Closing handshake (RFC 6455 §7)")
struct ClosingHandshakeTests {
    @Test(arguments: [Role.client, .server])
    func startTheClosingHandshakeSendsACloseFrameAndAsksForTheTimer(_ role: Role) throws {
        var connection = Connection.testing(role)
        try connection.startTheClosingHandshake(code: .normalClosure, reason: "bye")
        #expect(connection.drainOutput() == Wire.close(1000, "bye", mask: Wire.key(for: role)))
        #expect(connection.nextAction() == .startCloseTimer)
        #expect(connection.state == .closing)
        #expect(throws: SendError.closeAlreadySent) { try connection.sendText("late") }
        #expect(throws: SendError.closeAlreadySent) { try connection.sendPing() }

        // A second call does nothing.
        try connection.startTheClosingHandshake(code: .goingAway)
        #expect(connection.drainOutput().isEmpty)
        #expect(connection.nextAction() == nil)
    }

    @Test(arguments: [Role.client, .server])
    func thePeersAnswerCompletesTheHandshake(_ role: Role) throws {
        var connection = Connection.testing(role)
        try connection.startTheClosingHandshake(code: .normalClosure)
        _ = connection.drainOutput()
        _ = connection.nextAction()
        // Data the peer sent before it saw our close still arrives (§5.5.1), but no pong goes back.
        let transcript = connection.feed(
            Wire.text("in flight", mask: Wire.peerKey(for: role)) + Wire.frame(0x9, [1], mask: Wire.peerKey(for: role))
                + Wire.close(1000, "ok", mask: Wire.peerKey(for: role)))
        let closeReceived = ConnectionAction.closeFrameReceived(CloseFrame(code: .normalClosure, reason: "ok"))
        let expected: [ConnectionAction] = [.deliverMessage(.text("in flight")), .deliverPing(ByteBuffer(bytes: [1])), closeReceived]
        // §7.1.1: the server closes the TCP connection now; the client waits for it (its timer runs).
        #expect(transcript.actions == expected + (role == .server ? [.closeTransport] : []))
        #expect(transcript.output.isEmpty)
        #expect(connection.transportClosed() == ConnectionClosure(code: 1000, reason: "ok", wasClean: true))
        #expect(connection.state == .closed)
    }

    @Test(arguments: [Role.client, .server])
    func aCloseFromThePeerIsAnsweredWithItsCodeAndReason(_ role: Role) {
        var connection = Connection.testing(role)
        let transcript = connection.feed(Wire.close(4001, "done", mask: Wire.peerKey(for: role)))
        #expect(transcript.output == Wire.close(4001, "done", mask: Wire.key(for: role)))
        #expect(connection.closeFrameSent)
        #expect(connection.transportClosed() == ConnectionClosure(code: 4001, reason: "done", wasClean: true))
    }

    @Test(arguments: [Role.client, .server])
    func aCloseWithoutCodeGivesCode1005(_ role: Role) {
        var connection = Connection.testing(role)
        _ = connection.feed(Wire.close(nil, mask: Wire.peerKey(for: role)))
        #expect(connection.transportClosed() == ConnectionClosure(code: 1005, reason: "", wasClean: true))
    }

    @Test(arguments: [Role.client, .server])
    func transportClosedWithoutCloseFrameGivesCode1006(_ role: Role) throws {
        var open = Connection.testing(role)
        #expect(open.transportClosed() == ConnectionClosure(code: 1006, reason: "", wasClean: false))

        var midFrame = Connection.testing(role)
        _ = midFrame.feed(Array(Wire.text("partial", mask: Wire.peerKey(for: role)).prefix(4)))
        #expect(midFrame.transportClosed() == ConnectionClosure(code: 1006, reason: "", wasClean: false))

        var closeSentOnly = Connection.testing(role)
        try closeSentOnly.startTheClosingHandshake(code: .normalClosure)
        #expect(closeSentOnly.transportClosed() == ConnectionClosure(code: 1006, reason: "", wasClean: false))
    }

    @Test(arguments: [Role.client, .server])
    func afterFailingNothingMoreIsProcessed(_ role: Role) {
        var connection = Connection.testing(role)
        let peer = Wire.peerKey(for: role)
        var transcript = connection.feed(Wire.frame(0x3, [], mask: peer))
        #expect(transcript.actions == [.closeTransport])
        #expect(transcript.output == Wire.close(1002, mask: Wire.key(for: role)))
        // The peer's answering close is not processed: the connection was failed, not closed.
        transcript = connection.feed(Wire.close(1002, mask: peer) + Wire.text("more", mask: peer))
        #expect(transcript == Transcript())
        #expect(connection.transportClosed() == ConnectionClosure(
            code: 1006, reason: "", wasClean: false, failure: .reservedOpcode(3)))
    }

    @Test func closeArgumentsAreChecked() {
        var connection = Connection.testing(.client)
        #expect(throws: SendError.invalidCloseCode(1005)) { try connection.startTheClosingHandshake(code: .noStatusReceived) }
        #expect(throws: SendError.invalidCloseCode(999)) { try connection.startTheClosingHandshake(code: CloseCode(999)) }
        #expect(throws: SendError.controlPayloadTooLong(126)) {
            try connection.startTheClosingHandshake(code: .normalClosure, reason: String(repeating: "a", count: 124))
        }
        #expect(connection.state == .open)
        #expect(throws: SendError.controlPayloadTooLong(126)) { try connection.sendPing(ByteBuffer(repeating: 0, count: 126)) }
    }

    @Test func aCloseWithoutCodeSendsAnEmptyPayload() throws {
        var server = Connection.testing(.server)
        try server.startTheClosingHandshake(code: nil, reason: "ignored")
        #expect(server.drainOutput() == [0x88, 0x00])
    }

    @Test func aHeaderAnnouncingTooMuchFailsBeforeAnyPayloadArrives() {
        var client = Connection.testing(.client, .init(limits: Limits(maxMessageSize: 1 << 20)))
        // Only the header of a 1 GiB binary frame.
        let transcript = client.feed([0x82, 0x7F, 0, 0, 0, 0, 0x40, 0, 0, 0])
        #expect(transcript.actions == [.closeTransport])
        #expect(client.failure == .frameTooLarge(length: 1 << 30, limit: 1 << 20))
    }

    @Test(arguments: [Role.client, .server])
    func invalidUTF8FailsBeforeTheFrameIsComplete(_ role: Role) {
        var connection = Connection.testing(role)
        let frame = Wire.frame(0x1, Array("valid start ".utf8) + [0xC0] + Array(repeating: 0x61, count: 200), mask: Wire.peerKey(for: role))
        // Everything up to and including the bad byte, but not the rest of the frame.
        let headerLength = role == .server ? 8 : 4
        let transcript = connection.feed(Array(frame.prefix(headerLength + 13)), chunking: .random(seed: 5))
        #expect(transcript.actions == [.closeTransport])
        #expect(transcript.output == Wire.close(1007, mask: Wire.key(for: role)))
    }

    @Test(arguments: [Role.client, .server])
    func invalidUTF8FailsAtTheFragmentThatHasIt(_ role: Role) {
        var connection = Connection.testing(role)
        let peer = Wire.peerKey(for: role)
        let transcript = connection.feed(
            Wire.frame(0x1, Array("ok".utf8), fin: false, mask: peer) + Wire.frame(0x0, [0xED, 0xA0], fin: false, mask: peer))
        #expect(transcript.actions == [.closeTransport])
        #expect(connection.failure == .invalidUTF8)
    }
}
