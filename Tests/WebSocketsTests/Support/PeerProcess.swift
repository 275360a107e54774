import Foundation

/// A WebSocket server nobody here wrote, run as a child process on 127.0.0.1:
/// python-websockets (`Tests/Interop/python_server.py`) or Node's `ws`
/// (`Tests/Interop/node_server.js`), installed by `scripts/install-peers`.
///
/// ```swift
/// let peer = try await PeerProcess.start(.python, subprotocols: ["chat"])
/// defer { peer.stop() }
/// let socket = try WebSocket(peer.url("/echo"))
/// ```
///
/// Paths the peers serve: `/echo`; `/close?code=4001&reason=bye` (close after the first message,
/// `&after=0` at once, `&after=N` after the Nth); `/request` (first message: the handshake request as
/// JSON); `/reject403`; python-websockets only: `/basic-auth` (user `alice`, password `p@ss:wörd`;
/// first message: the username), `/cookie-required` (403 without the cookie `session=abc`; first
/// message: the Cookie field) and `/set-cookie` (a `101` with three `Set-Cookie` fields; see
/// `python_server.py`). python-websockets refuses with 400 a client that offers no subprotocol
/// when the server has some; Node's `ws` accepts it with none.
///
/// A peer that is not installed fails the test with an error saying to run
/// `scripts/install-peers`; it is never skipped. The process is terminated by ``stop()`` or when
/// the last reference goes away.
final class PeerProcess: Sendable {
    /// Which peer.
    enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        /// python-websockets, asyncio server (PyPI `websockets`).
        case python
        /// Node.js with `ws` (Debian `node-ws`).
        case node
        /// `Tests/Interop/raw_peer.py`: a misbehaving server on raw sockets (standard library only),
        /// for backpressure and unclean closes; not one of the interop peers.
        case raw

        /// The real WebSocket servers the interop tests run against.
        static let allCases: [Kind] = [.python, .node]

