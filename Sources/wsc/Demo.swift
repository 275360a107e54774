import ArgumentParser
import Foundation
import WebSockets

/// `wsc demo`: starts an echo server on 127.0.0.1, connects a `WebSocket` to it, sends a few
/// messages and closes, printing every event — the browser API at work with nothing to set up.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect to a built-in echo server on 127.0.0.1 and show the WebSocket events.")

    @Option(help: "A text message to send (repeatable).")
    var message: [String] = ["Hello", "κόσμε 😀"]

    func run() async throws {
        let server = WebSocketServer(configuration: .init(host: "127.0.0.1", port: 0)) { _ in
            .accept(handler: ServerHandlers.echo)
        }
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let port = try await server.listeningAddress.port ?? 0
        Terminal.note("echo server listening on 127.0.0.1:\(port)")

        var options = WebSocket.Options()
        options.eventQueue = DispatchQueue(label: "wsc.demo")
        let socket = try WebSocket("ws://127.0.0.1:\(port)/demo", options: options)
        let finished = DispatchSemaphore(value: 0)
        let messages = message
        let expected = messages.count + 1
        let received = Counter()
        socket.onopen = { _ in
            Terminal.line("open: readyState \(socket.readyState), url \(socket.url)")
            for text in messages { try? socket.send(text) }
            try? socket.send(Data([0xDE, 0xAD, 0xBE, 0xEF]))
        }
        socket.binaryType = .arraybuffer
        socket.onmessage = { event in
            Terminal.line("message from \(event.origin): \(Terminal.describe(event.data))")
            if received.increment() == expected { try? socket.close(code: 1000, reason: "done") }
        }
        socket.onerror = { _ in Terminal.line("error: \(socket.failure.map(String.init(describing:)) ?? "unknown")") }
        socket.onclose = { event in
            Terminal.line("close: code \(event.code), reason \"\(event.reason)\", wasClean \(event.wasClean)")
            finished.signal()
        }
        guard await finished.wait(seconds: 10) else { throw ValidationError("the demo did not finish in 10 s") }
        if socket.failure != nil { throw ExitCode.failure }
    }
}

/// Counts messages across event tasks.
private final class Counter: @unchecked Sendable {
    // `@unchecked`: only touched from the socket's serial event queue.
    private var value = 0

    func increment() -> Int {
        value += 1
        return value
    }
}
