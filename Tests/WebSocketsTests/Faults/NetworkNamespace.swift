import Foundation

/// A network namespace joined to ours by a veth pair, for faults the kernel injects: random loss
/// and a link that dies (nftables), a slow link (`tc` tbf; this kernel has no netem).
///
/// ```swift
/// let namespace = try await NetworkNamespace.create()
/// defer { namespace.remove() }                     // also when the last reference goes
/// try await namespace.limitRate(megabitsPerSecond: 1)
/// let server = try await WscServe.start(in: namespace)
/// try await namespace.dropEverything(afterBytes: 32_000)  // the link dies 32 kB later
/// ```
///
/// The test process stays in the root namespace and reaches a server inside at ``address``
/// (inside it, ours is ``hostAddress``). Names and a /30 subnet of 10.213.0.0/16 are unique per
/// instance, so tests can build theirs in parallel. Needs root, `ip`, `nft` and `tc`
/// (`scripts/install-peers`); whatever fails throws, which fails the test.
final class NetworkNamespace: Sendable {
    let name: String
    /// The veth end in the root namespace, and its address.
    let hostInterface: String
    let hostAddress: String
    /// The veth end inside the namespace, and its address.
    let interface: String
    let address: String

    /// Serialises the choice of names and subnets between the tests of this process.
    private static let creation = LockedValue(())

    /// Builds a namespace, off Swift concurrency's shared threads (see ``HostCommand/offThePool(_:)``).
    static func create() async throws -> NetworkNamespace {
        try await HostCommand.offThePool { try NetworkNamespace() }
    }

    private init() throws {
        (name, hostInterface, hostAddress, interface, address) = try Self.creation.withLock { _ in
            let existing = try HostCommand.run("ip", ["-o", "-4", "addr", "show"]) + (try HostCommand.run("ip", ["netns", "list"]))
            while true {
                let tag = String(UInt32.random(in: 0..<(1 << 20)), radix: 16)
                let subnet = Int.random(in: 0..<16384)
                let prefix = "10.213.\(subnet / 64)."
                let host = "\(prefix)\(subnet % 64 * 4 + 1)"
                guard !existing.contains("wsf\(tag)"), !existing.contains("\(host)/") else { continue }
                return ("wsf\(tag)", "wsf\(tag)h", host, "wsf\(tag)n", "\(prefix)\(subnet % 64 * 4 + 2)")
            }
        }
        do {
            try HostCommand.run("ip", ["netns", "add", name])
            try HostCommand.run("ip", ["link", "add", hostInterface, "type", "veth", "peer", "name", interface])
            try HostCommand.run("ip", ["link", "set", interface, "netns", name])
            try HostCommand.run("ip", ["addr", "add", "\(hostAddress)/30", "dev", hostInterface])
            // Packets of one MTU, as on a wire: with segmentation offload a veth carries 64 KiB
            // packets, and "2 % of the packets" would mean a few large bursts.
            let wireSized = ["gso_max_size", "1500", "gso_max_segs", "1"]
            try HostCommand.run("ip", ["link", "set", "dev", hostInterface] + wireSized)
            try inside("ip", ["link", "set", "dev", interface] + wireSized)
            try HostCommand.run("ip", ["link", "set", hostInterface, "up"])
            try inside("ip", ["addr", "add", "\(address)/30", "dev", interface])
            try inside("ip", ["link", "set", interface, "up"])
            try inside("ip", ["link", "set", "lo", "up"])
            try inside("nft", ["add", "table", "inet", "wsfault"])
            for (chain, hook) in [("input", "input"), ("output", "output")] {
                try inside("nft", ["add", "chain", "inet", "wsfault", chain, "{ type filter hook \(hook) priority 0; }"])
            }
        } catch {
            remove()
            throw HostCommand.Failed(description: "cannot build the fault network (root, iproute2 and nftables needed): \(error)")
        }
    }

    deinit {
        remove()
    }

    /// Runs `program` inside the namespace.
    @discardableResult
    func inside(_ program: String, _ arguments: [String]) throws -> String {
        try HostCommand.run("ip", ["netns", "exec", name, program] + arguments)
    }

    /// The executable and arguments that start `executable` inside the namespace (`ip netns exec`
    /// execs it, so the pid is the program's own: signals reach it).
    func command(_ executable: URL, _ arguments: [String]) throws -> (URL, [String]) {
        guard let ip = HostCommand.find("ip") else { throw HostCommand.Failed(description: "`ip` is not installed") }
        return (ip, ["netns", "exec", name, executable.path] + arguments)
    }

    /// A link of `megabitsPerSecond` each way: a token bucket on both veth ends.
    func limitRate(megabitsPerSecond: Int) async throws {
        let tbf = ["root", "tbf", "rate", "\(megabitsPerSecond)mbit", "burst", "16kb", "latency", "500ms"]
        try await HostCommand.offThePool { [self] in
            try HostCommand.run("tc", ["qdisc", "add", "dev", hostInterface] + tbf)
            try inside("tc", ["qdisc", "add", "dev", interface] + tbf)
        }
    }

    /// Drops `percent` % of the packets each way, at random.
    func dropRandomly(percent: Int) async throws {
        try await HostCommand.offThePool { [self] in
            try inside("nft", ["add", "rule", "inet", "wsfault", "input", "iifname", interface, "numgen", "random", "mod", "100", "<", "\(percent)", "counter", "drop"])
            try inside("nft", ["add", "rule", "inet", "wsfault", "output", "oifname", interface, "numgen", "random", "mod", "100", "<", "\(percent)", "counter", "drop"])
        }
    }

    /// Drops every packet each way once `bytes` more have crossed the link (both ways
    /// together, an nftables quota): the link dies then, exactly there, and neither end is told.
    func dropEverything(afterBytes bytes: Int) async throws {
        try await HostCommand.offThePool { [self] in
            try inside("nft", ["add", "quota", "inet", "wsfault", "link", "{ over \(bytes) bytes }"])
            try inside("nft", ["add", "rule", "inet", "wsfault", "input", "iifname", interface, "quota", "name", "link", "drop"])
            try inside("nft", ["add", "rule", "inet", "wsfault", "output", "oifname", interface, "quota", "name", "link", "drop"])
        }
    }

    /// How many packets the loss rules of ``dropRandomly(percent:)`` dropped, both ways: the
    /// proof that the link lost some.
    func randomlyDroppedPackets() async throws -> Int {
        let rules = try await HostCommand.offThePool { [self] in
            try ["input", "output"].map { try inside("nft", ["list", "chain", "inet", "wsfault", $0]) }
        }
        return rules.reduce(0) { total, chain in
            let counts = chain.split(separator: "\n").filter { $0.contains("numgen random") }.compactMap { rule in
                rule.split(separator: " ").drop { $0 != "packets" }.dropFirst().first.flatMap { Int($0) }
            }
            return total + counts.reduce(0, +)
        }
    }

    /// Removes the namespace and both veth ends; nothing it fails to remove is left without
    /// trying. Programs still running inside keep the namespace alive: stop them first.
    func remove() {
        _ = try? HostCommand.run("ip", ["netns", "del", name])
        _ = try? HostCommand.run("ip", ["link", "del", hostInterface])  // gone with the namespace already, normally
    }
}
