import NIOCore
import WebSocketCore

/// Feeds arbitrary bytes to the client's response parser and validator, whole and cut into
/// reads of a size the first byte picks: never a crash, and the same verdict either way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    let chunkSize = Int(bytes[0]) + 1
    let input = bytes[1...]
    // The RFC 6455 §1.3 nonce, so a fuzzer that learns its accept value reaches the later checks.
    let key = SecWebSocketKey("dGhlIHNhbXBsZSBub25jZQ==")!
    func makeHandshake() -> ClientHandshake {
        try! ClientHandshake(
            host: "example.com", resourceName: "/chat", protocols: ["chat", "superchat"],
            extensions: try! ExtensionHeader.parse("permessage-deflate; client_max_window_bits"), key: key,
            limits: HandshakeLimits(maxHeadBytes: 2048, maxHeaderCount: 16))
    }

    var whole = makeHandshake()
    let wholeVerdict = Result { () throws(HandshakeError) in try whole.receive(ByteBuffer(bytes: input)) }

    var chunked = makeHandshake()
    var verdict: Result<ClientHandshake.Progress, HandshakeError> = .success(.needMoreData)
    var offset = input.startIndex
    while offset < input.endIndex, case .success(.needMoreData) = verdict {
        let end = min(input.endIndex, offset + chunkSize)
        verdict = Result { () throws(HandshakeError) in try chunked.receive(ByteBuffer(bytes: input[offset..<end])) }
        offset = end
    }
    switch (wholeVerdict, verdict) {
    case (.success(.needMoreData), .success(.needMoreData)):
        break
    case (.success(.accepted(let result)), .success(.accepted(let chunkedResult))):
        precondition(result.response == chunkedResult.response && result.subprotocol == chunkedResult.subprotocol
            && result.extensions == chunkedResult.extensions, "chunking changed the accepted response")
        precondition(result.subprotocol.map { ["chat", "superchat"].contains($0) } ?? false, "accepted an unoffered subprotocol")
    case (.failure(let error), .failure(let chunkedError)):
        precondition(error == chunkedError, "chunking changed the error")
    default:
        preconditionFailure("chunking changed the verdict")
    }
    return 0
}
