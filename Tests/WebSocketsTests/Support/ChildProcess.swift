import Foundation
import Glibc

/// A child process started with `posix_spawn`, its standard output and error collected.
///
/// The tests start their peers with this rather than Foundation's `Process`, whose `run()` on Linux
/// crashes now and then: it over-reads a `dirent` while looking for descriptors to close
/// (swift-corelibs-foundation PR #5472 fixes it, after Swift 6.3.1).
///
/// ```swift
/// let child = try ChildProcess(python, arguments: ["-c", "print('hi')"])
/// try await child.finished(within: .seconds(10))
/// #expect(child.termination == .exited(0) && child.standardOutput == "hi\n")
/// ```
///
/// The child starts with no signal blocked and every signal at its default action, whatever the
/// spawning thread blocked (Dispatch's threads block SIGTERM) or this process ignores; it keeps
/// none of our descriptors but its standard input, output and error (NIO's sockets are not
/// close-on-exec: an inherited connection would stay open after we close it). It stays in our
/// process group, so that an interrupt of the test run reaches it too.
///
/// A thread per child waits for it and reaps it, so none is left a zombie; one per pipe reads what
/// it writes. A child still running when the last reference goes away is killed. Linux only.
final class ChildProcess: Sendable, CustomStringConvertible {
    /// How a child ended.
    enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        /// Decodes a `waitpid` status (WIFEXITED and friends are macros Swift does not import).
        init(waitStatus status: Int32) {
            let signal = status & 0x7f
            self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }

