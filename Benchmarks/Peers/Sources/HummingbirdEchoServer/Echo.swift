import HummingbirdWebSocket
import PeerBench

/// Sends every message back whole and of the same kind; the library reassembles fragmented
/// messages and answers Close itself.
@Sendable
func echo(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
    for try await message in inbound.messages(maxSize: PeerLimits.maxMessageSize) {
        switch message {
        case .text(let text): try await outbound.write(.text(text))
        case .binary(let bytes): try await outbound.write(.binary(bytes))
        }
    }
}
