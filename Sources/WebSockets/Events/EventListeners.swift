import Foundation

/// Identifies one listener added with `addEventListener`, so that it can be removed again.
///
/// The DOM finds the listener to remove by comparing callbacks (DOM § 2.7 `removeEventListener()`);
/// Swift closures can not be compared, so adding a listener returns this token instead. Every call
/// returns a distinct token, even for the same closure, and a token only ever matches the listener
/// it was returned for.
public struct EventListenerToken: Hashable, Sendable {
    /// The event type the listener was added for, e.g. `"message"`.
    public let type: String

    /// The token's identity. An object rather than a counter, so that tokens of different sockets
    /// can never match each other and no shared counter is needed.
    let key: Key

    final class Key: Sendable {}

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.key === rhs.key }

    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(key)) }
}

/// An event target's event listener list and its event handlers, and dispatch over them.
///
/// Implements what a ``WebSocket`` needs of the DOM's `EventTarget` (DOM § 2.7) and of the HTML
/// Standard's event handler IDL attributes (HTML § 8.1.8.1 Event handlers):
///
/// - Listeners run in the order they were added.
/// - A listener added while an event is being dispatched does not see that event (the dispatch
///   works on a copy of the list, DOM § 2.9 "inner invoke").
/// - A listener removed while an event is being dispatched is not called from then on (its
///   "removed" flag, DOM § 2.7 "remove an event listener").
/// - A `once` listener is removed just before it is called, so it runs at most once even if the
///   dispatch re-enters.
/// - An event handler (`onmessage` …) is one listener in the same list, added where the handler was
///   first set to a closure. Replacing the closure keeps that place, setting `nil` removes it, and
///   setting a closure after `nil` adds it again at the end ("activate"/"deactivate an event
///   handler"). The closure is looked up when its turn comes, so replacing it during a dispatch
///   takes effect for that same event.
///
/// Thread safety: the state is guarded by a lock, because the socket that owns the registry is
/// `Sendable` and its handlers may be set from any thread. Listeners are never called while the
/// lock is held, so a listener may add, remove, or dispatch again.
final class EventListeners: @unchecked Sendable {
    /// A listener as the registry stores it.
    typealias Listener = @Sendable (Event) -> Void

    /// One entry in an event listener list (DOM § 2.7 "event listener").
    private final class Entry {
        let key: EventListenerToken.Key
        let once: Bool
        /// The callback, or `nil` for the listener that stands for the event handler of this type.
        let callback: Listener?
        /// DOM § 2.7 "removed": set when the entry leaves the list, so a dispatch that copied the
        /// list before skips it.
        var removed = false

        init(once: Bool, callback: Listener?) {
            self.key = EventListenerToken.Key()
            self.once = once
            self.callback = callback
        }
    }

    /// The current value of an event handler (HTML § 8.1.8.1) and the entry it was activated with.
    private struct Handler {
        let entry: Entry
        /// Calls `value` with events of the type it accepts.
        var invoke: Listener
        /// The closure as it was set, kept so the getter can return it unchanged.
        var value: any Sendable
    }

    private let lock = NSLock()
    /// Event listener lists by event type, each in registration order.
    private var lists: [String: [Entry]] = [:]
    /// Event handlers by event type, e.g. `"message"` for `onmessage`.
    private var handlers: [String: Handler] = [:]

    init() {}

    // MARK: - EventTarget (DOM § 2.7)

    /// Appends `listener` to the list for `type` (DOM § 2.7 "add an event listener").
    ///
    /// - Parameter once: Remove the listener just before it is first called.
    /// - Returns: The token that removes this listener.
    @discardableResult
    func addEventListener(_ type: String, once: Bool = false, _ listener: @escaping Listener) -> EventListenerToken {
        let entry = Entry(once: once, callback: listener)
        locked { lists[type, default: []].append(entry) }
        return EventListenerToken(type: type, key: entry.key)
    }

