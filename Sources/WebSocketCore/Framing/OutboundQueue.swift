import DequeModule
import NIOCore

/// Serialised frames waiting to be written, gathered so that one flush carries many.
///
/// Small frames are written one after another into a shared buffer; a large payload that
/// needs no masking is queued as the caller's own buffer after its header, never copied.
struct OutboundQueue: Sendable {
    /// Unmasked payloads at least this long are queued by reference rather than copied.
    static let zeroCopyThreshold = 8 * 1024

    // A deque allocates nothing until used: small frames go to `tail`, and every idle
    // connection holds this.
    private var ready = Deque<ByteBuffer>()
    private var tail: ByteBuffer?

    var isEmpty: Bool { ready.isEmpty && (tail?.readableBytes ?? 0) == 0 }

    mutating func writeFrame(
        fin: Bool, reservedBits: ReservedBits = [], opcode: Opcode, payload: ByteBuffer, maskingKey: MaskingKey?
    ) {
        if maskingKey == nil, payload.readableBytes >= Self.zeroCopyThreshold {
            let header = FrameHeader(
                fin: fin, reservedBits: reservedBits, opcode: opcode, maskingKey: nil, payloadLength: payload.readableBytes)
            ensureTail(capacity: header.encodedLength)
            header.write(to: &tail!)
            ready.append(tail!)
            tail = nil
            ready.append(payload)
            return
        }
        payload.withUnsafeReadableBytes { bytes in
            writeFrame(fin: fin, reservedBits: reservedBits, opcode: opcode, payload: bytes, maskingKey: maskingKey)
        }
    }

    mutating func writeFrame(
        fin: Bool, reservedBits: ReservedBits = [], opcode: Opcode, payload: UnsafeRawBufferPointer, maskingKey: MaskingKey?
    ) {
        ensureTail(capacity: payload.count + 14)
        Frame.write(
            fin: fin, reservedBits: reservedBits, opcode: opcode, payload: payload, maskingKey: maskingKey, to: &tail!)
    }

    /// The next bytes to write, oldest first.
    mutating func next() -> ByteBuffer? {
        if let first = ready.popFirst() { return first }
        defer { tail = nil }
        return tail?.readableBytes == 0 ? nil : tail
    }

    private mutating func ensureTail(capacity: Int) {
        if tail == nil { tail = ByteBufferAllocator().buffer(capacity: max(capacity, 1024)) }
    }
}
