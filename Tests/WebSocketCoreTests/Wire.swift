import NIOCore
@testable import WebSocketCore

/// Frames written by hand, independently of the engine's encoder, so tests never check the
/// engine against itself.
enum Wire {
    /// One frame's bytes. `length` forces a length encoding: 7, 16 or 64 bits.
    static func frame(
        _ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true, rsv: UInt8 = 0,
        mask: UInt32? = nil, lengthBits: Int? = nil
    ) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let bits = lengthBits ?? (payload.count < 126 ? 7 : payload.count <= 0xFFFF ? 16 : 64)
        switch bits {
        case 7: bytes.append(maskBit | UInt8(payload.count))
        case 16: bytes.append(maskBit | 126); bytes += bigEndian(UInt64(payload.count), width: 2)
        default: bytes.append(maskBit | 127); bytes += bigEndian(UInt64(payload.count), width: 8)
        }
        guard let mask else { return bytes + payload }
        let key = bigEndian(UInt64(mask), width: 4)
        bytes += key
        bytes += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return bytes
    }

    static func text(_ string: String, fin: Bool = true, mask: UInt32? = nil) -> [UInt8] {
        frame(0x1, Array(string.utf8), fin: fin, mask: mask)
    }

    static func close(_ code: UInt16?, _ reason: String = "", mask: UInt32? = nil) -> [UInt8] {
        frame(0x8, closePayload(code, reason), mask: mask)
    }

    static func closePayload(_ code: UInt16?, _ reason: String = "") -> [UInt8] {
        guard let code else { return [] }
        return bigEndian(UInt64(code), width: 2) + Array(reason.utf8)
    }

    static func bigEndian(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// The key a role's engine masks with in these tests, or nil for a server.
    static func key(for role: Role) -> UInt32? {
        role == .client ? FixedMaskingKeys().key : nil
    }

    /// The mask a peer of `role` must put on what it sends to it.
    static func peerKey(for role: Role) -> UInt32? {
        role == .server ? 0x37FA_213D : nil
    }
}

/// What an engine did with some input: the actions it returned, the bytes it queued, and
/// (if the transport was closed) the outcome.
struct Transcript: Equatable {
    var actions: [ConnectionAction] = []
    var output: [UInt8] = []
}

extension Connection {
    /// Feeds `input` in chunks (sizes from `chunking`), draining actions after each chunk
    /// exactly as an I/O layer would, and collects what the engine wrote.
    mutating func feed(_ input: [UInt8], chunking: Chunking = .whole) -> Transcript {
        Transcript(actions: receive(input, chunking: chunking), output: drainOutput())
    }

    /// Like ``feed(_:chunking:)`` but leaves what the engine queued to send in place.
    mutating func receive(_ input: [UInt8], chunking: Chunking) -> [ConnectionAction] {
        var actions: [ConnectionAction] = []
        for chunk in chunking.split(input) {
            receiveData(ByteBuffer(bytes: chunk))
            while let action = nextAction() { actions.append(action) }
        }
        if input.isEmpty {
            while let action = nextAction() { actions.append(action) }
        }
        return actions
    }

    mutating func drainOutput() -> [UInt8] {
        var bytes: [UInt8] = []
        while let buffer = nextBytesToSend() { bytes += buffer.readableBytesView }
        return bytes
    }

    static func testing(_ role: Role, _ configuration: Configuration = Configuration()) -> Connection {
        Connection(role: role, configuration: configuration, maskingKeyGenerator: FixedMaskingKeys())
    }
}

/// Ways of cutting a byte stream into reads.
enum Chunking: CustomStringConvertible, Sendable {
    case whole
    case byteByByte
    case random(seed: UInt64)

    static let all: [Chunking] = [.whole, .byteByByte, .random(seed: 1), .random(seed: 2), .random(seed: 3)]

    func split(_ bytes: [UInt8]) -> [[UInt8]] {
        switch self {
        case .whole: return [bytes]
        case .byteByByte: return bytes.map { [$0] }
        case .random(let seed):
            var random = SeededRandom(seed: seed)
            var chunks: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...17, using: &random))
                chunks.append(Array(bytes[start..<end]))
                start = end
            }
            return chunks
        }
    }

    var description: String {
        switch self {
        case .whole: "whole"
        case .byteByByte: "byte by byte"
        case .random(let seed): "random chunks (seed \(seed))"
        }
    }
}
