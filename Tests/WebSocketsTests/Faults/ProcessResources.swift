import Foundation
import Glibc

/// What this test process holds, read from /proc: to show that a fault left no socket behind
/// and that memory stayed bounded. Counts are per remote address, so tests running in parallel
/// do not disturb each other.
enum ProcessResources {
    /// The resident set size, in bytes.
    static func residentBytes() -> Int {
        let statm = read("/proc/self/statm")
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// How many of this process's descriptors are TCP sockets connected to `address`:`port`
    /// (IPv4, any port if `nil`).
    static func openSockets(to address: String, port: Int? = nil) -> Int {
        let remotes = socketInodes(remoteAddress: address, port: port)
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return 0 }
        return descriptors.count { descriptor in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)"),
                target.hasPrefix("socket:[")
            else { return false }
            return remotes.contains(String(target.dropFirst(8).dropLast()))
        }
    }

    /// The bytes the kernel still holds unacknowledged or unsent on the TCP sockets connected to
    /// `address` (the `tx_queue` of /proc/net/tcp): data still on its way.
    static func kernelSendQueue(to address: String) -> Int {
        tcpTable(remoteAddress: address, port: nil).reduce(0) { total, fields in
            total + (fields[4].split(separator: ":").first.flatMap { Int($0, radix: 16) } ?? 0)
        }
    }

    /// The inodes of the TCP sockets in /proc/net/tcp whose remote end is `address`:`port`.
    private static func socketInodes(remoteAddress address: String, port: Int?) -> Set<String> {
        Set(tcpTable(remoteAddress: address, port: port).map { String($0[9]) })
    }

    /// The lines of /proc/net/tcp, split into fields, whose remote end is `address`:`port`.
    private static func tcpTable(remoteAddress address: String, port: Int?) -> [[Substring]] {
        // /proc/net/tcp writes an IPv4 address as its 32 bits in host (little-endian) order, in hex.
        let octets = address.split(separator: ".").compactMap { UInt8($0) }
        let hexAddress = octets.reversed().map { String(format: "%02X", $0) }.joined()
        let table = read("/proc/net/tcp")
        var lines: [[Substring]] = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9 else { continue }
            let remote = fields[2].split(separator: ":")
            guard remote.count == 2, remote[0] == hexAddress else { continue }
            if let port, Int(remote[1], radix: 16) != port { continue }
            lines.append(fields)
        }
        return lines
    }

    /// A /proc file's text, read to its end: they report a size of 0, so readers that trust the
    /// size (Foundation's `String(contentsOfFile:)` among them) can see them empty.
    private static func read(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var text = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            text += buffer[..<count]
        }
        return String(decoding: text, as: UTF8.self)
    }
}
