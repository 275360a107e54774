import Foundation

/// `wsc serve` (the binary built beside the tests) as a real server process: an echo server
/// on `host`, in a network namespace if one is given.
final class WscServe: Sendable {
    let process: ChildProcess
    let host: String
    let port: Int

    private init(process: ChildProcess, host: String, port: Int) {
        self.process = process
        self.host = host
        self.port = port
    }

    deinit {
        stop()
    }

    /// Kills the server (for `defer`, which also keeps it alive until then).
    func stop() {
        process.kill()
    }

    /// Starts `wsc serve --quiet` and waits (at most 15 s) until it is listening.
    ///
    /// - Parameters:
    ///   - port: The port; 0 picks a free one.
    ///   - namespace: Run it inside this namespace, listening on its address.
    static func start(port: Int = 0, in namespace: NetworkNamespace? = nil, arguments: [String] = []) async throws -> WscServe {
        let host = namespace?.address ?? "127.0.0.1"
        let serve = ["serve", "--quiet", "--host", host, "--port", "\(port)"] + arguments
        let (executable, allArguments) = try namespace?.command(WscTests.executable, serve) ?? (WscTests.executable, serve)
        let process = try ChildProcess(executable, arguments: allArguments)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, process.isRunning {
            // "listening on ws://HOST:PORT/"
            if let line = process.standardError.split(separator: "\n").first(where: { $0.contains("listening on ") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0.prefix { $0.isNumber }) })
            {
                return WscServe(process: process, host: host, port: port)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.kill()
        throw HostCommand.Failed(description: "wsc serve did not start listening: \(process); \(process.standardError)")
    }

    func url(_ path: String = "/") -> String {
        "ws://\(host):\(port)\(path)"
    }
}
