import Foundation
import Testing
@testable import WebSockets

/// Unix domain sockets: `WebSocketServer` with python-websockets' `unix_connect` as the client,
/// our clients with python-websockets' `unix_serve` as the server, and both of ours together.
@Suite("Unix domain sockets")
struct UnixSocketServerTests {
    @Test func pythonWebsocketsTalksToUsOverAUnixSocket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws-unix-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("server.sock").path
        var configuration = WebSocketServer.Configuration()
        configuration.unixSocketPath = path
        let seen = LockedValue<WebSocketServer.Request?>(nil)
        let server = try await RunningServer.start(configuration) { request in
            seen.withLock { $0 = request }
            return .accept { connection in
                for try await message in connection.readable { try await connection.writable.write(message) }
            }
        }
        defer { server.stop() }
        let script = """
            import asyncio, sys
            from websockets.asyncio.client import unix_connect
            async def main():
                async with unix_connect(sys.argv[1], "ws://localhost/over-unix") as ws:
                    await ws.send("κόσμε over a Unix socket")
                    print(await ws.recv())
            asyncio.run(main())
            """
        let output = try await Self.runPython(script, arguments: [path])
        #expect(output == "κόσμε over a Unix socket\n")
        #expect(seen.current?.path == "/over-unix")
        #expect(seen.current?.remoteAddress?.ipAddress == nil)
    }

    @Test func ourClientsTalkToPythonWebsocketsUnixServe() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws-unix-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = WebSocket.Options()
        options.unixSocketPath = directory.appendingPathComponent("peer.sock").path
        let peer = try await PeerProcess.start(.python, extraArguments: ["--unix", options.unixSocketPath!])
        defer { peer.stop() }

        // The URL still gives the Host field and the resource name.
        let stream = try WebSocketStream("ws://unix.example:8080/request?via=unix", options: options)
        let opened = try await stream.opened
        var messages = opened.readable.makeAsyncIterator()
        guard case .text(let description)? = try await messages.next() else {
            Issue.record("expected the request's description first")
            return
        }
        let request = try JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any]
        #expect(request?["path"] as? String == "/request?via=unix")
        #expect((request?["headers"] as? [[String]])?.contains(["Host", "unix.example:8080"]) == true)
        try await opened.writable.write("κόσμε")
        #expect(try await messages.next() == .text("κόσμε"))
        try stream.close()
        _ = try await stream.closed

        let recorder = try SocketRecorder("ws://localhost/echo", options: options)
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.send([1, 2, 3]) }
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.blob(Blob(Data([1, 2, 3]))), origin: "ws://localhost"))
    }

    @Test func ourClientsTalkToOurServerOverAUnixSocket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ws-unix-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = WebSocketServer.Configuration()
        configuration.unixSocketPath = directory.appendingPathComponent("server.sock").path
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.unixSocketPath = configuration.unixSocketPath
        let stream = try WebSocketStream("ws://localhost/stream", options: options)
        try await WebSocketServerTests.expectEcho(try await stream.opened)

        let recorder = try SocketRecorder("ws://localhost/socket", options: options)
        try await recorder.waitForOpen()
        try recorder.onQueue {
            try recorder.socket.send("over a Unix socket")
        }
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.text("over a Unix socket"), origin: "ws://localhost"))
    }

    /// Runs `script` with the peers' Python (python-websockets installed) and returns its standard output.
    static func runPython(_ script: String, arguments: [String]) async throws -> String {
        let python = PeerProcess.venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw PeerProcessError.notInstalled(.python, "\(python.path) does not exist")
        }
        let process = try ChildProcess(python, arguments: ["-c", script] + arguments)
        guard try await process.finished(within: .seconds(60)), process.termination == .exited(0) else {
            throw PythonFailed(termination: process.termination, standardError: process.standardError)
        }
        return process.standardOutput
    }

    struct PythonFailed: Error, CustomStringConvertible {
        /// `nil`: still running at the time-out (and killed).
        let termination: ChildProcess.Termination?
        let standardError: String
        var description: String { "python \(termination.map { "ended with \($0)" } ?? "did not finish"): \(standardError)" }
    }
}
