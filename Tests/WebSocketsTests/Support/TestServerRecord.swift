import NIOCore
import WebSocketCore

extension TestServer {
    /// What the server saw on one TCP connection, for tests to assert on.
    struct ConnectionRecord: Sendable {
        /// Where the connection came from: 127.0.0.1 for a direct client, the proxy's outgoing
        /// address for one that went through a proxy.
        var remoteAddress: SocketAddress?
        /// The request bytes read until the handshake was decided (at most 64 KiB), as text.
        var requestText = ""
        /// The validated handshake request, when the engine accepted it.
        var request: HandshakeRequest?
        /// Why the engine refused the request, when it did.
        var handshakeError: HandshakeError?
        /// The subprotocol the server selected, if it accepted with one.
        var selectedSubprotocol: String?
        /// Whether the server sent its `101` (through the engine, not a raw response).
        var opened = false
        /// Complete messages received from the client, in order.
        var messages: [Message] = []
        /// Payloads of the pings and pongs received.
        var pings: [ByteBuffer] = []
        var pongs: [ByteBuffer] = []
        /// The client's close frame, if one arrived.
        var closeFrame: CloseFrame?
        /// How the engine saw the connection end; set when TCP closed after an accepted handshake.
        var closure: ConnectionClosure?
        /// Whether the TCP connection is closed.
        var isClosed = false
        /// Every byte read, handshake included.
        var bytesReceived = 0
        /// Errors the channel reported (TLS failures, resets).
        var errors: [String] = []

        /// The request head, when the handshake was accepted.
        var requestHead: HTTPRequestHead? { request?.head }
    }
}

/// The records of every connection a ``TestServer`` accepted, and their channels for shutdown.
final class TestServerRecorder: Sendable {
    private struct State {
        var records: [TestServer.ConnectionRecord] = []
        var channels: [Int: any Channel] = [:]
    }

    private let state = LockedValue(State())

    /// Registers a new connection and returns its index.
    func connectionOpened(_ channel: any Channel) -> Int {
        state.withLock { state in
            state.records.append(TestServer.ConnectionRecord(remoteAddress: channel.remoteAddress))
            state.channels[state.records.count - 1] = channel
            return state.records.count - 1
        }
    }

    func update(_ index: Int, _ body: (inout TestServer.ConnectionRecord) -> Void) {
        state.withLock { body(&$0.records[index]) }
    }

    func connectionClosed(_ index: Int) {
        state.withLock { state in
            state.records[index].isClosed = true
            state.channels[index] = nil
        }
    }

    var records: [TestServer.ConnectionRecord] {
        state.withLock { $0.records }
    }

    var openChannels: [any Channel] {
        state.withLock { Array($0.channels.values) }
    }
}
