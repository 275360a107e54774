import NIOCore
import Testing
@testable import WebSocketCore

/// The examples of RFC 6455 §5.7, byte for byte, in both directions.
@Suite("RFC 6455 §5.7 examples")
struct RFCExampleTests {
    static let hello: [UInt8] = Array("Hello".utf8)
    static let maskedHello: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
    static let rfcKey = RFCKey()

    struct RFCKey: RandomNumberGenerator, Sendable {
        mutating func next() -> UInt64 { 0x37FA_213D }
    }

    @Test(arguments: Chunking.all)
    func aSingleFrameUnmaskedTextMessage(_ chunking: Chunking) {
        var client = Connection.testing(.client)
        let transcript = client.feed([0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F], chunking: chunking)
        #expect(transcript.actions == [.deliverMessage(.text("Hello"))])
        #expect(transcript.output.isEmpty)
    }

    @Test(arguments: Chunking.all)
    func aSingleFrameMaskedTextMessage(_ chunking: Chunking) {
        var server = Connection.testing(.server)
        #expect(server.feed(Self.maskedHello, chunking: chunking).actions == [.deliverMessage(.text("Hello"))])
    }

    @Test(arguments: Chunking.all)
    func aFragmentedUnmaskedTextMessage(_ chunking: Chunking) {
        var client = Connection.testing(.client)
        let input: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C, 0x80, 0x02, 0x6C, 0x6F]
        #expect(client.feed(input, chunking: chunking).actions == [.deliverMessage(.text("Hello"))])
    }

    @Test(arguments: Chunking.all)
    func unmaskedPingAndMaskedPongResponse(_ chunking: Chunking) {
        var client = Connection(role: .client, maskingKeyGenerator: Self.rfcKey)
        let transcript = client.feed([0x89, 0x05] + Self.hello, chunking: chunking)
        #expect(transcript.actions == [.deliverPing(ByteBuffer(bytes: Self.hello))])
        #expect(transcript.output == [0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    @Test(arguments: Chunking.all)
    func binaryMessageOf256BytesInA16BitLength(_ chunking: Chunking) {
        let payload = (0..<256).map { UInt8($0) }
        var client = Connection.testing(.client)
        let transcript = client.feed([0x82, 0x7E, 0x01, 0x00] + payload, chunking: chunking)
        #expect(transcript.actions == [.deliverMessage(.binary(ByteBuffer(bytes: payload)))])
    }

    @Test func binaryMessageOf64KiBInA64BitLength() {
        let payload = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 * 7) }
        for chunking in [Chunking.whole, .random(seed: 9)] {
            var client = Connection.testing(.client)
            let header: [UInt8] = [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]
            #expect(client.feed(header + payload, chunking: chunking).actions == [.deliverMessage(.binary(ByteBuffer(bytes: payload)))])
        }
    }

    @Test func clientSendsTheMaskedHelloExactly() throws {
        var client = Connection(role: .client, maskingKeyGenerator: Self.rfcKey)
        try client.sendText("Hello")
        #expect(client.drainOutput() == Self.maskedHello)
    }

    @Test func serverSendsTheUnmaskedHelloExactly() throws {
        var server = Connection.testing(.server)
        try server.sendText("Hello")
        #expect(server.drainOutput() == [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    }

    @Test func lengthsUseTheirShortestEncoding() throws {
        for (length, header) in [(125, [0x82, 0x7D]), (126, [0x82, 0x7E, 0x00, 0x7E]), (65_535, [0x82, 0x7E, 0xFF, 0xFF]),
                                 (65_536, [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])] as [(Int, [UInt8])] {
            var server = Connection.testing(.server)
            try server.sendBinary(ByteBuffer(repeating: 0xAB, count: length))
            let output = server.drainOutput()
            #expect(Array(output.prefix(header.count)) == header)
            #expect(output.count == header.count + length)
        }
    }
}
