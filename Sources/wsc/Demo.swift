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
        try openingHandshake()
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

    /// RFC 6455 §4: the client's request, the server's checks and 101 response, the client's checks.
    private func openingHandshake() throws {
        var client = try ClientHandshake(host: "localhost", port: 8080, secure: false, resourceName: "/chat", protocols: ["chat.v2"])
        let request = client.request()
        print("client → server:\n" + indent(String(buffer: request)))
        var server = ServerHandshake()
        guard case .accepted(let offer, _) = server.receive(request) else { throw ValidationError("the server refused") }
        let response = try offer.acceptingResponse(subprotocol: offer.selectSubprotocol(supported: ["chat.v2"]))
        print("server → client:\n" + indent(String(buffer: response)))
        guard case .accepted(let result) = try client.receive(response) else { throw ValidationError("incomplete response") }
        print("  client: connection established, subprotocol \(result.subprotocol ?? "none")")
    }

    private func indent(_ head: String) -> String {
        head.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast(2).map { "    " + $0 }.joined(separator: "\n")
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