        var description: String {
            switch self {
            case .python: "python-websockets"
            case .node: "Node ws"
            case .raw: "raw peer"
            }
        }
    }

    /// The repository's root, found from this file's path.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // WebSocketsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// Where `scripts/install-peers` puts the Python virtual environment.
    static let venv = repositoryRoot.appendingPathComponent(".build/peers/venv")

    /// Where Debian's `node-ws` puts Node modules.
    static let debianNodeModules = "/usr/share/nodejs"

    let kind: Kind
    /// The port the peer listens on, on 127.0.0.1.
    let port: Int
    /// Whether the peer speaks TLS (with ``TestCertificates/shared()``'s server certificate).
    let isTLS: Bool

    private let process: ChildProcess
    private let temporaryDirectory: URL?
    private let stopped = LockedValue(false)

    private init(kind: Kind, port: Int, isTLS: Bool, process: ChildProcess, temporaryDirectory: URL?) {
        self.kind = kind
        self.port = port
        self.isTLS = isTLS
        self.process = process
        self.temporaryDirectory = temporaryDirectory
    }

    deinit {
        stop()
    }

    /// `ws://127.0.0.1:port` + `path` (`wss://localhost:port` + `path` with TLS).
    func url(_ path: String = "/") -> String {
        isTLS ? "wss://localhost:\(port)\(path)" : "ws://127.0.0.1:\(port)\(path)"
    }

    /// The host to connect to and verify: `localhost` with TLS, `127.0.0.1` otherwise.
    var host: String { isTLS ? "localhost" : "127.0.0.1" }

    /// What the peer wrote to standard error so far (for failure messages).
    var standardError: String {
        process.standardError
    }

    /// Starts a peer and waits until it prints `PORT <n>`.
    ///
    /// - Parameters:
    ///   - subprotocols: The server's subprotocols, in its order of preference.
    ///   - tls: Serve `wss:` with ``TestCertificates/shared()``'s server certificate.
    ///   - identity: Which server certificate; see ``TestCertificates/ServerIdentity``.
    ///   - compression: `"deflate"` or `"none"`; `nil` for the peer's default (python-websockets:
    ///     permessage-deflate; ws: none).
    ///   - extraArguments: More arguments for the peer's script (the raw peer's `--mode`).
    ///   - timeout: Bound on start-up.
    /// - Throws: ``PeerProcessError`` if the peer is not installed, exits, or stays silent.
    static func start(
        _ kind: Kind,
        subprotocols: [String] = [],
        tls: Bool = false,
        identity: TestCertificates.ServerIdentity = .localhostAndLoopback,
        compression: String? = nil,
        extraArguments: [String] = [],
        timeout: Duration = .seconds(15)
    ) async throws -> PeerProcess {
        var arguments = ["--port", "0"] + extraArguments
        if !subprotocols.isEmpty { arguments += ["--subprotocols", subprotocols.joined(separator: ",")] }
        if let compression { arguments += ["--compression", compression] }
        var temporaryDirectory: URL?
        if tls {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("websockets-peer-\(UUID().uuidString)")
            let files = try TestCertificates.shared().writeServerFiles(to: directory, identity: identity)
            arguments += ["--tls-cert", files.certificateChain.path, "--tls-key", files.privateKey.path]
            temporaryDirectory = directory
        }

        let executable: URL
        var environment = ProcessInfo.processInfo.environment
        switch kind {
        case .python, .raw:
            executable = venv.appendingPathComponent("bin/python")
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw PeerProcessError.notInstalled(kind, "\(executable.path) does not exist")
            }
            arguments = ["-u", script(for: kind).path] + arguments
            environment["PYTHONDONTWRITEBYTECODE"] = "1"
        case .node:
            guard let node = findExecutable("node") ?? findExecutable("nodejs") else {
                throw PeerProcessError.notInstalled(kind, "no node on PATH")
            }
            guard FileManager.default.fileExists(atPath: "\(debianNodeModules)/ws/package.json")
                || environment["NODE_PATH"] != nil
            else {
                throw PeerProcessError.notInstalled(kind, "\(debianNodeModules)/ws does not exist")
            }
            executable = node
            arguments = [script(for: kind).path] + arguments
            environment["NODE_PATH"] = [environment["NODE_PATH"], debianNodeModules].compactMap { $0 }
                .joined(separator: ":")
        }
        let process = try ChildProcess(executable, arguments: arguments, environment: environment)

        let peer = { (port: Int) in
            PeerProcess(kind: kind, port: port, isTLS: tls, process: process, temporaryDirectory: temporaryDirectory)
        }
        // Until the port is known, a throw (or cancellation) must not leave the process behind:
        // `starting` terminates it when it goes away.
        let starting = peer(0)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let port = announcedPort(process.standardOutput) {
                starting.disown()
                return peer(port)
            }
            if let termination = process.termination {
                try await process.finished(within: .seconds(1))  // let the pipes drain
                throw PeerProcessError.exited(kind, termination, standardError: starting.standardError)
            }
            if ContinuousClock.now >= deadline {
                throw PeerProcessError.silent(kind, timeout: timeout, standardError: starting.standardError)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Makes ``stop()`` do nothing for this instance: another instance owns the process now.
    private func disown() {
        stopped.withLock { $0 = true }
    }

    /// Terminates the peer (SIGTERM, then SIGKILL after 2 s) and removes its files. Safe to call
    /// more than once.
    func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        process.stop(grace: .seconds(2))
        if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) }
    }

    /// The port from the first `PORT <n>` line of `output`, once that line is complete.
    private static func announcedPort(_ output: String) -> Int? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines.dropLast() {  // the last piece is an incomplete line (or empty)
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "PORT", let port = Int(parts[1]), port >= 0 { return port }  // 0: a Unix socket
        }
        return nil
    }

    private static func script(for kind: Kind) -> URL {
        let name = switch kind {
        case .python: "python_server.py"
        case .node: "node_server.js"
        case .raw: "raw_peer.py"
        }
        return repositoryRoot.appendingPathComponent("Tests/Interop/\(name)")
    }

    /// The first executable called `name` on `PATH`.
    static func findExecutable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

/// Why a peer could not be started.
enum PeerProcessError: Error, CustomStringConvertible {
    /// The peer's runtime or library is missing.
    case notInstalled(PeerProcess.Kind, String)
    /// The peer ended before announcing its port.
    case exited(PeerProcess.Kind, ChildProcess.Termination, standardError: String)
    /// The peer did not announce its port in time.
    case silent(PeerProcess.Kind, timeout: Duration, standardError: String)

    var description: String {
        switch self {
        case .notInstalled(let kind, let detail):
            "the \(kind) interop peer is not installed (\(detail)): run `bash scripts/install-peers` first"
        case .exited(let kind, let termination, let standardError):
            "the \(kind) peer ended with \(termination) before listening"
                + (termination == .exited(3) || standardError.contains("ModuleNotFoundError") || standardError.contains("Cannot find module")
                    ? " (is it installed? run `bash scripts/install-peers`)" : "")
                + ":\n\(standardError)"
        case .silent(let kind, let timeout, let standardError):
            "the \(kind) peer did not print its port within \(timeout):\n\(standardError)"
        }
    }
}
