import Foundation

/// `Tests/Faults/fault_proxy.py` running for one test: a TCP proxy on 127.0.0.1 that delays,
/// stalls, resets or closes what it relays (its docstring has the details).
///
/// ```swift
/// let proxy = try await FaultProxy.start(target: "127.0.0.1:\(server.port)", ["--rst-after", "1000", "--direction", "down"])
/// let socket = try WebSocket(proxy.url("/"))
/// ```
final class FaultProxy: Sendable {
    let port: Int
    private let process: ChildProcess

    private init(port: Int, process: ChildProcess) {
        self.port = port
        self.process = process
    }

    deinit {
        stop()
    }

    /// Ends the proxy (for `defer`, which also keeps it alive until then).
    func stop() {
        process.kill()
    }

    static let script = PeerProcess.repositoryRoot.appendingPathComponent("Tests/Faults/fault_proxy.py")

    /// Starts the proxy towards `target` ("host:port") with the fault `arguments`, and waits
    /// (at most 15 s) until it prints its port.
    static func start(target: String, _ arguments: [String] = []) async throws -> FaultProxy {
        let python = PeerProcess.venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw HostCommand.Failed(description: "\(python.path) does not exist: run `bash scripts/install-peers`")
        }
        let process = try ChildProcess(python, arguments: ["-u", script.path, "--target", target] + arguments)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, process.isRunning {
            if let line = process.standardOutput.split(separator: "\n").first(where: { $0.hasPrefix("PORT ") }),
                let port = Int(line.dropFirst(5))
            {
                return FaultProxy(port: port, process: process)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.kill()
        throw HostCommand.Failed(description: "the fault proxy did not start: \(process); \(process.standardError)")
    }

    func url(_ path: String = "/") -> String {
        "ws://127.0.0.1:\(port)\(path)"
    }

    /// What the proxy reported (its faults), for failure messages.
    var log: String { process.standardError }
}
