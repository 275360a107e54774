import NIOCore
import WebSocketCore

/// Feeds arbitrary bytes to the server's request parser and validator, whole and cut into
/// reads of a size the first byte picks: never a crash, and the same verdict either way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let chunkSize = Int(bytes[0]) + 1
    let input = bytes[1...]
    let limits = HandshakeLimits(maxHeadBytes: 2048, maxHeaderCount: 16)

    var whole = ServerHandshake(limits: limits)
    let wholeVerdict = whole.receive(ByteBuffer(bytes: input))

    var chunked = ServerHandshake(limits: limits)
    var verdict = ServerHandshake.Progress.needMoreData
    var offset = input.startIndex
    var leftover = ByteBuffer()
    while offset < input.endIndex {
        let end = min(input.endIndex, offset + chunkSize)
        let progress = chunked.receive(ByteBuffer(bytes: input[offset..<end]))
        if case .needMoreData = verdict {
            verdict = progress
        } else {
            leftover.writeBytes(input[offset..<end])  // bytes after the verdict belong to the frame stream
        }
        offset = end
    }
    switch (wholeVerdict, verdict) {
    case (.needMoreData, .needMoreData):
        break
    case (.accepted(let request, let wholeLeftover), .accepted(let chunkedRequest, let chunkLeftover)):
        precondition(request == chunkedRequest, "chunking changed the parsed request")
        var rest = chunkLeftover
        rest.writeImmutableBuffer(leftover)
        precondition(rest == wholeLeftover, "chunking changed the bytes after the head")
        let subprotocol = request.selectSubprotocol(supported: ["chat", "superchat"])
        _ = try? request.acceptingResponse(subprotocol: subprotocol)
    case (.rejected(let error, let response), .rejected(let chunkedError, _)):
        precondition(error == chunkedError, "chunking changed the rejection")
        precondition(response.readableBytes > 0, "a rejection must carry a response")
    default:
        preconditionFailure("chunking changed the verdict: \(wholeVerdict) vs \(verdict)")
    }
    return 0
}
