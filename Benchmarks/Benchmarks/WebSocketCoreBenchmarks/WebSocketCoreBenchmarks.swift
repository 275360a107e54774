// Micro-benchmarks for the WebSocketCore engine, each beside a peer measured in the same run:
// masking, frame parsing, frame serialising and UTF-8 validation. See ../../../BENCHMARKS.md.
//
// Naming: "<area>: <what> [ours|peer]". Units per iteration are stated in each name:
// "1 MiB" benchmarks do one 1 MiB operation per iteration (scaling .one), "×1000" benchmarks do
// 1000 frames per iteration and report per frame (scaling .kilo), "×16" benchmarks do 16
// 64 KiB frames (1 MiB of payload) per iteration (scaling .one).

import Benchmark
import NIOCore
import NIOEmbedded
import NIOWebSocket
import WebSocketCore

// MARK: - Sizes and inputs

let mebibyte = 1 << 20
let smallPayloadSize = 16
let largePayloadSize = 64 << 10
/// Frames per iteration: 16-byte frames are reported per frame (×1000, scaling .kilo);
/// 64 KiB frames come 16 to an iteration, i.e. 1 MiB of payload per iteration.
let smallFrameCount = 1000
let largeFrameCount = 16

/// The RFC 6455 §5.7 example key.
let maskingKeyValue: UInt32 = 0x37fa_213d

/// Deterministic filler bytes (xorshift), so the payload is not all one value.
func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var bytes = [UInt8]()
    bytes.reserveCapacity(count)
    while bytes.count < count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        withUnsafeBytes(of: state) { word in
            bytes.append(contentsOf: word.prefix(count - bytes.count))
        }
    }
    return bytes
}

/// One frame's wire bytes, written byte by byte here (independently of the engine's encoder):
/// FIN set, no RSV bits, masked with `mask` if given.
func wireFrame(opcode: UInt8, payload: [UInt8], mask: UInt32?) -> [UInt8] {
    var out: [UInt8] = [0x80 | opcode]
    let maskBit: UInt8 = mask == nil ? 0 : 0x80
    switch payload.count {
    case ..<126:
        out.append(maskBit | UInt8(payload.count))
    case ..<65536:
        out.append(maskBit | 126)
        out.append(UInt8(payload.count >> 8))
        out.append(UInt8(payload.count & 0xFF))
    default:
        out.append(maskBit | 127)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xFF)) }
    }
    guard let mask else { return out + payload }
    let key = [UInt8(mask >> 24), UInt8((mask >> 16) & 0xFF), UInt8((mask >> 8) & 0xFF), UInt8(mask & 0xFF)]
    out += key
    for (index, byte) in payload.enumerated() { out.append(byte ^ key[index & 3]) }
    return out
}

/// A ByteBuffer holding `count` copies of one frame.
func frames(opcode: UInt8, payload: [UInt8], mask: UInt32?, count: Int) -> ByteBuffer {
    let one = wireFrame(opcode: opcode, payload: payload, mask: mask)
    var buffer = ByteBufferAllocator().buffer(capacity: one.count * count)
    for _ in 0..<count { buffer.writeBytes(one) }
    return buffer
}

/// 1 MiB of mixed-script text (ASCII, Latin-1, Greek, Cyrillic, CJK, emoji), cut at a
/// character boundary at or just below 1 MiB.
func mixedText(bytes target: Int) -> [UInt8] {
    let sample = Array(
        ("The quick brown fox — naïve café, Straße, façade; "
            + "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Съешь же ещё этих мягких французских булок. "
            + "色は匂へど散りぬるを我が世誰ぞ常ならむ。敏捷的棕色狐狸跳过了懒狗。"
            + "🦊🐶🚀👍🏽 👩‍💻 ✨ 1234567890\n").utf8)
    var bytes = [UInt8]()
    bytes.reserveCapacity(target + sample.count)
    while bytes.count + sample.count <= target { bytes += sample }
    // Fill the rest with whole scalars from the sample.
    var index = 0
    while index < sample.count {
        let lead = sample[index]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        guard bytes.count + length <= target else { break }
        bytes += sample[index..<index + length]
        index += length
    }
    return bytes
}

/// Raw memory that lives for the whole run, aligned to 64 bytes.
func allocateBytes(_ bytes: [UInt8], alignment: Int = 64) -> UnsafeMutableRawBufferPointer {
    let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: alignment)
    bytes.withUnsafeBytes { memory.copyMemory(from: $0) }
    return memory
}

