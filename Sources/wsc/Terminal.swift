import Foundation
import WebSockets

/// How `wsc` writes: messages to standard output, everything else to standard error.
enum Terminal {
    /// A message's data: text as it is; binary as its length and a hex preview of the first bytes.
    static func print(_ data: MessageEvent.Data) {
        line(describe(data))
    }

    /// A stream's message, as ``print(_:)`` shows an event's data.
    static func print(_ message: WebSocketMessage) {
        switch message {
        case .text(let text): line(text)
        case .binary(let bytes): line(describeBinary(bytes))
        }
    }

    /// One line on standard output, written at once (not buffered, so it keeps its place
    /// among lines written from other threads).
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func describe(_ data: MessageEvent.Data) -> String {
        switch data {
        case .text(let text): text
        case .arrayBuffer(let bytes): describeBinary(bytes)
        case .blob(let blob): describeBinary(blob.data())
        }
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func describeBinary(_ bytes: Data) -> String {
        let preview = bytes.prefix(16).map { String(format: "%02x", $0) }.joined(separator: " ")
        return "<binary, \(bytes.count) bytes: \(preview)\(bytes.count > 16 ? " …" : "")>"
    }
}
