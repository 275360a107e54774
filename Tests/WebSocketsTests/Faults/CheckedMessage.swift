import Foundation
@testable import WebSockets

/// Messages that carry their sequence number and a checksum of their payload, so the receiver
/// can tell that each arrived whole, byte-exact and in order.
///
/// Binary: 8 bytes of sequence number and 8 of FNV-1a 64 of the payload (big-endian), then the
/// random payload. Text: `"<sequence> <checksum in hex> <payload>"`, the payload random letters
/// and a few non-ASCII characters.
enum CheckedMessage {
    static func binary(_ sequence: Int, size: Int) -> Data {
        let payload = Data((0..<size).map { _ in UInt8.random(in: 0...255) })
        var message = Data()
        withUnsafeBytes(of: UInt64(sequence).bigEndian) { message.append(contentsOf: $0) }
        withUnsafeBytes(of: checksum(payload).bigEndian) { message.append(contentsOf: $0) }
        return message + payload
    }

    static func text(_ sequence: Int, characters: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzαβγδ€😀")
        let payload = String((0..<characters).map { _ in alphabet.randomElement()! })
        return "\(sequence) \(String(checksum(Data(payload.utf8)), radix: 16)) \(payload)"
    }

    /// The sequence number of an intact message; `nil` if its checksum does not match.
    static func verify(_ message: WebSocketMessage) -> Int? {
        switch message {
        case .binary(let data):
            guard data.count >= 16 else { return nil }
            let bytes = [UInt8](data)
            let sequence = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            let sum = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            return checksum(Data(bytes[16...])) == sum ? Int(sequence) : nil
        case .text(let text):
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let sequence = Int(parts[0]), let sum = UInt64(parts[1], radix: 16) else { return nil }
            return checksum(Data(parts[2].utf8)) == sum ? sequence : nil
        }
    }

    /// FNV-1a, 64 bits: enough to catch a corrupted or truncated payload.
    static func checksum(_ data: Data) -> UInt64 {
        data.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}
