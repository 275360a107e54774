// permessage-deflate: compressing and decompressing 1 KiB and 1 MiB messages with the engine's
// Compressor and Decompressor, beside a plain zlib raw-deflate round trip (deflate with
// Z_SYNC_FLUSH, then inflate) on the same bytes in the same run.

import Benchmark
import CZlibPeer
import NIOCore
import WebSocketCore

/// Text-like bytes that compress roughly as chat or JSON does (not all one value, not random).
func compressibleBytes(_ count: Int) -> [UInt8] {
    let words = ["message", "user", "id", "{", "}", "\"text\":", "hello", "world", "1234", ",", " "].map { Array($0.utf8) }
    var random = pseudoRandomBytes(count)
    var bytes = [UInt8]()
    bytes.reserveCapacity(count)
    var index = 0
    while bytes.count < count {
        bytes += words[Int(random[index % random.count]) % words.count]
        index += 1
    }
    random.removeAll()
    return Array(bytes.prefix(count))
}

/// Plain zlib raw deflate and inflate, each stream kept across messages (context takeover,
/// as ours): the peer the engine's compression is measured beside.
final class ZlibPeer {
    private var deflater = z_stream()
    private var inflater = z_stream()
    private var compressed: [UInt8]
    private var restored: [UInt8]

    init(messageSize: Int) {
        compressed = [UInt8](repeating: 0, count: messageSize + messageSize / 1000 + 64)
        restored = [UInt8](repeating: 0, count: messageSize)
        CZlibPeer_deflateInit2(&deflater, 6, -15, 8)
        CZlibPeer_inflateInit2(&inflater, -15)
    }

    deinit {
        deflateEnd(&deflater)
        inflateEnd(&inflater)
    }

    /// Deflates `input` with a sync flush, then inflates it; returns the restored bytes.
    func roundTrip(_ input: [UInt8]) -> ArraySlice<UInt8> {
        var compressedCount = 0
        input.withUnsafeBufferPointer { source in
            compressed.withUnsafeMutableBufferPointer { target in
                deflater.next_in = source.baseAddress
                deflater.avail_in = UInt32(source.count)
                deflater.next_out = target.baseAddress
                deflater.avail_out = UInt32(target.count)
                deflate(&deflater, Z_SYNC_FLUSH)
                compressedCount = target.count - Int(deflater.avail_out)
            }
        }
        var restoredCount = 0
        compressed.withUnsafeBufferPointer { source in
            restored.withUnsafeMutableBufferPointer { target in
                inflater.next_in = source.baseAddress
                inflater.avail_in = UInt32(compressedCount)
                inflater.next_out = target.baseAddress
                inflater.avail_out = UInt32(target.count)
                inflate(&inflater, Z_SYNC_FLUSH)
                restoredCount = target.count - Int(inflater.avail_out)
            }
        }
        return restored[..<restoredCount]
    }
}

func compressionBenchmarks() {
    for (name, size) in [("1 KiB", 1 << 10), ("1 MiB", 1 << 20)] {
        let input = compressibleBytes(size)
        let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal])

        // Verify once that ours restores the input and that the peer does too.
        var check = PerMessageDeflate.Compressor(windowBits: 15)
        let sample = input.withUnsafeBytes { check.compress($0) }
        var inflater = PerMessageDeflate.Decompressor(windowBits: 15)
        var restored = ByteBuffer()
        sample.withUnsafeReadableBytes { bytes in
            try! inflater.decompress(bytes, into: &restored, limit: .max) { _ in }
        }
        try! inflater.finishMessage(into: &restored, limit: .max) { _ in }
        precondition(Array(restored.readableBytesView) == input, "the engine's round trip changed the data")
        precondition(Array(ZlibPeer(messageSize: size).roundTrip(input)) == input, "the zlib round trip changed the data")

        Benchmark("Deflate: \(name) text-like, Compressor.compress, context takeover [ours]", configuration: configuration) { benchmark in
            var compressor = PerMessageDeflate.Compressor(windowBits: 15)
            input.withUnsafeBytes { bytes in
                for _ in benchmark.scaledIterations { blackHole(compressor.compress(bytes)) }
            }
        }

        Benchmark("Deflate: \(name) text-like, compress + decompress [ours]", configuration: configuration) { benchmark in
            var compressor = PerMessageDeflate.Compressor(windowBits: 15)
            var decompressor = PerMessageDeflate.Decompressor(windowBits: 15)
            var output = ByteBuffer()
            input.withUnsafeBytes { bytes in
                for _ in benchmark.scaledIterations {
                    let compressed = compressor.compress(bytes)
                    output.clear()
                    compressed.withUnsafeReadableBytes { payload in
                        try! decompressor.decompress(payload, into: &output, limit: .max) { _ in }
                    }
                    try! decompressor.finishMessage(into: &output, limit: .max) { _ in }
                    blackHole(output.readableBytes)
                }
            }
        }

        Benchmark("Deflate: \(name) text-like, plain zlib deflate + inflate [peer zlib]", configuration: configuration) { benchmark in
            let peer = ZlibPeer(messageSize: size)
            for _ in benchmark.scaledIterations { blackHole(peer.roundTrip(input).count) }
        }
    }
}
