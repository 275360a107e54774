import NIOCore
import PeerBench

/// A whole client connection, on its event loop: the opening handshake, then either (churn) a
/// Close at once, or (echo) `--in-flight` messages kept on their way. The frames answering one
/// read batch go into one buffer, written and flushed once.
final class FloorClientHandler: ChannelInboundHandler, LoadConnection, @unchecked Sendable {
    // `@unchecked`: the `var`s are touched only on the channel's event loop; the rest is
    // immutable or synchronised itself.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// RFC 6455's sample key and its accept value: no random key and no SHA-1 per connection.
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    private static let accept = Array("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".utf8)
    private static let headEnd = Array("\r\n\r\n".utf8)
    private static let maxHeadSize = 16 << 10
    /// The most of a frame ever kept whole: a control frame's header and its 125 bytes.
    private static let maxFrameStart = 127

    /// The echo load of a connection (churn has none); its `var`s too are the event loop's.
    final class Load: @unchecked Sendable {
        let run: LoadRun
        let loop: any EventLoop
        let message: [UInt8]
        let opcode: UInt8
        var times: SendTimes
        var stopping = false
        let opened = Gate(), drained = Gate(), closed = Gate()

        init(run: LoadRun, loop: any EventLoop) {
            self.run = run
            self.loop = loop
            message = run.payload.binary ? run.payload.bytes : Array(run.payload.text.utf8)
            opcode = run.payload.binary ? 0x2 : 0x1
            times = SendTimes(capacity: run.options.inFlight)
        }
    }

    private let request: ByteBuffer
    private let keys: MaskKeys
    private let load: Load?
    private let batchCapacity: Int
    private var context: ChannelHandlerContext?
    private var upgraded = false
    /// What the last read left incomplete: the response head, or the start of a frame (its
    /// header, or a whole control frame). Copied: the only bytes that ever are.
    private var held: ByteBuffer?
    /// Payload bytes of the current data frame still to come: skipped, never copied.
    private var skip = 0
    private var endsMessage = false
    /// The opcode and size so far of the message whose frames are arriving.
    private var messageOpcode: UInt8?
    private var messageSize = 0
    /// The frames of this read batch.
    private var output: ByteBuffer?
    private var closing = false
    private var closeReceived = false
    /// The first thing that went wrong (later ones are its consequences), or the connection
    /// closing before the server's Close did.
    private(set) var failure: String?

