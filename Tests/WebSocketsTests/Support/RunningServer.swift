import Foundation
import NIOCore
@testable import WebSockets

/// Our own ``WebSocketServer`` running in a task for one test, on 127.0.0.1 (or a Unix socket).
///
/// ```swift
/// let server = try await RunningServer.start { request in .accept { connection in … } }
/// defer { server.stop() }
/// let stream = try WebSocketStream(server.url("/echo"))
/// ```
struct RunningServer: Sendable {
    let server: WebSocketServer
    let task: Task<Void, any Error>
    let address: SocketAddress

    static func start(
        _ configuration: WebSocketServer.Configuration = .init(),
        handler: @escaping @Sendable (WebSocketServer.Request) async -> WebSocketServer.Decision
    ) async throws -> RunningServer {
        let server = WebSocketServer(configuration: configuration, handler: handler)
        let task = Task { try await server.run() }
        let address = try await server.listeningAddress
        return RunningServer(server: server, task: task, address: address)
    }

    /// An echo server: every message comes back as it went.
    static func echo(_ configuration: WebSocketServer.Configuration = .init(), protocols: [String] = []) async throws -> RunningServer {
        try await start(configuration) { request in
            .accept(protocol: protocols.first(where: request.protocols.contains)) { connection in
                for try await message in connection.readable { try await connection.writable.write(message) }
            }
        }
    }

    /// A server whose handler reads every message and then records how the connection closed,
    /// as the server saw it.
    static func recordingClose(_ configuration: WebSocketServer.Configuration = .init()) async throws
        -> (RunningServer, LockedValue<WebSocketStream.CloseInfo?>)
    {
        let seen = LockedValue<WebSocketStream.CloseInfo?>(nil)
        let server = try await start(configuration) { _ in
            .accept { connection in
                for try await _ in connection.readable {}
                let info = try? await connection.closed
                seen.withLock { $0 = info }
            }
        }
        return (server, seen)
    }

    var port: Int { address.port ?? 0 }

    func url(_ path: String = "/", scheme: String = "ws") -> String {
        "\(scheme)://127.0.0.1:\(port)\(path)"
    }

    /// Shuts the server down gracefully and waits for `run()` to return.
    func shutDown() async throws {
        task.cancel()
        try await task.value
    }

    /// Shuts down without waiting (for `defer`).
    func stop() {
        task.cancel()
    }
}