// MARK: - Mutable state shared with the benchmark closures

/// Holds an engine value across iterations; `withValue` takes one exclusive access per
/// iteration rather than one per call into the engine.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
    @inline(__always)
    func withValue<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try body(&value)
    }
}

/// Drains a connection's actions, checking each is a data message; returns how many.
@inline(__always)
func drainMessages(_ connection: inout Connection) -> Int {
    var messages = 0
    while let action = connection.nextAction() {
        guard case .deliverMessage(let message) = action else {
            fatalError("unexpected action \(action); failure: \(String(describing: connection.failure))")
        }
        blackHole(message)
        messages += 1
    }
    return messages
}

@inline(__always)
func drainFrames(_ decoder: inout FrameDecoder) -> Int {
    var frames = 0
    do {
        while let output = try decoder.next() {
            if case .frame(let frame) = output {
                blackHole(frame)
                frames += 1
            }
        }
    } catch {
        fatalError("decoder failed: \(error)")
    }
    return frames
}

@inline(__always)
func drainOutbound(_ connection: inout Connection) -> Int {
    var bytes = 0
    while let buffer = connection.nextBytesToSend() {
        bytes += buffer.readableBytes
        blackHole(buffer)
    }
    return bytes
}

/// NIO's frame decoder as NIO users run it: behind a `ByteToMessageHandler` in a channel
/// pipeline, here an `EmbeddedChannel`, then `unmaskedData` (and `String(buffer:)` for text,
/// so both sides hand out the same thing). Events are fired with `syncOperations` rather than
/// `writeInbound`, which would also copy the channel's whole inbound buffer into an Array.
func nioDecoderChannel() -> EmbeddedChannel {
    EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
}

@inline(__always)
func drainNIOFrames(_ channel: EmbeddedChannel, input: ByteBuffer, text: Bool) -> Int {
    var frames = 0
    do {
        channel.pipeline.syncOperations.fireChannelRead(NIOAny(input))
        channel.pipeline.syncOperations.fireChannelReadComplete()
        while let frame = try channel.readInbound(as: WebSocketFrame.self) {
            let data = frame.unmaskedData
            if text { blackHole(String(buffer: data)) } else { blackHole(data) }
            frames += 1
        }
    } catch {
        fatalError("NIO decoder failed: \(error)")
    }
    return frames
}

