import NIOCore
import WebSocketCore

/// Sends arbitrary bytes as the payload of compressed messages (RSV1 set) to a client engine
/// that negotiated permessage-deflate, so every input reaches the inflater: the first byte
/// picks the context takeover, the window and how the payload is split into frames. Whatever
/// it is, nothing may crash or hang, and no delivered message may exceed the limit — the
/// deflate-bomb guard (RFC 7692 §8.1 gives the concern; the limit is ours).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let control = bytes[0]
    let parameters = PerMessageDeflate.Parameters(
        serverNoContextTakeover: control & 1 != 0, clientNoContextTakeover: false,
        serverMaxWindowBits: 9 + Int((control >> 1) & 0x7) % 7, clientMaxWindowBits: 15)
    let limits = Limits(maxFrameSize: 1 << 16, maxMessageSize: 1 << 16, maxFragmentsPerMessage: 16)
    var connection = Connection(role: .client, configuration: .init(limits: limits, perMessageDeflate: parameters))
    let opcode: UInt8 = control & 0x10 == 0 ? 0x1 : 0x2
    let fragments = Int(control >> 5) + 1

    // Two messages built from the same payload, so context takeover is exercised too.
    var wire = ByteBuffer()
    let payload = Array(bytes[1...])
    for _ in 0..<2 {
        let pieceSize = max(1, payload.count / fragments)
        var offset = 0
        var first = true
        repeat {
            let end = offset + pieceSize >= payload.count ? payload.count : offset + pieceSize
            let fin = end == payload.count
            wire.writeInteger((fin ? 0x80 : 0) | (first ? 0x40 | opcode : 0) as UInt8)
            let length = end - offset
            if length < 126 {
                wire.writeInteger(UInt8(length))
            } else {
                wire.writeInteger(126 as UInt8)
                wire.writeInteger(UInt16(length))
            }
            wire.writeBytes(payload[offset..<end])
            offset = end
            first = false
        } while offset < payload.count
    }
    connection.receiveData(wire)
    while let action = connection.nextAction() {
        switch action {
        case .deliverMessage(.binary(let message)):
            precondition(message.readableBytes <= limits.maxMessageSize, "inflated past the limit")
        case .deliverMessage(.text(let text)):
            precondition(text.utf8.count <= limits.maxMessageSize, "inflated past the limit")
        default:
            break
        }
    }
    while connection.nextBytesToSend() != nil {}
    return 0
}
