import Foundation
import Glibc

/// Runs the kernel's network tools (`ip`, `nft`, `tc`) for the fault scenarios, synchronously:
/// teardown happens in `deinit` and `defer`, where nothing can be awaited. Async callers go
/// through ``offThePool(_:)``.
enum HostCommand {
    /// Why a command failed: the fault environment could not be built, which fails the test.
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `program` (found on PATH or in /usr/sbin) with `arguments` and waits at most 10 s;
    /// throws unless it exits with status 0.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        guard let executable = find(program) else {
            throw Failed(description: "`\(program)` is not installed: run `bash scripts/install-peers` (it installs iproute2 and nftables)")
        }
        let process = try ChildProcess(executable, arguments: arguments, mergingErrors: true)
        let deadline = ContinuousClock.now + .seconds(10)
        while !process.hasFinished, ContinuousClock.now < deadline { usleep(2_000) }
        let command = ([program] + arguments).joined(separator: " ")
        guard process.hasFinished else {
            process.kill()
            throw Failed(description: "`\(command)` did not finish within 10 s")
        }
        guard process.termination == .exited(0) else {
            throw Failed(description: "`\(command)` failed (\(process.termination!)): \(process.standardOutput)")
        }
        return process.standardOutput
    }

    /// Runs `body` on a thread of its own and awaits it: waiting for a command must not block one
    /// of Swift concurrency's few shared threads (two on this machine), which every other test's
    /// tasks and the servers' handlers need.
    static func offThePool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// `program` on PATH or in the sbin directories, which a non-login PATH can lack.
    static func find(_ program: String) -> URL? {
        PeerProcess.findExecutable(program) ?? ["/usr/sbin", "/sbin"].lazy
            .map { URL(fileURLWithPath: $0).appendingPathComponent(program) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
