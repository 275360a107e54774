import Foundation

/// A python-websockets client (PyPI `websockets`, in `.build/peers/venv`) that connects, prints
/// `OPEN`, then reads nothing and sends nothing — not even pings — until it is ended: a peer for
/// the server role's faults, run in a network namespace or frozen with SIGSTOP.
enum PythonClient {
    static let script = """
        import asyncio, sys
        from websockets.asyncio.client import connect
        async def main():
            async with connect(sys.argv[1], ping_interval=None, compression=None, max_size=None, open_timeout=30) as socket:
                print("OPEN", flush=True)
                await asyncio.Event().wait()
        asyncio.run(main())
        """

    /// Starts the client towards `url` (inside `namespace` if given) and waits until it is
    /// connected: at most 40 s, as a loaded machine can take long to start Python.
    static func start(_ url: String, in namespace: NetworkNamespace? = nil) async throws -> ChildProcess {
        let python = PeerProcess.venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw HostCommand.Failed(description: "\(python.path) does not exist: run `bash scripts/install-peers`")
        }
        let arguments = ["-u", "-c", script, url]
        let (executable, allArguments) = try namespace?.command(python, arguments) ?? (python, arguments)
        let process = try ChildProcess(executable, arguments: allArguments)
        let deadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < deadline, process.isRunning {
            if process.standardOutput.contains("OPEN\n") { return process }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.kill()
        throw HostCommand.Failed(description: "the python-websockets client did not connect: \(process); \(process.standardError)")
    }
}
