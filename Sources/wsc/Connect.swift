import ArgumentParser
import Foundation
import WebSockets

/// `wsc URL`: connects, sends each line of standard input as a text message, prints what
/// arrives, and closes when standard input ends — with the browser's `WebSocket`, or with
/// `WebSocketStream` given `--stream`.
struct Connect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect to a WebSocket server; send stdin lines as text messages, print the messages received.")

    @Argument(help: "The ws:, wss:, http: or https: URL to connect to.")
    var url: String

    @Option(name: .customLong("protocol"), help: "A subprotocol to offer (repeatable).")
    var protocols: [String] = []

    @Option(name: .customShort("H"), help: "An extra handshake header, 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "A cookie to send, 'name=value' (repeatable; all go in one Cookie field). Credentials go in the URL: ws://user:password@host/.")
    var cookie: [String] = []

    @Option(help: "A PEM file of certificates to trust besides the system's.")
    var cacert: String?

    @Flag(help: "Accept any TLS certificate (for testing only).")
    var insecure = false

    @Option(help: "Connect through this Unix domain socket; the URL still gives Host and the path.")
    var unix: String?

    @Option(help: ArgumentHelp(
        "Connect through this proxy: http://[user:pass@]host[:port], socks5:// or socks5h://host[:port]; 'none' for none.",
        discussion: "Default: the proxy the environment names (ws_proxy, wss_proxy, https_proxy, …, no_proxy)."))
    var proxy: String?

    @Option(help: "Seconds to wait for replies after standard input ends, before closing.")
    var linger: Double = 1

    @Flag(help: "Use WebSocketStream (async, backpressured) instead of the browser's WebSocket API.")
    var stream = false

    func validate() throws {
        for header in headers where !header.contains(":") {
            throw ValidationError("-H takes 'Name: value', got '\(header)'")
        }
        for pair in cookie where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("--cookie takes 'name=value', got '\(pair)'")
        }
    }

    func run() async throws {
        var options = WebSocket.Options()
        options.eventQueue = DispatchQueue(label: "wsc.events")
        for header in headers {
            let parts = header.split(separator: ":", maxSplits: 1)
            options.headers.add(name: String(parts[0]), value: parts[1].trimmingCharacters(in: .whitespaces))
        }
        // One field for all of them, as RFC 6265 §5.4 asks of a user agent.
        if !cookie.isEmpty { options.headers.add(name: "Cookie", value: cookie.joined(separator: "; ")) }
        if let cacert { options.tls.additionalTrustRootsPEM = [try String(contentsOfFile: cacert, encoding: .utf8)] }
        if insecure { options.tls.verification = .insecureNoVerification }
        options.unixSocketPath = unix
        switch proxy {
        case nil: options.proxy = .environment
        case "none": options.proxy = .none
        case let url?: options.proxy = .url(url)
        }
        if stream {
            try await runStream(options: options)
        } else {
            try await runWebSocket(options: options)
        }
    }

    private func runWebSocket(options: WebSocket.Options) async throws {
        let socket = try WebSocket(url, protocols: protocols, options: options)
        let finished = DispatchSemaphore(value: 0)
        socket.onopen = { _ in
            Terminal.note("connected to \(socket.url)" + (socket.protocol.isEmpty ? "" : ", subprotocol \(socket.protocol)"))
            let linger = self.linger
            Thread.detachNewThread {
                while let line = readLine() { try? socket.send(line) }
                // Messages that arrive after close() are not delivered (WHATWG WebSockets §4),
                // so give the server time to answer what was sent.
                while socket.bufferedAmount > 0, socket.readyState == .open { usleep(10_000) }
                Thread.sleep(forTimeInterval: linger)
                try? socket.close(code: 1000)
            }
        }
        socket.onmessage = { event in Terminal.print(event.data) }
        socket.onclose = { event in
            Terminal.note("closed: code \(event.code)" + (event.reason.isEmpty ? "" : ", reason \"\(event.reason)\"")
                + (event.wasClean ? "" : " (not clean)"))
            finished.signal()
        }
        _ = await finished.wait(seconds: .infinity)
        if let failure = socket.failure {
            Terminal.note("error: \(failure)")
            throw ExitCode.failure
        }
    }

    private func runStream(options: WebSocket.Options) async throws {
        let stream = try WebSocketStream(url, protocols: protocols, options: options)
        let opened: WebSocketStream.OpenInfo
        do {
            opened = try await stream.opened
        } catch {
            Terminal.note("error: \(error)")
            throw ExitCode.failure
        }
        Terminal.note("connected to \(stream.url)" + (opened.protocol.isEmpty ? "" : ", subprotocol \(opened.protocol)"))
        let printing = Task {
            for try await message in opened.readable { Terminal.print(message) }
        }
        for await line in Self.standardInputLines() {
            try await opened.writable.write(line)
        }
        try await Task.sleep(for: .seconds(linger))
        try stream.close(closeCode: 1000)
        do {
            let info = try await stream.closed
            Terminal.note("closed: code \(info.closeCode.map(String.init) ?? "none")" + (info.reason.isEmpty ? "" : ", reason \"\(info.reason)\""))
            _ = try? await printing.value
        } catch {
            Terminal.note("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// Standard input's lines, read on a thread of their own so that no task blocks on it.
    private static func standardInputLines() -> AsyncStream<String> {
        AsyncStream { continuation in
            Thread.detachNewThread {
                while let line = readLine() { continuation.yield(line) }
                continuation.finish()
            }
        }
    }
}
