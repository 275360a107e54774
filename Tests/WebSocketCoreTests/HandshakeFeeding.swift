import NIOCore
@testable import WebSocketCore

// Feeding handshake input in chunks exactly as an I/O layer would: once a head is complete,
// every later chunk belongs to the frame stream and is appended to the leftover.

extension HTTPHeadParser {
    /// The head and every byte after it, or `nil` if the input ended first.
    mutating func feed(_ input: [UInt8], chunking: Chunking) throws(HandshakeError) -> (head: HTTPHead, leftover: [UInt8])? {
        var result: (head: HTTPHead, leftover: [UInt8])?
        for chunk in chunking.split(input) {
            if result != nil {
                result?.leftover += chunk
                continue
            }
            var buffer = ByteBuffer(bytes: chunk)
            if let head = try parse(&buffer) { result = (head, Array(buffer.readableBytesView)) }
        }
        return result
    }
}

extension ClientHandshake {
    /// The accepted result with every byte after the head as leftover, or `nil` if the input
    /// ended first.
    mutating func feed(_ input: [UInt8], chunking: Chunking) throws(HandshakeError) -> HandshakeResult? {
        var result: HandshakeResult?
        for chunk in chunking.split(input) {
            if result != nil {
                result?.leftover.writeBytes(chunk)
                continue
            }
            if case .accepted(let accepted) = try receive(ByteBuffer(bytes: chunk)) { result = accepted }
        }
        return result
    }
}

extension ServerHandshake {
    /// The verdict, with every byte after the head as leftover when accepted.
    mutating func feed(_ input: [UInt8], chunking: Chunking) -> Progress {
        var progress = Progress.needMoreData
        for chunk in chunking.split(input) {
            switch progress {
            case .needMoreData:
                progress = receive(ByteBuffer(bytes: chunk))
            case .accepted(let request, var leftover):
                leftover.writeBytes(chunk)
                progress = .accepted(request, leftover: leftover)
            case .rejected:
                return progress
            }
        }
        return progress
    }
}

/// The UTF-8 bytes of `text`, for writing HTTP heads as string literals.
func httpBytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}
