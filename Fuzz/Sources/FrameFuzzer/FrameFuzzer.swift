import NIOCore
import WebSocketCore

/// Feeds arbitrary bytes to a `Connection`: the first byte picks the role and how the rest is
/// cut into reads. Whatever comes in, the engine must not crash or hang, and what it reports
/// must be consistent.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let control = bytes[0]
    let role: Role = control & 1 == 0 ? .client : .server
    let chunkSize = Int(control >> 1) + 1
    let limits = Limits(maxFrameSize: 1 << 16, maxMessageSize: 1 << 17, maxFragmentsPerMessage: 64)
    var connection = Connection(role: role, configuration: .init(limits: limits))
    var offset = 1
    var sawCloseTransport = false
    while offset < count {
        let end = min(count, offset + chunkSize)
        connection.receiveData(ByteBuffer(bytes: bytes[offset..<end]))
        offset = end
        while let action = connection.nextAction() {
            switch action {
            case .deliverMessage(.binary(let payload)):
                precondition(payload.readableBytes <= limits.maxMessageSize, "message above the limit delivered")
            case .deliverMessage(.text(let text)):
                precondition(text.utf8.count <= limits.maxMessageSize, "message above the limit delivered")
            case .deliverPing(let payload), .deliverPong(let payload):
                precondition(payload.readableBytes <= 125, "control frame above 125 bytes delivered")
            case .closeFrameReceived(let frame):
                precondition(frame.code.map(\.isAllowedOnTheWire) ?? true, "close code not allowed on the wire accepted")
            case .closeTransport:
                sawCloseTransport = true
            case .startCloseTimer:
                break
            }
        }
        while connection.nextBytesToSend() != nil {}
    }
    if connection.failure != nil {
        precondition(sawCloseTransport, "failed without closing the transport")
    }
    let closure = connection.transportClosed()
    precondition(closure.failure == nil || (closure.code == 1006 && !closure.wasClean), "a failed connection must end with 1006")
    return 0
}
