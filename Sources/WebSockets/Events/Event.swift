import Foundation

/// Something that happened to a ``WebSocket``, delivered to its listeners (DOM § 2.2 Interface `Event`).
///
/// A socket fires a plain `Event` named `"open"` or `"error"`, a ``MessageEvent`` named `"message"`
/// and a ``CloseEvent`` named `"close"` (WHATWG WebSockets §4). Only the attributes that mean
/// something outside a document tree are modelled: WebSocket events neither bubble nor can be
/// cancelled, so `bubbles`, `cancelable`, `preventDefault()` and the propagation path are left out.
///
/// ## Sendability
///
/// `Event` is a non-final class, because the DOM's event interfaces inherit from it, yet it has to
/// cross from the socket's I/O thread to its event queue. Every stored property is an immutable
/// `let` of a `Sendable` type, so sharing an event between threads is safe; the compiler can not
/// prove that for an `open` class, hence `@unchecked Sendable`. A subclass must keep to the same
/// rule: immutable, `Sendable` stored properties only.
open class Event: @unchecked Sendable, CustomStringConvertible {
    /// The event's type, e.g. `"open"`, `"message"`, `"error"` or `"close"` (DOM § 2.2 `type`).
    public let type: String

    /// When the event was created, in milliseconds since the Unix epoch (DOM § 2.2 `timeStamp`).
    ///
    /// The DOM measures a `DOMHighResTimeStamp` from the global object's time origin; outside a
    /// browser there is no such origin, so the Unix epoch stands in for it. The value has
    /// sub-millisecond precision, like the DOM's, and lets a listener compare events with each
    /// other and with `Date().timeIntervalSince1970 * 1000`.
    public let timeStamp: Double

    /// Creates an event of the given type, stamped with the current time (DOM § 2.2 `Event(type)`).
    public init(type: String) {
        self.type = type
        self.timeStamp = Date().timeIntervalSince1970 * 1000
    }

    /// A short summary for logs, e.g. `Event(type: "open")`.
    open var description: String {
        "Event(type: \(String(reflecting: type)))"
    }
}
