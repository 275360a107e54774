import ArgumentParser
import Foundation
import WebSockets

/// `wsc autobahn-client`: the client-role testee for the Autobahn|Testsuite `fuzzingserver`.
///
/// It asks the server how many cases there are (`/getCaseCount`), runs each one
/// (`/runCase?case=N&agent=NAME`) by echoing every message back as it came, text as text and
/// binary as binary, until the server closes, and finally asks it to write its reports
/// (`/updateReports?agent=NAME`). It uses only the public ``WebSocket`` API, with its default
/// options, so the results describe what an application gets.
struct AutobahnClient: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autobahn-client",
        abstract: "Run the Autobahn|Testsuite fuzzingserver's cases as an echoing client (see scripts/autobahn).")

    @Option(help: "The fuzzingserver's base URL.")
    var url = "ws://127.0.0.1:9001"

    @Option(help: "The agent name the results are filed under.")
    var agent = "wsc"

    @Option(name: .customLong("case"), help: "Run only this case number, 1-based (repeatable); default: every case.")
    var cases: [Int] = []

    @Option(help: "Seconds to wait for one case's connection to close before going on to the next.")
    var caseTimeout: Double = 120

    func run() throws {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let queue = DispatchQueue(label: "wsc.autobahn")
        let agentQuery = Self.queryValue(agent)

        let countSession = try Session.run("\(base)/getCaseCount", queue: queue, timeout: 30, echo: false)
        guard case .text(let countText)? = countSession.firstMessage, let count = Int(countText) else {
            Terminal.note("autobahn-client: no case count from \(base)/getCaseCount (\(countSession.summary))")
            throw ExitCode.failure
        }
        let selected = cases.isEmpty ? Array(1..<(count + 1)) : cases
        Terminal.note("autobahn-client: \(count) cases on the server, running \(selected.count) as agent \"\(agent)\"")

        for number in selected {
            let session = try Session.run(
                "\(base)/runCase?case=\(number)&agent=\(agentQuery)", queue: queue, timeout: caseTimeout, echo: true)
            Terminal.note("case \(number)/\(count): \(session.summary)")
        }

        let report = try Session.run("\(base)/updateReports?agent=\(agentQuery)", queue: queue, timeout: 300, echo: false)
        Terminal.note("autobahn-client: reports updated (\(report.summary))")
    }

    /// Percent-encodes a query value; `&`, `=` and `+` would otherwise change the query's meaning.
    private static func queryValue(_ value: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// One connection to the fuzzingserver, from opening to the `close` event.
private final class Session: @unchecked Sendable {
    // `@unchecked`: the fields below are only touched under `lock`.
    private let lock = NSLock()
    private var first: MessageEvent.Data?
    private var echoed = 0
    private var closeEvent: CloseEvent?

    var firstMessage: MessageEvent.Data? { lock.withLock { first } }

    /// How the connection ended, for the log: close code, cleanliness, messages echoed.
    var summary: String {
        lock.withLock {
            guard let closeEvent else { return "did not close in time" }
            return "closed \(closeEvent.code)" + (closeEvent.wasClean ? "" : " (not clean)") + ", \(echoed) echoed"
        }
    }

    /// Connects to `url`, optionally echoes every message, and returns once the socket closed
    /// or `timeout` seconds passed (then it starts closing and moves on).
    static func run(_ url: String, queue: DispatchQueue, timeout: Double, echo: Bool) throws -> Session {
        var options = WebSocket.Options()
        // A command-line program does not run the main queue, so events need a queue of their own.
        options.eventQueue = queue
        // The fuzzingserver writes all its reports before it answers /updateReports's handshake.
        options.handshakeTimeout = max(options.handshakeTimeout, timeout)
        let session = Session()
        let closed = DispatchSemaphore(value: 0)
        let socket = try WebSocket(url, options: options)
        socket.binaryType = .arraybuffer
        socket.onmessage = { event in
            session.lock.withLock { if session.first == nil { session.first = event.data } }
            guard echo else { return }
            // A send that fails (the socket is closing) is what the case tests, not an error here.
            switch event.data {
            case .text(let text): try? socket.send(text)
            case .arrayBuffer(let bytes): try? socket.send(bytes)
            case .blob(let blob): try? socket.send(blob)
            }
            session.lock.withLock { session.echoed += 1 }
        }
        socket.onclose = { event in
            session.lock.withLock { session.closeEvent = event }
            closed.signal()
        }
        if closed.wait(timeout: .now() + timeout) == .timedOut {
            try? socket.close()
        }
        return session
    }
}
