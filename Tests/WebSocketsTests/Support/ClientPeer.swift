import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// WebSocket clients nobody here wrote, run as child processes against a server on 127.0.0.1:
/// python-websockets, Node's `ws`, Node 20's built-in WebSocket (undici) and headless Chromium
/// (`Tests/Interop/*_client.*`, installed by `scripts/install-peers`).
///
/// ```swift
/// let report = try await ClientPeer.run(.chromium, url: "ws://127.0.0.1:\(port)/echo", scenario: "echo")
/// #expect(report.results?.allSatisfy(\.ok) == true)
/// ```
///
/// Scenarios (see `Tests/Interop/python_client.py`): `echo` (text and binary of 0, 1, 125, 126,
/// 65535, 65536 bytes, 1 MiB and 16 MiB, each echo checked by the client; close 1000), `subprotocol`
/// (offer `protocols`; close 1000), `close` (send "hi", await its echo, close 4000 "bye") and
/// `headers` (the handshake response; python and Node ws only).
///
/// A run throws when the client could not run the scenario: not installed (with the instruction
/// to run `scripts/install-peers`; never a skip), failed, or still running at the time-out. What the
/// client saw, right or wrong, is the ``Report`` for the test to assert on.
enum ClientPeer {
    /// Which client.
    enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        /// python-websockets 17, asyncio client, permessage-deflate offered (its default).
        case python
        /// Node's `ws` (Debian `node-ws`), perMessageDeflate offered.
        case nodeWS
        /// Node 20's built-in WebSocket (undici 6), which offers permessage-deflate. It fails the
        /// connection (1006) on a compressed message that inflates past 4 MiB: use
        /// `largestMessage: 1 << 20` for `echo` against a compressing server.
        case nodeUndici
        /// Headless Chromium through Selenium and chromium-driver, in an about:blank page, which
        /// sends `Origin: null`.
        case chromium