    init(request: ByteBuffer, keys: MaskKeys, load: Load?) {
        self.request = request
        self.keys = keys
        self.load = load
        batchCapacity = load.map { $0.run.options.inFlight * ($0.message.count + 14) } ?? 16
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }  // no cycle left

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil, !closeReceived else { return }
        var input = unwrapInboundIn(data)
        if !upgraded {
            if var kept = held {
                held = nil
                kept.writeBuffer(&input)
                input = kept
            }
            guard let end = input.withUnsafeReadableBytes({ firstIndex(of: Self.headEnd, in: $0) }) else {
                guard input.readableBytes <= Self.maxHeadSize else { return fail("the handshake response has no end") }
                return keep(&input, context: context)
            }
            guard Self.accepted(input.readSlice(length: end + Self.headEnd.count)!) else {
                return fail("the server refused the upgrade (no 101 with the expected Sec-WebSocket-Accept)")
            }
            upgraded = true
            if let load { load.opened.open() } else { sendClose(context) }  // churn: closed once open
        }
        readFrames(&input, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if failure == nil && !closeReceived { failure = "the server closed the connection early" }
        load?.opened.open()
        load?.drained.open()
        load?.closed.open()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)")
    }

    private func keep(_ input: inout ByteBuffer, context: ChannelHandlerContext) {
        var copy = context.channel.allocator.buffer(capacity: max(input.readableBytes, Self.maxFrameStart))
        copy.writeBuffer(&input)
        held = copy
    }

    private func fail(_ description: String) {
        failure = failure ?? description
        output = nil
        held = nil
        context?.close(promise: nil)
    }

    /// Whether the response head is a 101 with the fixed key's accept value (looked for anywhere
    /// in the head, as the C floor does, not parsed as a header).
    private static func accepted(_ response: ByteBuffer) -> Bool {
        response.withUnsafeReadableBytes { bytes in
            bytes.starts(with: "HTTP/1.1 101".utf8) && bytes.count > 12 && (bytes[12] == 0x20 || bytes[12] == 0x0D)
                && firstIndex(of: accept, in: bytes) != nil
        }
    }

    // MARK: Receiving

    /// Parses the frames in `input`: data payloads are skipped where they lie (only their size is
    /// checked), whether the frame ends in this read or a later one.
    private func readFrames(_ input: inout ByteBuffer, context: ChannelHandlerContext) {
        while input.readableBytes > 0, failure == nil, !closeReceived {
            if skip > 0 {
                let count = min(skip, input.readableBytes)
                input.moveReaderIndex(forwardBy: count)
                skip -= count
                if skip == 0 && endsMessage { messageEnded(context) }
            } else if var start = held {  // complete the frame's start from this read
                let before = start.readableBytes
                var more = input.getSlice(at: input.readerIndex, length: min(input.readableBytes, Self.maxFrameStart - before))!
                start.writeBuffer(&more)
                guard let used = frameStart(start, context: context) else {
                    held = failure == nil ? start : nil
                    return
                }
                held = nil
                input.moveReaderIndex(forwardBy: used - before)
            } else {
                guard let used = frameStart(input, context: context) else {
                    return failure == nil ? keep(&input, context: context) : ()
                }
                input.moveReaderIndex(forwardBy: used)
            }
        }
    }

    /// Takes the start of the frame at the front of `buffer`: a data frame's header (its payload
    /// is then skipped as it comes), or a whole control frame. Returns the bytes it took, or nil
    /// when they are not all there yet, or when it failed the connection.
    private func frameStart(_ buffer: ByteBuffer, context: ChannelHandlerContext) -> Int? {
        let at = buffer.readerIndex
        guard let first = buffer.getInteger(at: at, as: UInt8.self),
            let second = buffer.getInteger(at: at + 1, as: UInt8.self)
        else { return nil }
        guard first & 0x70 == 0, second & 0x80 == 0 else { return failed("a frame with reserved bits or a mask") }
        var (length, size) = (Int(second), 2)
        if length == 126 {
            guard let extended = buffer.getInteger(at: at + 2, as: UInt16.self) else { return nil }
            (length, size) = (Int(extended), 4)
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: at + 2, as: UInt64.self) else { return nil }
            guard extended <= UInt64(PeerLimits.maxMessageSize) else { return failed("a frame of \(extended) bytes") }
            (length, size) = (Int(extended), 10)
        }
        let (opcode, fin) = (first & 0x0F, first & 0x80 != 0)
        if opcode >= 0x8 {  // control frames are short and whole: taken from the buffer
            guard fin, length <= 125 else { return failed("a fragmented or long control frame") }
            guard let payload = buffer.getSlice(at: at + 2, length: length) else { return nil }
            control(opcode, payload, context: context)
            return 2 + length
        }
        switch (opcode, messageOpcode) {
        case (0x0, .some): messageSize += length
        case (0x1, nil), (0x2, nil): (messageOpcode, messageSize) = (opcode, length)
        default: return failed("a frame out of order or with opcode \(opcode)")
        }
        (skip, endsMessage) = (length, fin)
        if length == 0 && fin { messageEnded(context) }
        return size
    }

    private func failed(_ frame: String) -> Int? {
        fail("the server sent \(frame)")
        return nil
    }

    private func control(_ opcode: UInt8, _ payload: ByteBuffer, context: ChannelHandlerContext) {
        switch opcode {
        case 0x9: payload.withUnsafeReadableBytes { writeFrame(0xA, $0, context: context) }  // pong
        case 0xA: break
        case 0x8:
            let code = payload.getInteger(at: payload.readerIndex, as: UInt16.self)
            guard closing else { return fail("the server closed the connection early, with \(code ?? 1005)") }
            guard code == nil || code == 1000 else { return fail("the server closed with \(code!), not 1000") }
            closeReceived = true
            output = nil
            context.close(promise: nil)
        default: fail("the server sent a frame with opcode \(opcode)")
        }
    }

    /// A whole message has come: checked by kind and size, timed, and answered by the next one.
    private func messageEnded(_ context: ChannelHandlerContext) {
        let opcode = messageOpcode
        messageOpcode = nil
        guard let load else { return fail("the server sent a message on a connection that sent none") }
        guard load.times.count > 0 else { return fail("an echo of a message that was never sent") }
        guard opcode == load.opcode, messageSize == load.message.count else {
            return fail("the server did not echo the message: got opcode \(opcode ?? 0), \(messageSize) bytes")
        }
        load.run.tally.record(roundTripNanoseconds: load.times.echoed(), bytes: messageSize)
        if !load.stopping {
            sendMessage(load, context: context)
        } else if load.times.count == 0 {
            load.drained.open()
        }
    }

    // MARK: Sending

    private func sendMessage(_ load: Load, context: ChannelHandlerContext) {
        load.times.sent()
        load.message.withUnsafeBytes { writeFrame(load.opcode, $0, context: context) }
    }

    private func sendClose(_ context: ChannelHandlerContext) {
        closing = true
        withUnsafeBytes(of: UInt16(1000).bigEndian) { writeFrame(0x8, $0, context: context) }
    }

    /// Appends one final frame to the batch, with a fresh mask applied as the payload is copied.
    private func writeFrame(_ opcode: UInt8, _ payload: UnsafeRawBufferPointer, context: ChannelHandlerContext) {
        let count = payload.count
        if output == nil { output = context.channel.allocator.buffer(capacity: max(batchCapacity, count + 14)) }
        output!.writeInteger(0x80 | opcode)
        if count < 126 {
            output!.writeInteger(UInt8(0x80 | count))
        } else if count <= 0xFFFF {
            output!.writeMultipleIntegers(UInt8(0x80 | 126), UInt16(count))
        } else {
            output!.writeMultipleIntegers(UInt8(0x80 | 127), UInt64(count))
        }
        let mask = keys.next()
        output!.writeInteger(mask, endianness: .host)  // so that its bytes are the mask copyMasked applies
        output!.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            copyMasked(payload, into: target, mask: mask)
            return count
        }
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard let batch = output else { return }
        output = nil
        context.writeAndFlush(wrapOutboundOut(batch), promise: nil)
    }

    // MARK: The echo load (LoadConnection), called from the main task

    /// Waits for the opening handshake; throws what failed it.
    func opened() async throws {
        guard let load, await load.opened.wait(seconds: LoadRun.drainSeconds) else {
            throw PeerFailure("the opening handshake did not finish")
        }
        if let failure = try await load.loop.submit({ self.failure }).get() { throw PeerFailure(failure) }
    }

    func start() {
        guard let load else { return }
        load.loop.execute {
            guard let context = self.context, self.failure == nil else { return }
            for _ in 0..<load.run.options.inFlight { self.sendMessage(load, context: context) }
            self.flush(context)
        }
    }

    func finish() async -> String? {
        guard let load else { return nil }
        let loop = load.loop
        let waitsForEchoes = try? await loop.submit {
            load.stopping = true
            return load.times.count > 0 && self.failure == nil
        }.get()
        if waitsForEchoes == true, await !load.drained.wait(seconds: LoadRun.drainSeconds) {
            loop.execute { self.fail("\(load.times.count) echo(es) did not come back within \(LoadRun.drainSeconds) s") }
        }
        loop.execute {
            guard let context = self.context, self.failure == nil else { return }
            self.sendClose(context)
            self.flush(context)
        }
        let closedInTime = await load.closed.wait(seconds: LoadRun.drainSeconds)
        return try? await loop.submit { self.failure ?? (closedInTime ? nil : "the closing handshake did not finish") }.get()
    }
}

/// The masking keys: xorshift64, seeded once from the system generator, a fresh 32-bit key per
/// frame for about a nanosecond. Not the strong randomness RFC 6455 asks for, which a real client
/// pays for. Shared by a run's connections, all on one event loop (hence `@unchecked`).
final class MaskKeys: @unchecked Sendable {
    private var state = UInt64.random(in: 1...UInt64.max)

    func next() -> UInt32 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt32(truncatingIfNeeded: state >> 32)
    }
}

/// Where `needle` first occurs in `bytes`, if it does.
private func firstIndex(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
    guard let first = needle.first, bytes.count >= needle.count else { return nil }
    for start in 0...(bytes.count - needle.count) where bytes[start] == first {
        if bytes[start..<start + needle.count].elementsEqual(needle) { return start }
    }
    return nil
}
