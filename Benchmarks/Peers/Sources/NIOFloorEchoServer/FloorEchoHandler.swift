import Foundation  // base64 for the handshake
import NIOCore
import PeerBench

/// A whole connection, on its event loop: the handshake, then an echo frame for every client
/// frame. The echoes of one read batch go into one buffer, written and flushed once.
final class FloorEchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let maxHeadSize = 8 << 10
    private static let maxFrameHeaderSize = 14  // 2 + 8 length bytes + 4 mask bytes

    private var upgraded = false
    /// Received bytes not parsed yet (part of the head or of a frame), when there are any.
    private var pending: ByteBuffer?
    /// The answers of this read batch.
    private var output: ByteBuffer?
    /// A Close was echoed or the connection failed: nothing more is read.
    private var done = false
    private var closeAfterWrite = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var input = unwrapInboundIn(data)
        // A read is parsed where it is unless part of a frame is waiting for it.
        let ours = pending != nil
        if var buffered = pending {
            pending = nil  // so that the append below does not copy
            buffered.writeBuffer(&input)
            input = buffered
        }
        if !upgraded {
            guard let headSize = Self.headSize(input) else {
                guard input.readableBytes <= Self.maxHeadSize else { return fail(context) }
                return keep(&input, wanting: input.readableBytes, ours: ours, context: context)
            }
            guard upgrade(&input, headSize: headSize, context: context) else { return fail(context) }
        }
        let wanted = echoFrames(&input, context: context)
        if !done && input.readableBytes > 0 { keep(&input, wanting: wanted, ours: ours, context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let batch = output else { return }
        output = nil
        if closeAfterWrite {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(batch)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(batch), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context)
    }

    private func fail(_ context: ChannelHandlerContext) {
        done = true
        pending = nil
        output = nil
        context.close(promise: nil)
    }

    /// Keeps the unparsed rest for the next read: where it is if that buffer is this handler's
    /// and has room for the whole frame (`wanted` bytes), else in a new buffer with that room.
    private func keep(_ input: inout ByteBuffer, wanting wanted: Int, ours: Bool, context: ChannelHandlerContext) {
        if ours && input.capacity - input.readerIndex >= wanted {
            pending = input
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: max(wanted, input.readableBytes))
        buffer.writeBuffer(&input)
        pending = buffer
    }

    /// The size of the request head up to and with its blank line, once it is all there.
    private static func headSize(_ input: ByteBuffer) -> Int? {
        input.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 4 else { return nil }
            for end in 3..<bytes.count
            where bytes[end] == 10 && bytes[end - 1] == 13 && bytes[end - 2] == 10 && bytes[end - 3] == 13 {
                return end + 1
            }
            return nil
        }
    }

    /// Consumes the head and answers it; false when it has no `Sec-WebSocket-Key`.
    private func upgrade(_ input: inout ByteBuffer, headSize: Int, context: ChannelHandlerContext) -> Bool {
        let head = input.readString(length: headSize) ?? ""
        // "\r\n" is one Character, a newline.
        let key = head.split(whereSeparator: \.isNewline).lazy.compactMap { line -> String? in
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "sec-websocket-key" else {
                return nil
            }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }.first
        guard let key else { return false }
        let accept = Data(sha1(Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(accept)\r\n\r\n"
        output = context.channel.allocator.buffer(capacity: response.utf8.count + input.readableBytes)
        output!.writeString(response)
        upgraded = true
        return true
    }

    /// Echoes every complete frame at the front of `input`, consuming it. Returns the size of
    /// the frame left incomplete, when its header says it (else the largest header).
    private func echoFrames(_ input: inout ByteBuffer, context: ChannelHandlerContext) -> Int {
        while !done, input.readableBytes >= 2 {
            let start = input.readerIndex
            var first = input.getInteger(at: start, as: UInt8.self)!
            let second = input.getInteger(at: start + 1, as: UInt8.self)!
            guard second & 0x80 != 0 else { fail(context); return 0 }  // client frames are masked
            var headerSize = 6
            var length = UInt64(second & 0x7F)
            if length == 126 {
                guard let extended = input.getInteger(at: start + 2, as: UInt16.self) else { break }
                (length, headerSize) = (UInt64(extended), 8)
            } else if length == 127 {
                guard let extended = input.getInteger(at: start + 2, as: UInt64.self) else { break }
                (length, headerSize) = (extended, 14)
            }
            guard length <= UInt64(PeerLimits.maxMessageSize) else { fail(context); return 0 }
            let count = Int(length)
            guard input.readableBytes >= headerSize + count else { return headerSize + count }
            // Held in memory order, so that it lines up with the payload bytes as loaded.
            let mask = input.getInteger(at: start + headerSize - 4, endianness: .host, as: UInt32.self)!
            // Echo frames are 4 bytes shorter than client frames: the batch's bytes bound them.
            if output == nil { output = context.channel.allocator.buffer(capacity: input.readableBytes) }
            input.moveReaderIndex(forwardBy: headerSize)
            switch first & 0x0F {
            case 0xA:  // an unsolicited pong: nothing to answer
                input.moveReaderIndex(forwardBy: count)
                continue
            case 0x9: first = first & 0xF0 | 0xA  // ping: pong with the same payload
            case 0x8: (done, closeAfterWrite) = (true, true)  // close: echoed, then the end
            default: break  // data: text is not checked for UTF-8, which a correct server must do
            }
            output!.writeInteger(first)
            if count < 126 {
                output!.writeInteger(UInt8(count))
            } else if count <= 0xFFFF {
                output!.writeInteger(UInt8(126))
                output!.writeInteger(UInt16(count))
            } else {
                output!.writeInteger(UInt8(127))
                output!.writeInteger(UInt64(count))
            }
            input.withUnsafeReadableBytes { source in
                _ = output!.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
                    copyMasked(UnsafeRawBufferPointer(rebasing: source[..<count]), into: target, mask: mask)
                    return count
                }
            }
            input.moveReaderIndex(forwardBy: count)
        }
        return Self.maxFrameHeaderSize
    }
}

/// SHA-1 (FIPS 180-4), for the handshake's accept value only: once per connection, short input.
private func sha1(_ message: [UInt8]) -> [UInt8] {
    var hash: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var data = message + [0x80]
    while data.count % 64 != 56 { data.append(0) }
    let bits = UInt64(message.count) * 8
    for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> shift)) }
    func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value << count | value >> (32 - count) }
    var words = [UInt32](repeating: 0, count: 80)
    for block in stride(from: 0, to: data.count, by: 64) {
        for i in 0..<16 {
            words[i] = data[block + 4 * i..<block + 4 * i + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
        for i in 16..<80 { words[i] = rotate(words[i - 3] ^ words[i - 8] ^ words[i - 14] ^ words[i - 16], 1) }
        var (a, b, c, d, e) = (hash[0], hash[1], hash[2], hash[3], hash[4])
        for i in 0..<80 {
            let (f, k): (UInt32, UInt32) =
                switch i {
                case 0..<20: ((b & c) | (~b & d), 0x5A82_7999)
                case 20..<40: (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                default: (b ^ c ^ d, 0xCA62_C1D6)
                }
            (a, b, c, d, e) = (rotate(a, 5) &+ f &+ e &+ k &+ words[i], a, rotate(b, 30), c, d)
        }
        for (i, value) in [a, b, c, d, e].enumerated() { hash[i] &+= value }
    }
    return hash.flatMap { word in stride(from: 24, through: 0, by: -8).map { UInt8(truncatingIfNeeded: word >> $0) } }
}
