import NIOCore
import Testing
@testable import WebSocketCore

@Suite("Outgoing messages")
struct OutgoingMessageTests {
    @Test(arguments: [Role.client, .server])
    func messagesAreSplitIntoFramesOfTheConfiguredSize(_ role: Role) throws {
        var connection = Connection.testing(role, .init(outgoingFragmentSize: 4))
        try connection.sendText("HelloWorld")
        try connection.sendBinary(ByteBuffer(bytes: [1, 2, 3, 4]))
        try connection.sendText("")
        let key = Wire.key(for: role)
        #expect(connection.drainOutput() ==
            Wire.frame(0x1, Array("Hell".utf8), fin: false, mask: key) + Wire.frame(0x0, Array("oWor".utf8), fin: false, mask: key)
            + Wire.frame(0x0, Array("ld".utf8), mask: key) + Wire.frame(0x2, [1, 2, 3, 4], mask: key) + Wire.frame(0x1, [], mask: key))
    }

    @Test(arguments: [Role.client, .server])
    func bytesOutsideAByteBufferAreFramedLikeABuffersBytes(_ role: Role) throws {
        var connection = Connection.testing(role, .init(outgoingFragmentSize: 4))
        let bytes: [UInt8] = [1, 2, 3, 4, 5, 6]
        try bytes.withUnsafeBytes { try connection.sendBinary($0) }
        try [UInt8]().withUnsafeBytes { try connection.sendBinary($0) }
        let key = Wire.key(for: role)
        #expect(connection.drainOutput() ==
            Wire.frame(0x2, [1, 2, 3, 4], fin: false, mask: key) + Wire.frame(0x0, [5, 6], mask: key) + Wire.frame(0x2, [], mask: key))
        try connection.startTheClosingHandshake(code: .normalClosure)
        #expect(throws: SendError.closeAlreadySent) { try bytes.withUnsafeBytes { try connection.sendBinary($0) } }
    }

    @Test func aServerSendsALargePayloadWithoutCopyingIt() throws {
        var server = Connection.testing(.server)
        let payload = ByteBuffer(repeating: 7, count: 100_000)
        try server.sendText("first")
        try server.sendBinary(payload)
        let header = server.nextBytesToSend()
        let body = server.nextBytesToSend()
        #expect(header.map(Array.init(buffer:)) == Wire.text("first") + [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x86, 0xA0])
        #expect(body == payload)
        body?.withUnsafeReadableBytes { bodyBytes in
            payload.withUnsafeReadableBytes { #expect(bodyBytes.baseAddress == $0.baseAddress) }
        }
        #expect(server.nextBytesToSend() == nil)
    }

    @Test func aClientNeverChangesTheCallersBuffer() throws {
        var client = Connection.testing(.client)
        let payload = ByteBuffer(repeating: 7, count: 100_000)
        try client.sendBinary(payload)
        #expect(payload == ByteBuffer(repeating: 7, count: 100_000))
        #expect(client.drainOutput() == Wire.frame(0x2, Array(repeating: 7, count: 100_000), mask: FixedMaskingKeys().key))
    }

    @Test(arguments: [Role.client, .server])
    func pingsAndUnsolicitedPongsAreSent(_ role: Role) throws {
        var connection = Connection.testing(role)
        try connection.sendPing(ByteBuffer(bytes: [1, 2]))
        try connection.sendPong(ByteBuffer(bytes: [3]))
        let key = Wire.key(for: role)
        #expect(connection.drainOutput() == Wire.frame(0x9, [1, 2], mask: key) + Wire.frame(0xA, [3], mask: key))
    }
}
