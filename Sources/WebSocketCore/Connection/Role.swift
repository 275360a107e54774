/// Which end of a WebSocket connection an engine plays (RFC 6455 §1.3, §5.1).
///
/// The role decides the masking rules: a client masks every frame it sends and a server
/// rejects unmasked frames; a server never masks and a client rejects masked frames.
public enum Role: Sendable, Hashable {
    case client
    case server
}
