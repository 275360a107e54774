/// One loaded connection of a run, on whichever library a client is built on.
public protocol LoadConnection: Sendable {
    /// Sends the first `--in-flight` messages; each echo then sends the next.
    func start()
    /// Stops sending, waits up to ``LoadRun/drainSeconds`` for the echoes still on their way,
    /// and closes with 1000. Returns what went wrong, if anything did.
    func finish() async -> String?
}

/// Why a connection did not open or failed.
public struct PeerFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