        var description: String {
            switch self {
            case .python: "python-websockets client"
            case .nodeWS: "Node ws client"
            case .nodeUndici: "Node undici client"
            case .chromium: "Chromium"
            }
        }
    }

    /// What the client printed: what it saw of the scenario.
    struct Report: Decodable, Sendable {
        /// The client's name and version, such as `python-websockets 17.4`.
        let client: String?
        /// Whether the opening handshake succeeded.
        let opened: Bool
        /// The subprotocol the server chose, `""` for none (`nil` when not opened).
        let `protocol`: String?
        /// The negotiated `Sec-WebSocket-Extensions`, `""` for none (`nil` when not opened).
        let extensions: String?
        /// One per echoed message (`echo`, `close`), in the order sent.
        let results: [EchoResult]?
        /// The handshake response's status (`headers`, or a refused handshake; not Node undici,
        /// nor Chromium).
        let status: Int?
        /// The handshake response's headers, in order (as for ``status``).
        let headers: [Header]?
        /// The close the client saw: the code and reason of the server's closing frame.
        let close: Close?
        /// What went wrong as the client said it, when something did.
        let error: String?
        /// The page's origin (Chromium), which its `Origin` header carries.
        let origin: String?
        /// How long Chromium took to start and to run the scenario.
        let timings: Timings?
        /// The whole JSON object, for messages.
        var json = ""

        private enum CodingKeys: String, CodingKey {
            case client, opened, `protocol`, extensions, results, status, headers, close, error, origin, timings
        }

        /// One message sent and its echo checked.
        struct EchoResult: Decodable, Sendable {
            /// `text` or `binary`.
            let kind: String
            /// Bytes sent (UTF-8 bytes for text).
            let size: Int
            /// Whether the echo came back byte for byte, of the same kind.
            let ok: Bool
            /// Milliseconds from sending to the echo.
            let ms: Int?
            /// What was wrong, when not ok.
            let detail: String?
        }

        /// A header field of the handshake response, decoded from `[name, value]`.
        struct Header: Decodable, Sendable {
            let name: String
            let value: String

            init(from decoder: any Decoder) throws {
                var pair = try decoder.unkeyedContainer()
                name = try pair.decode(String.self)
                value = try pair.decode(String.self)
            }
        }

        /// The close event (WHATWG clients) or closing frame (python) the client saw; 1006 when
        /// none came.
        struct Close: Decodable, Sendable, Equatable {
            let code: Int
            let reason: String
            let wasClean: Bool
        }

        struct Timings: Decodable, Sendable {
            let browserStartMs: Int
            let scenarioMs: Int
        }

        /// The values of the response's header fields named `name` (case-insensitive).
        func headerValues(_ name: String) -> [String] {
            (headers ?? []).filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    /// How long a client may take to stop after SIGTERM before it is killed.
    private static let terminationGrace: Duration = .seconds(3)

    /// Runs a client through one scenario and returns what it saw.
    ///
    /// - Parameters:
    ///   - url: `ws://127.0.0.1:PORT/PATH`, or `wss://localhost:PORT/PATH` with
    ///     `caCertificatePEM`.
    ///   - scenario: `echo`, `subprotocol`, `close` or `headers`.
    ///   - protocols: Subprotocols to offer, in order of preference.
    ///   - caCertificatePEM: For `wss:`, the root to trust, PEM text (such as
    ///     ``TestCertificates/caCertificatePEM``); Chromium then needs the server to send a chain
    ///     that verifies with it, host name included.
    ///   - largestMessage: `echo` leaves out the sizes above this.
    ///   - timeout: Bound on the whole run. The client is told a little less, so that it normally
    ///     stops by itself and says what it was waiting for; at `timeout` it is terminated.
    /// - Throws: ``ClientPeerError``.
    static func run(
        _ kind: Kind,
        url: String,
        scenario: String,
        protocols: [String] = [],
        caCertificatePEM: String? = nil,
        largestMessage: Int? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Report {
        var certificateFile: URL?
        if let caCertificatePEM {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("client-peer-\(UUID().uuidString).pem")
            try caCertificatePEM.write(to: file, atomically: true, encoding: .utf8)
            certificateFile = file
        }
        defer { if let certificateFile { try? FileManager.default.removeItem(at: certificateFile) } }

        let margin = min(Duration.seconds(10), timeout / 4)
        var arguments = ["--url", url, "--scenario", scenario, "--timeout", "\(seconds(timeout - margin))"]
        if !protocols.isEmpty { arguments += ["--protocols", protocols.joined(separator: ",")] }
        if let certificateFile { arguments += ["--cacert", certificateFile.path] }
        if let largestMessage { arguments += ["--largest", "\(largestMessage)"] }

        let process = try start(kind, arguments: arguments, certificateFile: certificateFile)

        // Whatever ends the wait (exit, time-out, cancellation), no client is left behind.
        let deadline = ContinuousClock.now + timeout
        do {
            while process.isRunning {
                if ContinuousClock.now >= deadline {
                    stop(process, kind: kind)
                    throw ClientPeerError.timedOut(kind, scenario: scenario, timeout: timeout, standardError: process.standardError)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        } catch {
            stop(process, kind: kind)
            throw error
        }
        stop(process, kind: kind)  // the browser's process group, if anything of it is left

        // Let the pipes drain; a browser's stragglers could hold them open, hence the bound.
        try await process.finished(within: .seconds(2))
        let (output, errors) = (process.standardOutput, process.standardError)
        guard process.termination == .exited(0) else {
            if process.termination == .exited(3) {
                throw ClientPeerError.notInstalled(kind, errors)
            }
            throw ClientPeerError.failed(kind, scenario: scenario, termination: process.termination, standardError: errors, standardOutput: output)
        }
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        do {
            var report = try JSONDecoder().decode(Report.self, from: Data(line.utf8))
            report.json = line
            return report
        } catch {
            throw ClientPeerError.undecodable(kind, scenario: scenario, standardOutput: output, error: error)
        }
    }

    /// Starts the client `kind`; throws if its runtime is not installed.
    private static func start(_ kind: Kind, arguments: [String], certificateFile: URL?) throws -> ChildProcess {
        let executable: URL
        let scriptArguments: [String]
        var environment = ProcessInfo.processInfo.environment
        let interop = PeerProcess.repositoryRoot.appendingPathComponent("Tests/Interop")
        switch kind {
        case .python, .chromium:
            let python = PeerProcess.venv.appendingPathComponent("bin/python")
            guard FileManager.default.isExecutableFile(atPath: python.path) else {
                throw ClientPeerError.notInstalled(kind, "\(python.path) does not exist")
            }
            if kind == .chromium {
                for program in ["chromium", "chromedriver"] + (certificateFile == nil ? [] : ["certutil"]) {
                    guard PeerProcess.findExecutable(program) != nil else {
                        throw ClientPeerError.notInstalled(kind, "no \(program) on PATH")
                    }
                }
            }
            executable = python
            let script = kind == .python ? "python_client.py" : "browser_client.py"
            scriptArguments = ["-u", interop.appendingPathComponent(script).path]
            environment["PYTHONDONTWRITEBYTECODE"] = "1"
        case .nodeWS, .nodeUndici:
            guard let node = PeerProcess.findExecutable("node") ?? PeerProcess.findExecutable("nodejs") else {
                throw ClientPeerError.notInstalled(kind, "no node on PATH")
            }
            let script = interop.appendingPathComponent("node_client.js").path
            executable = node
            if kind == .nodeWS {
                guard FileManager.default.fileExists(atPath: "\(PeerProcess.debianNodeModules)/ws/package.json")
                    || environment["NODE_PATH"] != nil
                else {
                    throw ClientPeerError.notInstalled(kind, "\(PeerProcess.debianNodeModules)/ws does not exist")
                }
                scriptArguments = [script, "--impl", "ws"]
                environment["NODE_PATH"] = [environment["NODE_PATH"], PeerProcess.debianNodeModules].compactMap { $0 }
                    .joined(separator: ":")
            } else {
                // Node 20 has WebSocket only behind this flag; undici takes extra roots only from
                // this variable, read at start-up.
                scriptArguments = ["--experimental-websocket", script, "--impl", "undici"]
                if let certificateFile { environment["NODE_EXTRA_CA_CERTS"] = certificateFile.path }
            }
        }
        return try ChildProcess(executable, arguments: scriptArguments + arguments, environment: environment)
    }

    /// SIGTERM, then SIGKILL after ``terminationGrace``. browser_client.py leads a process group
    /// with chromedriver and Chromium in it, which outlive a killed parent: the whole group goes.
    private static func stop(_ process: ChildProcess, kind: Kind) {
        process.stop(grace: terminationGrace)
        if kind == .chromium { kill(-process.pid, SIGKILL) }
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f", Double(seconds) + Double(attoseconds) / 1e18)
    }
}

/// Why a client could not run its scenario.
enum ClientPeerError: Error, CustomStringConvertible {
    /// The client's runtime, library or browser is missing.
    case notInstalled(ClientPeer.Kind, String)
    /// The client exited with a failure (or a signal) instead of a report; `nil` if it was not
    /// seen to end even after SIGKILL.
    case failed(ClientPeer.Kind, scenario: String, termination: ChildProcess.Termination?, standardError: String, standardOutput: String)
    /// The client was still running at the time-out, and was stopped.
    case timedOut(ClientPeer.Kind, scenario: String, timeout: Duration, standardError: String)
    /// The client's report was not the JSON expected.
    case undecodable(ClientPeer.Kind, scenario: String, standardOutput: String, error: any Error)

    var description: String {
        switch self {
        case .notInstalled(let kind, let detail):
            "the \(kind) interop peer is not installed (\(detail.trimmingCharacters(in: .whitespacesAndNewlines))): "
                + "run `bash scripts/install-peers` first"
        case .failed(let kind, let scenario, let termination, let standardError, let standardOutput):
            "the \(kind) failed the \(scenario) scenario with \(termination?.description ?? "no end seen"):\n\(standardError)"
                + (standardOutput.isEmpty ? "" : "\nstandard output:\n\(standardOutput)")
        case .timedOut(let kind, let scenario, let timeout, let standardError):
            "the \(kind) did not finish the \(scenario) scenario within \(timeout):\n\(standardError)"
        case .undecodable(let kind, let scenario, let standardOutput, let error):
            "the \(kind)'s report of the \(scenario) scenario does not decode (\(error)):\n\(standardOutput)"
        }
    }
}
