/// Which end of a WebSocket connection an engine plays (RFC 6455 §1.3, §5.1).
///
/// The role decides the masking rules: a client masks every frame it sends and a server
/// rejects unmasked frames; a server never masks and a client rejects masked frames.
public enum Role: Sendable, Hashable {
    /// The end that sent the opening handshake; it masks every frame it sends (§5.1, §5.3).
    case client
    /// The end that accepted the opening handshake; it never masks, and fails the connection
    /// on an unmasked frame from the client (§5.1).
    case server
}
