import Foundation
import Testing

/// The `wsc` binary built beside the tests: `wsc serve` and `wsc URL --stream` talking to each
/// other, Ctrl-C (SIGINT) shutting the server down gracefully, and `wsc URL` with cookies and
/// credentials against python-websockets.
@Suite("wsc")
struct WscTests {
    @Test func serveEchoesWhatConnectStreamSendsAndSIGINTShutsItDown() async throws {
        let server = try Self.start(["serve", "--port", "0"])
        defer { server.process.terminate() }
        try await waitUntil { server.standardError.contains("listening on ") }
        let listening = server.standardError
        let port = try #require(listening.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })

        let client = try Self.start(["ws://127.0.0.1:\(port)/chat", "--stream", "--linger", "0.5"], input: "hello\nκόσμε\n")
        try await client.finished(timeout: .seconds(20))
        #expect(client.process.termination == .exited(0), "\(client.standardError)")
        #expect(client.standardOutput == "hello\nκόσμε\n")
        #expect(client.standardError.contains("closed: code 1000"))

        server.process.send(SIGINT)
        try await server.finished()
        #expect(server.process.termination == .exited(0))
        #expect(server.standardError.contains("connected: 127.0.0.1:"))
        #expect(server.standardError.contains("shut down"))
    }

    @Test func connectAndServeMeetOnAUnixSocket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsc-unix-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("wsc.sock").path
        let server = try Self.start(["serve", "--unix", path])
        defer { server.process.terminate() }
        try await waitUntil { server.standardError.contains("listening on ") }

        let client = try Self.start(["ws://localhost/chat", "--unix", path, "--linger", "0.5"], input: "through the socket file\n")
        try await client.finished(timeout: .seconds(20))
        #expect(client.process.termination == .exited(0), "\(client.standardError)")
        #expect(client.standardOutput == "through the socket file\n")
        #expect(client.standardError.contains("closed: code 1000"))
    }

    @Test func connectSendsCookiesInOneFieldAndTheURLsCredentials() async throws {
        let peer = try await PeerProcess.start(.python)
        defer { peer.stop() }
        // Both servers send their answer first: the Cookie field received, the user authenticated.
        let cookies = try Self.start([peer.url("/cookie-required"), "--cookie", "session=abc", "--cookie", "x=1", "--linger", "2"], input: "")
        let credentials = try Self.start(["ws://alice:p%40ss%3Aw%C3%B6rd@127.0.0.1:\(peer.port)/basic-auth", "--linger", "2"], input: "")
        try await cookies.finished(timeout: .seconds(30))
        try await credentials.finished(timeout: .seconds(30))
        #expect(cookies.standardOutput == "session=abc; x=1\n", "\(cookies.standardError)")
        #expect(credentials.standardOutput == "alice\n", "\(credentials.standardError)")
        #expect(cookies.process.termination == .exited(0) && credentials.process.termination == .exited(0))
    }

    /// A running `wsc` and what it printed so far.
    struct Running {
        let process: ChildProcess

        var standardOutput: String { process.standardOutput }
        var standardError: String { process.standardError }

        /// Waits until the process exited and everything it printed has been read: the pipes
        /// can still hold output when the process is already gone.
        func finished(timeout: Duration = .seconds(20)) async throws {
            guard try await process.finished(within: timeout) else {
                let state = "\(process) did not finish; standard output: \(standardOutput); standard error: \(standardError)"
                Issue.record(Comment(rawValue: state))
                process.terminate()
                throw WaitTimedOut()
            }
        }
    }

    /// The `wsc` executable next to the test bundle (`swift build --build-tests` builds both).
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/", !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("wsc").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("wsc")
    }

    /// Runs `wsc` with `arguments`, writing `input` to its standard input then closing it.
    ///
    /// - Parameter environment: Variables to set for it beyond this process's own.
    static func start(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> Running {
        let environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return Running(process: try ChildProcess(executable, arguments: arguments, environment: environment, input: input ?? ""))
    }
}
