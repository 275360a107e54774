import NIOCore
import Testing
@testable import WebSocketCore

@Suite("Frame decoder")
struct FrameDecoderTests {
    @Test func reportsTheHeaderBeforeThePayloadArrives() throws {
        var decoder = FrameDecoder(role: .client)
        decoder.append(ByteBuffer(bytes: [0x82, 0x7E, 0x01, 0x00, 0xAA]))
        #expect(try decoder.next() == .header(FrameHeader(fin: true, opcode: .binary, maskingKey: nil, payloadLength: 256)))
        #expect(try decoder.next() == nil)
        let prefix = try decoder.withPendingPayload { header, bytes in Array(bytes) }
        #expect(prefix == [0xAA])
    }

    @Test(arguments: [Role.client, .server])
    func aLargeFrameSpreadOverReadsIsGatheredOnceAndHandedOutWhole(_ role: Role) throws {
        let length = 1 << 20
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let bytes = Wire.frame(0x2, payload, mask: Wire.peerKey(for: role))
        var decoder = FrameDecoder(role: role)
        var frames: [Frame] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 65_536)
            decoder.append(ByteBuffer(bytes: bytes[start..<end]))
            start = end
            while let output = try decoder.next() {
                if case .frame(let frame) = output { frames.append(frame) }
            }
        }
        #expect(frames.count == 1)
        let frame = try #require(frames.first)
        #expect(frame.payload == ByteBuffer(bytes: payload))
        // One buffer sized from the header: no regrowth, no second copy of the frame.
        #expect(frame.payload.storageCapacity == length)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func framesInOneReadAreSlicedWithoutCopies() throws {
        var decoder = FrameDecoder(role: .client)
        let read = ByteBuffer(bytes: Wire.frame(0x2, [1, 2, 3]) + Wire.frame(0x2, [4, 5]))
        decoder.append(read)
        var payloads: [ByteBuffer] = []
        while let output = try decoder.next() {
            if case .frame(let frame) = output { payloads.append(frame.payload) }
        }
        #expect(payloads == [ByteBuffer(bytes: [1, 2, 3]), ByteBuffer(bytes: [4, 5])])
        read.withUnsafeReadableBytes { readBytes in
            payloads[1].withUnsafeReadableBytes { #expect($0.baseAddress == readBytes.baseAddress! + 7) }
        }
    }

    @Test func aServersMaskedFramesInOneReadAreUnmaskedIntoStorageOfTheirOwn() throws {
        var decoder = FrameDecoder(role: .server)
        let key = Wire.peerKey(for: .server)
        let read = ByteBuffer(bytes: Wire.frame(0x2, [1, 2, 3], mask: key) + Wire.frame(0x2, [4, 5], mask: key))
        decoder.append(read)
        var payloads: [ByteBuffer] = []
        while let output = try decoder.next() {
            if case .frame(let frame) = output { payloads.append(frame.payload) }
        }
        #expect(payloads == [ByteBuffer(bytes: [1, 2, 3]), ByteBuffer(bytes: [4, 5])])
        read.withUnsafeReadableBytes { readBytes in
            let readRange = UInt(bitPattern: readBytes.baseAddress!)..<UInt(bitPattern: readBytes.baseAddress! + readBytes.count)
            for payload in payloads {
                payload.withUnsafeReadableBytes { #expect(!readRange.contains(UInt(bitPattern: $0.baseAddress!))) }
            }
        }
    }
}
