import Foundation
import WebSocketCore

/// A message on its way to the engine, in the caller's own storage until the engine frames
/// it. The engine copies the bytes into the frame as it serialises it, masking them in the
/// same pass on a client: one pass over a payload, where turning it into a `ByteBuffer` first
/// took two.
enum OutgoingMessage: Sendable {
    case text(String)
    case binary(Data)
    case bytes([UInt8])

    /// The bytes the message adds to what is buffered (WHATWG WebSockets `bufferedAmount`).
    var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let data): data.count
        case .bytes(let bytes): bytes.count
        }
    }

    /// Queues the message in `connection`.
    func send(on connection: inout Connection) throws(SendError) {
        switch self {
        case .text(let text): try connection.sendText(text)
        case .binary(let data): try Self.sendBinary(data, on: &connection)
        case .bytes(let bytes): try Self.sendBinary(bytes, on: &connection)
        }
    }

    private static func sendBinary(_ bytes: some ContiguousBytes, on connection: inout Connection) throws(SendError) {
        let refusal = bytes.withUnsafeBytes { bytes -> SendError? in
            do throws(SendError) {
                try connection.sendBinary(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let refusal { throw refusal }
    }
}