/// NIO's frame encoder in an `EmbeddedChannel`: `writeAndFlush` through `syncOperations` (not
/// `writeOutbound`, which waits on a future and copies the outbound buffer into an Array),
/// then the written buffers taken back out.
@inline(__always)
func nioSend(_ channel: EmbeddedChannel, _ frame: WebSocketFrame) -> Int {
    channel.pipeline.syncOperations.writeAndFlush(NIOAny(frame), promise: nil)
    var bytes = 0
    do {
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            bytes += buffer.readableBytes
            blackHole(buffer)
        }
    } catch {
        fatalError("NIO encoder failed: \(error)")
    }
    return bytes
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 10,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    let perFrame = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    // MARK: Masking 1 MiB

    let randomMiB = pseudoRandomBytes(mebibyte)
    let maskTarget = allocateBytes(randomMiB)
    let maskSource = UnsafeRawBufferPointer(allocateBytes(randomMiB))
    // One byte past a 64-byte boundary: unaligned vector loads, and key phase 1.
    let maskUnaligned = UnsafeMutableRawBufferPointer(
        rebasing: allocateBytes(randomMiB + [0])[1...])
    let ourKey = MaskingKey(rawValue: maskingKeyValue)
    let nioKey: WebSocketMaskingKey = [0x37, 0xfa, 0x21, 0x3d]
    let nioMaskBuffer = Box(ByteBuffer(bytes: randomMiB))

    // Check once, outside any measurement, that both sides compute the same thing.
    do {
        let ours = allocateBytes(randomMiB)
        ourKey.apply(to: ours, offset: 1)
        var theirs = ByteBuffer(bytes: randomMiB)
        theirs.webSocketMask(nioKey, indexOffset: 1)
        precondition(theirs.withUnsafeReadableBytes { $0.elementsEqual(ours) }, "masking results differ from NIO's")
        ours.deallocate()
    }

    Benchmark("Masking: 1 MiB in place, apply(to:) [ours]") { benchmark in
        for _ in benchmark.scaledIterations {
            ourKey.apply(to: maskTarget, offset: 0)
        }
        blackHole(maskTarget.baseAddress)
    }

    Benchmark("Masking: 1 MiB in place, unaligned, offset 1, apply(to:) [ours]") { benchmark in
        for _ in benchmark.scaledIterations {
            ourKey.apply(to: maskUnaligned, offset: 1)
        }
        blackHole(maskUnaligned.baseAddress)
    }

    Benchmark("Masking: 1 MiB copy, apply(from:to:) [ours]") { benchmark in
        for _ in benchmark.scaledIterations {
            ourKey.apply(from: maskSource, to: maskTarget, offset: 0)
        }
        blackHole(maskTarget.baseAddress)
    }

    Benchmark("Masking: 1 MiB in place, ByteBuffer.webSocketMask [peer NIO]") { benchmark in
        nioMaskBuffer.withValue { buffer in
            for _ in benchmark.scaledIterations {
                buffer.webSocketMask(nioKey, indexOffset: 0)
            }
            blackHole(buffer)
        }
    }

    // MARK: UTF-8 validation 1 MiB

    let asciiBytes = pseudoRandomBytes(mebibyte).map { 0x20 + $0 % 0x5F }
    let ascii = UnsafeRawBufferPointer(allocateBytes(asciiBytes))
    let mixedBytes = mixedText(bytes: mebibyte)
    let mixed = UnsafeRawBufferPointer(allocateBytes(mixedBytes))
    precondition(UTF8Validator.isValid(ascii) && UTF8Validator.isValid(mixed), "test text must be valid")
    precondition(String(validating: ascii.assumingMemoryBound(to: UInt8.self), as: UTF8.self) != nil)
    precondition(String(validating: mixed.assumingMemoryBound(to: UInt8.self), as: UTF8.self) != nil)
    let asciiTyped = ascii.assumingMemoryBound(to: UInt8.self)
    let mixedTyped = mixed.assumingMemoryBound(to: UInt8.self)

    Benchmark("UTF-8: 1 MiB ASCII, UTF8Validator.isValid [ours]") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(UTF8Validator.isValid(ascii))
        }
    }

    Benchmark("UTF-8: 1 MiB ASCII, String(validating:as:) [peer stdlib]") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(String(validating: asciiTyped, as: UTF8.self))
        }
    }

    Benchmark("UTF-8: \(mixedBytes.count) B mixed, UTF8Validator.isValid [ours]") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(UTF8Validator.isValid(mixed))
        }
    }

    Benchmark("UTF-8: \(mixedBytes.count) B mixed, String(validating:as:) [peer stdlib]") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(String(validating: mixedTyped, as: UTF8.self))
        }
    }

    // MARK: Parsing

    let smallText = Array("0123456789abcdef".utf8)
    precondition(smallText.count == smallPayloadSize)
    let largeBinary = pseudoRandomBytes(largePayloadSize, seed: 42)

    struct ParseCase {
        let name: String
        let role: Role
        let text: Bool
        let count: Int
        let input: ByteBuffer
    }
    var parseCases: [ParseCase] = []
    for role in [Role.client, .server] {
        // A server receives masked frames, a client unmasked ones.
        let mask: UInt32? = role == .server ? maskingKeyValue : nil
        let side = role == .server ? "server (masked)" : "client (unmasked)"
        parseCases.append(ParseCase(
            name: "16 B text ×\(smallFrameCount), \(side)", role: role, text: true, count: smallFrameCount,
            input: frames(opcode: 0x1, payload: smallText, mask: mask, count: smallFrameCount)))
        parseCases.append(ParseCase(
            name: "64 KiB binary ×\(largeFrameCount), \(side)", role: role, text: false, count: largeFrameCount,
            input: frames(opcode: 0x2, payload: largeBinary, mask: mask, count: largeFrameCount)))
    }

    for parse in parseCases {
        let configuration = parse.count == smallFrameCount ? perFrame : Benchmark.defaultConfiguration
        // Each frame of the input is one scaled iteration for ×1000, one iteration is ×16.
        let connection = Box(Connection(role: parse.role))
        let decoder = Box(FrameDecoder(role: parse.role))
        let nio = nioDecoderChannel()
        let input = parse.input
        let expected = parse.count

        // Check once that every frame comes out as a message.
        connection.withValue { connection in
            connection.receiveData(input)
            precondition(drainMessages(&connection) == expected, "Connection did not deliver every frame")
        }
        precondition(drainNIOFrames(nio, input: input, text: parse.text) == expected)

        Benchmark("Parse: \(parse.name), Connection.receiveData+nextAction [ours]", configuration: configuration) {
            benchmark in
            connection.withValue { connection in
                connection.receiveData(input)
                let messages = drainMessages(&connection)
                precondition(messages == expected)
            }
        }

        Benchmark("Parse: \(parse.name), FrameDecoder.append+next [ours]", configuration: configuration) {
            benchmark in
            decoder.withValue { decoder in
                decoder.append(input)
                let frames = drainFrames(&decoder)
                precondition(frames == expected)
            }
        }

        Benchmark(
            "Parse: \(parse.name), WebSocketFrameDecoder in EmbeddedChannel [peer NIO]", configuration: configuration
        ) { benchmark in
            let frames = drainNIOFrames(nio, input: input, text: parse.text)
            precondition(frames == expected)
        }
    }

    // MARK: Serialising

    let smallString = String(decoding: smallText, as: UTF8.self)
    let largeBuffer = ByteBuffer(bytes: largeBinary)

    for role in [Role.server, .client] {
        let side = role == .client ? "client (masks)" : "server (no mask)"
        let maskedOverhead = role == .client ? 4 : 0
        let smallWire = (2 + maskedOverhead + smallPayloadSize)
        let largeWire = (10 + maskedOverhead + largePayloadSize)  // 65 536 needs the 8-byte length

        let ours = Box(Connection(role: role))
        let nio = EmbeddedChannel(handler: WebSocketFrameEncoder())
        let allocator = ByteBufferAllocator()

        Benchmark(
            "Serialise: 16 B text ×\(smallFrameCount), \(side), sendText+nextBytesToSend each [ours]",
            configuration: perFrame
        ) { benchmark in
            ours.withValue { connection in
                var bytes = 0
                for _ in benchmark.scaledIterations {
                    try! connection.sendText(smallString)
                    bytes += drainOutbound(&connection)
                }
                precondition(bytes == smallWire * smallFrameCount)
            }
        }

        Benchmark(
            "Serialise: 16 B text ×\(smallFrameCount), \(side), sendText ×1000 then one drain [ours]",
            configuration: perFrame
        ) { benchmark in
            ours.withValue { connection in
                for _ in benchmark.scaledIterations {
                    try! connection.sendText(smallString)
                }
                let bytes = drainOutbound(&connection)
                precondition(bytes == smallWire * smallFrameCount)
            }
        }

        Benchmark(
            "Serialise: 16 B text ×\(smallFrameCount), \(side), WebSocketFrameEncoder in EmbeddedChannel [peer NIO]",
            configuration: perFrame
        ) { benchmark in
            var bytes = 0
            for _ in benchmark.scaledIterations {
                let frame = WebSocketFrame(
                    fin: true, opcode: .text, maskKey: role == .client ? .random() : nil,
                    data: allocator.buffer(string: smallString))
                bytes += nioSend(nio, frame)
            }
            precondition(bytes == smallWire * smallFrameCount)
        }

        Benchmark("Serialise: 64 KiB binary ×\(largeFrameCount), \(side), sendBinary+nextBytesToSend each [ours]") {
            benchmark in
            ours.withValue { connection in
                var bytes = 0
                for _ in 0..<largeFrameCount {
                    try! connection.sendBinary(largeBuffer)
                    bytes += drainOutbound(&connection)
                }
                precondition(bytes == largeWire * largeFrameCount)
            }
        }

        Benchmark(
            "Serialise: 64 KiB binary ×\(largeFrameCount), \(side), WebSocketFrameEncoder in EmbeddedChannel [peer NIO]"
        ) { benchmark in
            var bytes = 0
            for _ in 0..<largeFrameCount {
                let frame = WebSocketFrame(
                    fin: true, opcode: .binary, maskKey: role == .client ? .random() : nil, data: largeBuffer)
                bytes += nioSend(nio, frame)
            }
            precondition(bytes == largeWire * largeFrameCount)
        }
    }

    compressionBenchmarks()
}
