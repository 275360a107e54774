public import Foundation

/// A message a ``WebSocketStream`` or a server's ``WebSocketConnection`` reads or writes: the
/// proposal's chunk, a string for a text message or bytes for a binary one.
public enum WebSocketMessage: Sendable, Hashable {
    /// A text message.
    case text(String)
    /// A binary message.
    case binary(Data)
}