    /// Removes the listener `token` was returned for (DOM § 2.7 "remove an event listener").
    ///
    /// Does nothing if it was removed already, ran as a `once` listener, or belongs to another registry.
    func removeEventListener(_ token: EventListenerToken) {
        locked {
            guard let entry = lists[token.type]?.first(where: { $0.key === token.key }) else { return }
            remove(entry, type: token.type)
        }
    }

    /// Calls the listeners for `event.type` in order (DOM § 2.9 "dispatch", "inner invoke").
    ///
    /// Runs on the caller's thread and returns when all listeners have run; the socket calls it on
    /// its event queue.
    func dispatch(_ event: Event) {
        let snapshot = locked { lists[event.type] ?? [] }
        for entry in snapshot {
            let callback: Listener? = locked {
                guard !entry.removed else { return nil }
                if entry.once { remove(entry, type: event.type) }
                if let callback = entry.callback { return callback }
                guard let handler = handlers[event.type], handler.entry === entry else { return nil }
                return handler.invoke
            }
            callback?(event)
        }
    }

    /// Whether any listener or event handler is registered for `type`; the socket's lifetime depends
    /// on it (WHATWG WebSockets §7 Garbage collection).
    func hasListeners(for type: String) -> Bool {
        locked { !(lists[type]?.isEmpty ?? true) }
    }

    /// Removes every listener and event handler, e.g. to release the closures, and what they
    /// capture, once the socket is closed for good.
    func removeAll() {
        locked {
            for entry in lists.values.joined() { entry.removed = true }
            lists.removeAll()
            handlers.removeAll()
        }
    }

    // MARK: - Event handlers (HTML § 8.1.8.1)

    /// Sets the event handler for `type`, as assigning `on<type>` does (HTML § 8.1.8.1, the event
    /// handler IDL attribute's setter).
    ///
    /// The first closure adds a listener at the end of the list ("activate an event handler"); a later
    /// closure takes over that listener's place; `nil` removes it ("deactivate an event handler").
    /// The closure is called only with events that are an `E`, so `onmessage` can take a
    /// `(MessageEvent) -> Void`.
    func setEventHandler<E: Event>(_ type: String, _ handler: (@Sendable (E) -> Void)?) {
        setHandler(type, handler)
    }

    /// Sets the event handler for `type` with a closure that takes any ``Event`` (or removes it with `nil`).
    func setEventHandler(_ type: String, _ handler: (@Sendable (Event) -> Void)?) {
        setHandler(type, handler)
    }

    /// The event handler for `type` as it was set, or `nil` if there is none or it was set for a
    /// different event class than `E` (HTML § 8.1.8.1, the event handler IDL attribute's getter).
    func eventHandler<E: Event>(for type: String, as eventClass: E.Type) -> (@Sendable (E) -> Void)? {
        locked { handlers[type]?.value as? @Sendable (E) -> Void }
    }

    /// The event handler for `type` if it was set with a closure that takes any ``Event``.
    func eventHandler(for type: String) -> (@Sendable (Event) -> Void)? {
        eventHandler(for: type, as: Event.self)
    }

    // MARK: - Private

    /// The one implementation behind both `setEventHandler` overloads; a distinct name so that the
    /// non-generic overload can not end up calling itself.
    private func setHandler<E: Event>(_ type: String, _ handler: (@Sendable (E) -> Void)?) {
        locked {
            guard let handler else {
                if let current = handlers.removeValue(forKey: type) { remove(current.entry, type: type) }
                return
            }
            let invoke: Listener = { event in
                if let event = event as? E { handler(event) }
            }
            if handlers[type] != nil {
                handlers[type]?.invoke = invoke
                handlers[type]?.value = handler
            } else {
                let entry = Entry(once: false, callback: nil)
                lists[type, default: []].append(entry)
                handlers[type] = Handler(entry: entry, invoke: invoke, value: handler)
            }
        }
    }

    /// DOM § 2.7 "remove an event listener": flag the entry, then drop it from its list. Call with the lock held.
    private func remove(_ entry: Entry, type: String) {
        entry.removed = true
        lists[type]?.removeAll { $0 === entry }
        if lists[type]?.isEmpty == true { lists[type] = nil }
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
