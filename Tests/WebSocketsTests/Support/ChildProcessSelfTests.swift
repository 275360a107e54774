import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``ChildProcess`` itself: what a child starts with, and how its end is told.
@Suite struct ChildProcessSelfTests {
    static let shell = URL(fileURLWithPath: "/bin/sh")

    /// None of our descriptors reaches the child (NIO's sockets are not close-on-exec), nor the
    /// signals the spawning thread blocks or this process ignores.
    @Test func aChildReadsItsInputAndInheritsNoDescriptorNorSignalState() async throws {
        let notCloseOnExec = open("/dev/null", O_RDONLY)
        defer { close(notCloseOnExec) }
        let child = try ChildProcess(
            Self.shell, arguments: ["-c", "cat; ls /proc/self/fd; grep -E '^Sig(Blk|Ign)' /proc/self/status"], input: "typed\n")
        #expect(try await child.finished(within: .seconds(10)), "\(child)")
        #expect(child.termination == .exited(0), "\(child.standardError)")
        let lines = child.standardOutput.split(separator: "\n")
        #expect(lines.prefix(5) == ["typed", "0", "1", "2", "3"], "\(child.standardOutput)")  // 3: the directory ls reads
        // Signals 1 to 31; glibc's posix_spawn leaves its own two, 32 and 33, ignored.
        let masks = lines.filter { $0.hasPrefix("Sig") }.compactMap { $0.split(separator: "\t").last.flatMap { UInt64($0, radix: 16) } }
        #expect(masks.map { $0 & 0x7fff_ffff } == [0, 0], "\(child.standardOutput)")
    }

    @Test func exitStatusesSignalsAndMergedOutputAreTold() async throws {
        let exited = try ChildProcess(Self.shell, arguments: ["-c", "echo out; echo err >&2; exit 3"])
        let signaled = try ChildProcess(Self.shell, arguments: ["-c", "echo out; echo err >&2; kill -TERM $$"], mergingErrors: true)
        for child in [exited, signaled] {
            #expect(try await child.finished(within: .seconds(10)), "\(child)")
        }
        #expect(exited.termination == .exited(3))
        #expect(exited.standardOutput == "out\n" && exited.standardError == "err\n")
        #expect(signaled.termination == .signaled(SIGTERM))
        #expect(signaled.standardOutput == "out\nerr\n" && signaled.standardError.isEmpty)
    }

    /// SIGTERM is not blocked in the child, so it ends it well before the grace runs out.
    @Test func stopEndsAChildWithSIGTERMAndReapsIt() throws {
        let child = try ChildProcess(Self.shell, arguments: ["-c", "exec sleep 30"])
        child.stop(grace: .seconds(5))
        #expect(child.termination == .signaled(SIGTERM))
    }
}
