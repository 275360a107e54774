import NIOCore
import Testing
import WebSocketCore
@testable import WebSockets

/// Which received payloads get storage of their own before they leave the event loop.
@Suite("Received payloads leaving the event loop")
struct ReadBufferDetachingTests {
    /// A payload sliced out of a larger read, as a client's unmasked frame is.
    private static func sliceOfARead() -> (read: ByteBuffer, message: Message) {
        let read = ByteBuffer(bytes: Array(0..<64))
        return (read, .binary(read.getSlice(at: 10, length: 16)!))
    }

    private static func sharesStorage(_ message: Message, with read: ByteBuffer) -> Bool {
        guard case .binary(let bytes) = message else { return false }
        return read.withUnsafeReadableBytes { readBytes in
            bytes.withUnsafeReadableBytes { $0.baseAddress == readBytes.baseAddress! + 10 }
        }
    }

    @Test func aClientCopiesASliceOfItsReceiveBuffer() {
        let (read, message) = Self.sliceOfARead()
        let detached = message.detachedFromReadBuffers(role: .client)
        #expect(detached == message)
        #expect(!Self.sharesStorage(detached, with: read))
    }

    @Test func aServerHandsItsUnmaskedPayloadOverWithoutASecondCopy() {
        let (read, message) = Self.sliceOfARead()
        let detached = message.detachedFromReadBuffers(role: .server)
        #expect(Self.sharesStorage(detached, with: read))
    }
}