        var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signaled(let signal): "signal \(signal)"
            }
        }
    }

    /// Why a child could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    /// The executable's name and the arguments, for messages.
    private let command: String
    private let state: LockedValue<State>

    private struct State: Sendable {
        var termination: Termination?
        var standardOutput = Data()
        var standardError = Data()
        var openPipes: Int
    }

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameters:
    ///   - environment: The child's whole environment; this process's by default.
    ///   - input: What the child reads on standard input before its end; `nil` for `/dev/null`.
    ///     At most `PIPE_BUF` (4 KiB) bytes, written into the pipe before the child starts: no
    ///     write that could block, nor a SIGPIPE should the child not read it.
    ///   - mergingErrors: Standard error goes to the standard output pipe, interleaved as written,
    ///     and ``standardError`` stays empty.
    init(
        _ executable: URL, arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        input: String? = nil, mergingErrors: Bool = false
    ) throws {
        command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        let (pid, outputs) = try Self.spawn(
            [executable.path] + arguments, environment: environment.map { "\($0.key)=\($0.value)" }, input: input,
            mergingErrors: mergingErrors)
        self.pid = pid
        let state = LockedValue(State(openPipes: outputs.count))
        self.state = state
        Thread.detachNewThread { Self.reap(pid, into: state) }
        for (index, descriptor) in outputs.enumerated() {
            Thread.detachNewThread { Self.drain(descriptor, isStandardError: index == 1, into: state) }
        }
    }

    deinit {
        kill()
    }

    /// How the child ended; `nil` while it runs.
    var termination: Termination? { state.withLock { $0.termination } }

    var isRunning: Bool { termination == nil }

    /// What the child wrote to standard output so far, as UTF-8.
    var standardOutput: String { String(decoding: state.withLock { $0.standardOutput }, as: UTF8.self) }

    /// What the child wrote to standard error so far, as UTF-8.
    var standardError: String { String(decoding: state.withLock { $0.standardError }, as: UTF8.self) }

    /// Whether the child has exited and everything it wrote has been read: the pipes can still
    /// hold output when the child is gone, and a child of the child can hold them open.
    var hasFinished: Bool { state.withLock { $0.termination != nil && $0.openPipes == 0 } }

    /// Such as "`wsc serve --port 0` (pid 42, running, output pipes open: 2)".
    var description: String {
        let (termination, openPipes) = state.withLock { ($0.termination, $0.openPipes) }
        return "`\(command)` (pid \(pid), \(termination?.description ?? "running"), output pipes open: \(openPipes))"
    }

    /// Waits until ``hasFinished``, for at most `timeout`; returns whether it came.
    @discardableResult
    func finished(within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasFinished {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Sends `signal` to the child, unless it has been reaped: its pid may be another's by then.
    func send(_ signal: Int32) {
        state.withLock { if $0.termination == nil { _ = Glibc.kill(pid, signal) } }
    }

    /// Sends SIGTERM.
    func terminate() {
        send(SIGTERM)
    }

    /// Sends SIGKILL.
    func kill() {
        send(SIGKILL)
    }

    /// Ends the child: SIGTERM, then SIGKILL if it still runs after `grace` (at once for zero);
    /// returns once it is reaped, or after 5 s more should even SIGKILL not end it.
    func stop(grace: Duration) {
        if grace > .zero {
            terminate()
            waitForExit(within: grace)
        }
        kill()
        waitForExit(within: .seconds(5))
    }

    private func waitForExit(within timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { usleep(5_000) }
    }

    /// Spawns `argv` and returns its pid and the read ends of its output pipes (standard output,
    /// then standard error unless merged).
    private static func spawn(
        _ argv: [String], environment: [String], input: String?, mergingErrors: Bool
    ) throws -> (pid_t, [Int32]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The child's ends are ours to close once it has its copies, whatever happens.
        var childEnds: [Int32] = []
        defer { childEnds.forEach { _ = close($0) } }
        var parentEnds: [Int32] = []
        do {
            if let input {
                let readEnd = try inputPipe(holding: input)
                childEnds.append(readEnd)
                posix_spawn_file_actions_adddup2(&actions, readEnd, STDIN_FILENO)
            } else {
                posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
            }
            for target in mergingErrors ? [STDOUT_FILENO] : [STDOUT_FILENO, STDERR_FILENO] {
                let (readEnd, writeEnd) = try makePipe()
                parentEnds.append(readEnd)
                childEnds.append(writeEnd)
                posix_spawn_file_actions_adddup2(&actions, writeEnd, target)
            }
            if mergingErrors { posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO) }  // 2>&1
            try check(addCloseFrom(&actions, 3), "posix_spawn_file_actions_addclosefrom_np")

            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var signals = sigset_t()
            sigemptyset(&signals)
            posix_spawnattr_setsigmask(&attributes, &signals)
            sigfillset(&signals)
            posix_spawnattr_setsigdefault(&attributes, &signals)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            var pid: pid_t = 0
            let arguments = argv.map { strdup($0) } + [nil]
            let variables = environment.map { strdup($0) } + [nil]
            defer { (arguments + variables).forEach { free($0) } }
            try check(posix_spawn(&pid, argv[0], &actions, &attributes, arguments, variables), "posix_spawn \(argv[0])")
            return (pid, parentEnds)
        } catch {
            parentEnds.forEach { _ = close($0) }
            throw error
        }
    }

    /// A pipe that holds `input` and has its write end closed; returns the read end.
    private static func inputPipe(holding input: String) throws -> Int32 {
        let bytes = Array(input.utf8)
        // Up to PIPE_BUF bytes go into an empty pipe at once: the write cannot block.
        guard bytes.count <= PIPE_BUF else {
            throw SpawnError(description: "standard input of \(bytes.count) bytes, more than PIPE_BUF (\(PIPE_BUF))")
        }
        let (readEnd, writeEnd) = try makePipe()
        defer { close(writeEnd) }
        var written: Int
        repeat { written = write(writeEnd, bytes, bytes.count) } while written < 0 && errno == EINTR
        guard written == bytes.count else {
            let code = errno
            close(readEnd)
            throw SpawnError(description: "writing standard input: \(String(cString: strerror(code)))")
        }
        return readEnd
    }

    /// A pipe, as (read end, write end). Not close-on-exec, which `pipe2` would give but Swift's
    /// Glibc module does not declare: each child closes every descriptor beyond 2 instead.
    private static func makePipe() throws -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        return (ends[0], ends[1])
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), a GNU extension Swift's Glibc
    /// module does not declare: the child closes every descriptor from `lowest` up, at spawn time,
    /// so that none opened meanwhile by another thread slips through.
    private static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Int32 {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return ENOSYS }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
    }

    /// Throws for a nonzero error number, as the `posix_spawn` functions return.
    private static func check(_ result: Int32, _ call: String) throws {
        guard result != 0 else { return }
        throw SpawnError(description: "\(call): \(String(cString: strerror(result)))")
    }

    /// Waits for the child to exit, then reaps it and records how it ended.
    private static func reap(_ pid: pid_t, into state: LockedValue<State>) {
        // WNOWAIT leaves it a zombie until the lock is held: `send` never signals a reused pid.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        state.withLock { state in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            state.termination = Termination(waitStatus: status)
        }
    }

    /// Reads `descriptor` to its end into the output, then closes it.
    private static func drain(_ descriptor: Int32, isStandardError: Bool, into state: LockedValue<State>) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }  // the end, or an error that ends it just the same
            state.withLock { state in
                if isStandardError {
                    state.standardError.append(contentsOf: buffer[..<count])
                } else {
                    state.standardOutput.append(contentsOf: buffer[..<count])
                }
            }
        }
        close(descriptor)
        state.withLock { $0.openPipes -= 1 }
    }
}
