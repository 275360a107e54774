import ArgumentParser
import NIOCore
import WebSockets

/// Runs a client engine and a server engine back to back in memory and prints every frame
/// that crosses between them: no network, no server to set up.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a client and a server engine exchanging messages and closing, frame by frame.")

    @Option(help: "Text messages the client sends; the server echoes each.")
    var message: [String] = ["Hello", "κόσμε 😀"]

    mutating func run() throws {
        var client = Connection(role: .client)
        var server = Connection(role: .server)
        for text in message { try client.sendText(text) }
        try client.sendPing(ByteBuffer(string: "are you there?"))
        carry(from: &client, "client", to: &server, "server")
        carry(from: &server, "server", to: &client, "client")
        try client.startTheClosingHandshake(code: .normalClosure, reason: "done")
        carry(from: &client, "client", to: &server, "server")
        carry(from: &server, "server", to: &client, "client")
        for (name, connection) in [("client", client), ("server", server)] {
            var connection = connection
            let closure = connection.transportClosed()
            print("\(name): closed, code \(closure.code), reason \"\(closure.reason)\", clean: \(closure.wasClean)")
        }
    }

    /// Moves what `sender` queued to `receiver`, printing the bytes and what the receiver makes
    /// of them; a server echoes the messages it receives.
    private func carry(from sender: inout Connection, _ senderName: String, to receiver: inout Connection, _ receiverName: String) {
        while let bytes = sender.nextBytesToSend() {
            print("\(senderName) → \(receiverName): \(hex(bytes))")
            receiver.receiveData(bytes)
        }
        while let action = receiver.nextAction() {
            print("  \(receiverName): \(describe(action))")
            if receiver.role == .server, case .deliverMessage(let message) = action {
                try? receiver.send(message)
            }
        }
    }

    private func describe(_ action: ConnectionAction) -> String {
        switch action {
        case .deliverMessage(.text(let text)): "text message \"\(text)\""
        case .deliverMessage(.binary(let bytes)): "binary message of \(bytes.readableBytes) bytes"
        case .deliverPing(let payload): "ping \"\(String(buffer: payload))\" (pong queued)"
        case .deliverPong(let payload): "pong \"\(String(buffer: payload))\""
        case .closeFrameReceived(let frame): "close frame, code \(frame.code.map(String.init(describing:)) ?? "none"), reason \"\(frame.reason)\""
        case .startCloseTimer: "start the close timer"
        case .closeTransport: "close the TCP connection"
        }
    }

    private func hex(_ bytes: ByteBuffer) -> String {
        bytes.readableBytesView.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
