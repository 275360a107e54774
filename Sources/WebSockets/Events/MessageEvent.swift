public import Foundation

/// A message received on a ``WebSocket`` (HTML § 9.2 The `MessageEvent` interface).
///
/// The socket fires it with type `"message"` when a whole WebSocket message has arrived
/// (WHATWG WebSockets §4): text messages as ``Data-swift.enum/text(_:)``, binary messages as
/// ``Data-swift.enum/blob(_:)`` or ``Data-swift.enum/arrayBuffer(_:)`` depending on the socket's
/// `binaryType` at the time the event is fired.
///
/// Immutable, hence safe to share between threads (see ``Event``).
public final class MessageEvent: Event, @unchecked Sendable {
    /// The message's payload (HTML § 9.2 `data`).
    public let data: Data

    /// The serialisation of the origin of the socket's URL, e.g. `"wss://example.com"`
    /// (HTML § 9.2 `origin`, WHATWG WebSockets §4).
    public let origin: String

    /// Always `""` for WebSocket messages; kept because the interface has it (HTML § 9.2 `lastEventId`,
    /// which only server-sent events fill in).
    public let lastEventId: String

    /// Creates a message event, mirroring `new MessageEvent(type, eventInitDict)` and the defaults of
    /// `MessageEventInit` (HTML § 9.2).
    ///
    /// `data` has no default because `MessageEventInit`'s `null` has no meaning for a WebSocket message.
    public init(type: String = "message", data: Data, origin: String = "", lastEventId: String = "") {
        self.data = data
        self.origin = origin
        self.lastEventId = lastEventId
        super.init(type: type)
    }

    /// A short summary for logs, e.g. `MessageEvent(type: "message", data: text(5 characters))`.
    public override var description: String {
        "MessageEvent(type: \(String(reflecting: type)), data: \(data), origin: \(String(reflecting: origin)))"
    }
}

extension MessageEvent {
    /// The payload of a ``MessageEvent``: what script sees as `event.data` (WHATWG WebSockets §4).
    ///
    /// ```swift
    /// switch event.data {
    /// case .text(let string): print(string)
    /// case .arrayBuffer(let data): print(data.count)
    /// case .blob(let blob): print(blob.size)
    /// }
    /// ```
    public enum Data: Sendable, Hashable, CustomStringConvertible {
        /// A text message: the standard's "new `DOMString` containing data".
        case text(String)
        /// A binary message received while `binaryType` is `.arraybuffer`.
        case arrayBuffer(Foundation.Data)
        /// A binary message received while `binaryType` is `.blob` (the default), with type `""`.
        case blob(Blob)

        /// The size without the content, so that logging a message does not print the message.
        public var description: String {
            switch self {
            case .text(let string): "text(\(string.count) characters)"
            case .arrayBuffer(let data): "arrayBuffer(\(data.count) bytes)"
            case .blob(let blob): "blob(\(blob.size) bytes)"
            }
        }
    }
}
