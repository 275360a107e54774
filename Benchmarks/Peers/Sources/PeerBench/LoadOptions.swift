import ArgumentParser

/// The command line every peer load client takes, the same as `wsc bench` so that one driver
/// can run them all.
public struct LoadOptions: ParsableArguments, Sendable {
    @Argument(help: "The ws: URL of a server that echoes every message.")
    public var url: String

    @Option(help: "Connections opened and loaded at once.")
    public var connections = 1

    @Option(help: "Bytes per message.")
    public var size = 16

    @Option(help: "Messages each connection keeps on their way.")
    public var inFlight = 1

    @Option(help: "Seconds of load, after every connection is open.")
    public var duration: Double = 10

    @Flag(help: "Send binary messages (0x5A bytes) instead of text ('z').")
    public var binary = false

    @Flag(help: "Offer permessage-deflate.")
    public var deflate = false

    @Flag(help: "Measure connection churn instead: each connection slot opens, closes with 1000 and starts over; no messages.")
    public var churn = false

    public init() {}

    public func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard size >= 0 else { throw ValidationError("--size must not be negative") }
        guard inFlight >= 1 else { throw ValidationError("--in-flight must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
    }

    /// The largest message either side must accept: the payload, and never less than the
    /// servers accept, so that the limit is not what a run measures.
    public var maxMessageSize: Int { max(size, PeerLimits.maxMessageSize) }
}
