import NIOCore
import WebSocketKit

/// Sends every message back whole and of the same kind; websocket-kit reassembles fragmented
/// messages and answers Close itself. Both callbacks run on the connection's event loop and
/// send from there, with no hop.
enum Echo {
    @Sendable
    static func attach(_ socket: WebSocket) {
        socket.onText { socket, text in socket.send(text) }
        // The received buffer goes back as it is: no copy.
        socket.onBinary { socket, bytes in socket.send(bytes, opcode: .binary) }
    }
}
