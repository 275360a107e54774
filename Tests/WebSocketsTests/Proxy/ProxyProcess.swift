import Foundation
import NIOCore
import NIOPosix

/// A real proxy nobody here wrote, run as a child process on 127.0.0.1 for one test: tinyproxy
/// (HTTP `CONNECT`) or microsocks (SOCKS5), Debian packages `scripts/install-peers` installs.
///
/// ```swift
/// let proxy = try await ProxyProcess.start(.tinyproxy, allowing: server.port)
/// defer { proxy.stop() }
/// options.proxy = .url(proxy.url())
/// ```
///
/// Both connect onwards from ``outgoingAddress``, 127.0.0.2, while a client here that connects
/// to 127.0.0.1 directly comes from 127.0.0.1: a ``TestServer`` record's `remoteAddress` tells
/// which way a connection came. A proxy that is not installed fails the test with an error
/// saying to run `scripts/install-peers`; it is never skipped. The process is killed by
/// ``stop()`` or when the last reference goes away.
final class ProxyProcess: Sendable {
    enum Kind: String, Sendable, CustomStringConvertible {
        case tinyproxy, microsocks

        var description: String { rawValue }
    }

    /// The address both proxies connect onwards from.
    static let outgoingAddress = "127.0.0.2"

    let kind: Kind
    /// The port the proxy listens on, on 127.0.0.1.
    let port: Int

    private let process: ChildProcess
    private let directory: URL
    private let stopped = LockedValue(false)

    private init(kind: Kind, port: Int, process: ChildProcess, directory: URL) {
        self.kind = kind
        self.port = port
        self.process = process
        self.directory = directory
    }

    deinit {
        stop()
    }

    /// What the proxy logged so far (for failure messages).
    var log: String {
        process.standardOutput
    }

    /// The proxy's URL with `scheme` (`http` for tinyproxy, `socks5` or `socks5h` for microsocks)
    /// and the credentials, if any, written in it.
    func url(scheme: String? = nil, credentials: String? = nil) -> String {
        let scheme = scheme ?? (kind == .tinyproxy ? "http" : "socks5h")
        return "\(scheme)://\(credentials.map { $0 + "@" } ?? "")127.0.0.1:\(port)"
    }

    /// Starts a proxy on a free port and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - allowing: tinyproxy only: the ports `CONNECT` may reach (its `ConnectPort`); others get 403.
    ///   - credentials: The username and password the proxy requires (tinyproxy's `BasicAuth`,
    ///     microsocks' `-u` and `-P`); none by default.
    ///   - timeout: Bound on start-up.
    /// - Throws: ``ProxyProcessError`` if the proxy is not installed, exits, or never listens.
    static func start(
        _ kind: Kind, allowing ports: [Int] = [], credentials: (username: String, password: String)? = nil,
        timeout: Duration = .seconds(15)
    ) async throws -> ProxyProcess {
        guard let executable = PeerProcess.findExecutable(kind.rawValue) else { throw ProxyProcessError.notInstalled(kind) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("websockets-\(kind)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Neither proxy can pick its own port: take a free one, and try again should another
        // process take it first.
        var lastLog = ""
        for _ in 1...3 {
            let port = try await freePort()
            let arguments: [String]
            switch kind {
            case .tinyproxy:
                let configuration = directory.appendingPathComponent("tinyproxy.conf")
                try tinyproxyConfiguration(port: port, allowing: ports, credentials: credentials)
                    .write(to: configuration, atomically: true, encoding: .utf8)
                arguments = ["-d", "-c", configuration.path]
            case .microsocks:
                arguments = ["-i", "127.0.0.1", "-p", "\(port)", "-b", outgoingAddress]
                    + (credentials.map { ["-u", $0.username, "-P", $0.password] } ?? [])
            }
            let process = try ChildProcess(executable, arguments: arguments, mergingErrors: true)
            let proxy = ProxyProcess(kind: kind, port: port, process: process, directory: directory)
            if try await proxy.waitUntilListening(timeout: timeout) { return proxy }
            lastLog = proxy.log
            proxy.disown()
        }
        try? FileManager.default.removeItem(at: directory)
        throw ProxyProcessError.didNotListen(kind, log: lastLog)
    }

    /// Kills the proxy (it keeps no state worth a graceful exit) and removes its files. Safe to
    /// call more than once.
    func stop() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        process.stop(grace: .zero)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Kills the process of an attempt that failed, keeping the directory for the next one.
    private func disown() {
        stopped.withLock { $0 = true }
        process.stop(grace: .zero)
    }

    /// Whether the proxy accepts a TCP connection before `timeout`; false once it has exited.
    private func waitUntilListening(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { return false }
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2)).connect(host: "127.0.0.1", port: port).get()
            {
                try? await channel.close()
                return true
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private static func tinyproxyConfiguration(
        port: Int, allowing ports: [Int], credentials: (username: String, password: String)?
    ) -> String {
        var lines = [
            "Port \(port)", "Listen 127.0.0.1", "Bind \(outgoingAddress)", "Allow 127.0.0.1", "Timeout 30",
            "MaxClients 32", "DisableViaHeader Yes", "LogLevel Connect",
        ]
        lines += ports.map { "ConnectPort \($0)" }
        if let credentials { lines.append("BasicAuth \(credentials.username) \(credentials.password)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A port nothing listens on at the moment, on 127.0.0.1.
    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw ProxyProcessError.noFreePort }
        return port
    }
}

/// Why a proxy could not be started.
enum ProxyProcessError: Error, CustomStringConvertible {
    case notInstalled(ProxyProcess.Kind)
    case didNotListen(ProxyProcess.Kind, log: String)
    case noFreePort

    var description: String {
        switch self {
        case .notInstalled(let kind): "\(kind) is not installed (not on PATH): run `bash scripts/install-peers` first"
        case .didNotListen(let kind, let log): "\(kind) did not start listening:\n\(log)"
        case .noFreePort: "found no free port"
        }
    }
}
