import NIOCore
import Testing
@testable import WebSockets

/// The sizes a connection reads with: SwiftNIO's adaptive policy from 256 bytes to 64 KiB.
@Suite("Receive buffer sizes")
struct ReceiveBuffersTests {
    @Test func startsAt256BytesAndHandsOutBuffersOfTheSizeItAnnounces() {
        let sizes = ReceiveBuffers.allocator
        #expect(sizes.nextBufferSize() == 256)
        #expect(sizes.buffer(allocator: ByteBufferAllocator()).capacity == 256)
    }

    @Test func aFullReadDoublesTheNextBufferUpTo64KiB() {
        var sizes = ReceiveBuffers.allocator
        var seen: [Int] = []
        while sizes.record(actualReadBytes: sizes.nextBufferSize()!) {
            seen.append(sizes.nextBufferSize()!)
        }
        #expect(seen == [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536])
        let grewPastTheMaximum = sizes.record(actualReadBytes: 1 << 20)
        #expect(!grewPastTheMaximum)
        #expect(sizes.nextBufferSize() == 65536)
    }

    @Test func twoReadsInARowThatFitInHalfHalveItDownTo64Bytes() {
        var sizes = ReceiveBuffers.allocator
        _ = sizes.record(actualReadBytes: 10)
        #expect(sizes.nextBufferSize() == 256)
        _ = sizes.record(actualReadBytes: 10)
        #expect(sizes.nextBufferSize() == 128)
        // A read in between that needs more than half starts the count again.
        _ = sizes.record(actualReadBytes: 10)
        _ = sizes.record(actualReadBytes: 100)
        _ = sizes.record(actualReadBytes: 10)
        #expect(sizes.nextBufferSize() == 128)
        for _ in 0..<10 { _ = sizes.record(actualReadBytes: 0) }
        #expect(sizes.nextBufferSize() == 64)
    }

    @Test func fitsInAnExistentialWithoutABox() {
        // SwiftNIO stores a channel's allocator as `any RecvByteBufferAllocator`, inline up to
        // three words; larger values each cost a connection a heap allocation.
        #expect(MemoryLayout<ReceiveBuffers>.size <= 3 * MemoryLayout<Int>.size)
    }
}
