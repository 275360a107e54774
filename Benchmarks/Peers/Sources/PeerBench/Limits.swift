/// Sizes every peer must accept, whatever its library's defaults are.
public enum PeerLimits {
    /// The largest message (and so frame) a peer accepts: the benchmark driver sends up to this.
    /// The libraries default to 16 KiB frames, far below what a throughput run sends.
    public static let maxMessageSize = 64 << 20
}
