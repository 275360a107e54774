import Foundation
import Testing
@testable import WebSockets

/// The listener registry behind `addEventListener` and the `on…` attributes: DOM § 2.7 (add / remove
/// an event listener), DOM § 2.9 (dispatch, inner invoke), HTML § 8.1.8.1 (event handlers).
@Suite("Event listeners (DOM, HTML event handlers)")
struct EventListenersTests {
    /// What the listeners saw, in order; a class so `@Sendable` listeners can write to it.
    private final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String] = []

        func append(_ entry: String) {
            lock.lock()
            entries.append(entry)
            lock.unlock()
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return entries
        }

        func listener(_ name: String) -> @Sendable (Event) -> Void {
            { [self] event in append("\(name):\(event.type)") }
        }
    }

    /// A slot for a value a listener needs but that only exists after the listener was created.
    private final class Box<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Value?

        var value: Value? {
            get { lock.lock(); defer { lock.unlock() }; return stored }
            set { lock.lock(); stored = newValue; lock.unlock() }
        }
    }

    // MARK: add / remove (DOM § 2.7)

    @Test func listenersRunInRegistrationOrder() {
        let listeners = EventListeners()
        let log = Log()
        for name in ["a", "b", "c", "d"] { listeners.addEventListener("message", log.listener(name)) }
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message", "b:message", "c:message", "d:message"])
    }

    @Test func onlyListenersForTheEventsTypeRun() {
        let listeners = EventListeners()
        let log = Log()
        listeners.addEventListener("open", log.listener("open"))
        listeners.addEventListener("close", log.listener("close"))
        listeners.dispatch(Event(type: "open"))
        listeners.dispatch(Event(type: "error"))
        #expect(log.all == ["open:open"])
    }

    @Test func theSameClosureAddedTwiceRunsTwiceWithDistinctTokens() {
        let listeners = EventListeners()
        let log = Log()
        let listener = log.listener("x")
        let first = listeners.addEventListener("open", listener)
        let second = listeners.addEventListener("open", listener)
        #expect(first != second)
        #expect(first == first)
        #expect(first.type == "open")
        listeners.dispatch(Event(type: "open"))
        #expect(log.all == ["x:open", "x:open"])
    }

    @Test func removeEventListenerRemovesOnlyThatListener() {
        let listeners = EventListeners()
        let log = Log()
        listeners.addEventListener("message", log.listener("a"))
        let b = listeners.addEventListener("message", log.listener("b"))
        listeners.addEventListener("message", log.listener("c"))
        listeners.removeEventListener(b)
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message", "c:message"])
    }

    @Test func removeEventListenerIsIdempotent() {
        let listeners = EventListeners()
        let log = Log()
        let a = listeners.addEventListener("message", log.listener("a"))
        listeners.addEventListener("message", log.listener("b"))
        listeners.removeEventListener(a)
        listeners.removeEventListener(a)
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["b:message"])
        #expect(listeners.hasListeners(for: "message"))
    }

    @Test func aTokenFromAnotherRegistryRemovesNothing() {
        let listeners = EventListeners()
        let other = EventListeners()
        let log = Log()
        listeners.addEventListener("message", log.listener("a"))
        let foreign = other.addEventListener("message", log.listener("foreign"))
        listeners.removeEventListener(foreign)
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message"])
    }

    @Test func onceListenersRunOnlyOnce() {
        let listeners = EventListeners()
        let log = Log()
        listeners.addEventListener("message", once: true, log.listener("once"))
        listeners.addEventListener("message", log.listener("always"))
        listeners.dispatch(Event(type: "message"))
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["once:message", "always:message", "always:message"])
    }

    @Test func aOnceListenerIsRemovedBeforeItIsCalled() {
        let listeners = EventListeners()
        let log = Log()
        // It re-dispatches the same type from inside itself: it must not see the nested event.
        let reentered = Box<Bool>()
        listeners.addEventListener("message", once: true) { event in
            log.append("once:\(event.type)")
            #expect(!listeners.hasListeners(for: "message"))
            if reentered.value == nil {
                reentered.value = true
                listeners.dispatch(Event(type: "message"))
            }
        }
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["once:message"])
        #expect(!listeners.hasListeners(for: "message"))
    }

    @Test func removingAOnceListenerBeforeItRanIsHarmless() {
        let listeners = EventListeners()
        let log = Log()
        let token = listeners.addEventListener("open", once: true, log.listener("once"))
        listeners.removeEventListener(token)
        listeners.dispatch(Event(type: "open"))
        listeners.removeEventListener(token)
        #expect(log.all.isEmpty)
    }

    // MARK: Changes during dispatch (DOM § 2.9 inner invoke)

    @Test func aListenerRemovedDuringDispatchIsNotCalledAfterwards() {
        let listeners = EventListeners()
        let log = Log()
        let victim = Box<EventListenerToken>()
        listeners.addEventListener("message") { event in
            log.append("a:\(event.type)")
            if let token = victim.value { listeners.removeEventListener(token) }
        }
        victim.value = listeners.addEventListener("message", log.listener("b"))
        listeners.addEventListener("message", log.listener("c"))
        listeners.dispatch(Event(type: "message"))
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message", "c:message", "a:message", "c:message"])
    }

    @Test func aListenerRemovingItselfStillFinishesAndOthersRun() {
        let listeners = EventListeners()
        let log = Log()
        let own = Box<EventListenerToken>()
        own.value = listeners.addEventListener("message") { event in
            if let token = own.value { listeners.removeEventListener(token) }
            log.append("self:\(event.type)")
        }
        listeners.addEventListener("message", log.listener("b"))
        listeners.dispatch(Event(type: "message"))
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["self:message", "b:message", "b:message"])
    }

    @Test func aListenerAddedDuringDispatchIsNotCalledForTheCurrentEvent() {
        let listeners = EventListeners()
        let log = Log()
        let added = Box<Bool>()
        listeners.addEventListener("message") { event in
            log.append("a:\(event.type)")
            if added.value == nil {
                added.value = true
                listeners.addEventListener("message", log.listener("late"))
            }
        }
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message"])
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message", "a:message", "late:message"])
    }

    @Test func removeAllDuringDispatchStopsTheRest() {
        let listeners = EventListeners()
        let log = Log()
        listeners.addEventListener("close") { event in
            log.append("a:\(event.type)")
            listeners.removeAll()
        }
        listeners.addEventListener("close", log.listener("b"))
        listeners.setEventHandler("close", log.listener("onclose"))
        listeners.dispatch(Event(type: "close"))
        #expect(log.all == ["a:close"])
        #expect(!listeners.hasListeners(for: "close"))
        #expect(listeners.eventHandler(for: "close") == nil)
    }

    @Test func listenersMayBeAddedFromManyThreadsAtOnce() async {
        let listeners = EventListeners()
        let log = Log()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask { listeners.addEventListener("message", log.listener("\(index)")) }
            }
        }
        listeners.dispatch(Event(type: "message"))
        #expect(log.all.count == 100)
        #expect(Set(log.all).count == 100)
    }

    // MARK: Event handler attributes (HTML § 8.1.8.1)

    @Test func anEventHandlerRunsAtThePositionOfItsFirstAssignment() {
        let listeners = EventListeners()
        let log = Log()
        listeners.addEventListener("message", log.listener("a"))
        listeners.setEventHandler("message", log.listener("handler1"))
        listeners.addEventListener("message", log.listener("b"))
        // A new closure takes over the first one's place.
        listeners.setEventHandler("message", log.listener("handler2"))
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message", "handler2:message", "b:message"])
    }

    @Test func settingAnEventHandlerToNilRemovesIt() {
        let listeners = EventListeners()
        let log = Log()
        listeners.setEventHandler("open", log.listener("handler"))
        listeners.addEventListener("open", log.listener("a"))
        listeners.setEventHandler("open", nil)
        listeners.dispatch(Event(type: "open"))
        #expect(log.all == ["a:open"])
        #expect(listeners.eventHandler(for: "open") == nil)
        listeners.setEventHandler("open", nil)  // nil again: nothing happens
        listeners.dispatch(Event(type: "open"))
        #expect(log.all == ["a:open", "a:open"])
    }

    @Test func anEventHandlerSetAgainAfterNilIsRegisteredAtTheEnd() {
        let listeners = EventListeners()
        let log = Log()
        listeners.setEventHandler("message", log.listener("handler1"))
        listeners.addEventListener("message", log.listener("a"))
        listeners.setEventHandler("message", nil)
        listeners.setEventHandler("message", log.listener("handler2"))
        listeners.addEventListener("message", log.listener("b"))
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message", "handler2:message", "b:message"])
    }

    @Test func eachEventTypeHasItsOwnHandler() {
        let listeners = EventListeners()
        let log = Log()
        listeners.setEventHandler("open", log.listener("onopen"))
        listeners.setEventHandler("close", log.listener("onclose"))
        listeners.setEventHandler("open", nil)
        listeners.dispatch(Event(type: "open"))
        listeners.dispatch(Event(type: "close"))
        #expect(log.all == ["onclose:close"])
    }

    @Test func anEventHandlerCanNotBeRemovedByRemovingListeners() {
        let listeners = EventListeners()
        let log = Log()
        let token = listeners.addEventListener("error", log.listener("a"))
        listeners.setEventHandler("error", log.listener("onerror"))
        listeners.removeEventListener(token)
        listeners.dispatch(Event(type: "error"))
        #expect(log.all == ["onerror:error"])
    }

    @Test func theGetterReturnsTheHandlerThatWasSet() {
        let listeners = EventListeners()
        let log = Log()
        #expect(listeners.eventHandler(for: "open") == nil)
        listeners.setEventHandler("open", log.listener("onopen"))
        listeners.eventHandler(for: "open")?(Event(type: "open"))
        #expect(log.all == ["onopen:open"])
    }

    @Test func aTypedEventHandlerGetsItsEventClass() {
        let listeners = EventListeners()
        let log = Log()
        let onmessage: @Sendable (MessageEvent) -> Void = { event in
            if case .text(let text) = event.data { log.append("onmessage:\(text)") }
        }
        listeners.setEventHandler("message", onmessage)
        listeners.dispatch(MessageEvent(data: .text("hi")))
        // An event of another class under the same type is not handed to it.
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["onmessage:hi"])

        listeners.eventHandler(for: "message", as: MessageEvent.self)?(MessageEvent(data: .text("again")))
        #expect(log.all == ["onmessage:hi", "onmessage:again"])
        #expect(listeners.eventHandler(for: "message") == nil)
        #expect(listeners.eventHandler(for: "message", as: CloseEvent.self) == nil)

        let onclose: @Sendable (CloseEvent) -> Void = { event in log.append("onclose:\(event.code)") }
        listeners.setEventHandler("close", onclose)
        listeners.dispatch(CloseEvent(wasClean: true, code: 1000))
        #expect(log.all.last == "onclose:1000")
    }

    @Test func replacingTheHandlerDuringDispatchAffectsTheCurrentEvent() {
        // The handler's listener reads the handler's value when its turn comes (HTML § 8.1.8.1,
        // "the event handler processing algorithm").
        let listeners = EventListeners()
        let log = Log()
        listeners.addEventListener("message") { event in
            log.append("a:\(event.type)")
            listeners.setEventHandler("message", log.listener("replacement"))
        }
        listeners.setEventHandler("message", log.listener("original"))
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message", "replacement:message"])
    }

    @Test func aHandlerClearedAndSetAgainDuringDispatchWaitsForTheNextEvent() {
        let listeners = EventListeners()
        let log = Log()
        listeners.addEventListener("message") { event in
            log.append("a:\(event.type)")
            listeners.setEventHandler("message", nil)
            listeners.setEventHandler("message", log.listener("handler"))
        }
        listeners.setEventHandler("message", log.listener("handler"))
        listeners.dispatch(Event(type: "message"))
        #expect(log.all == ["a:message"])
    }

    @Test func hasListenersCountsListenersAndHandlers() {
        let listeners = EventListeners()
        let log = Log()
        #expect(!listeners.hasListeners(for: "message"))
        let token = listeners.addEventListener("message", log.listener("a"))
        #expect(listeners.hasListeners(for: "message"))
        #expect(!listeners.hasListeners(for: "close"))
        listeners.removeEventListener(token)
        #expect(!listeners.hasListeners(for: "message"))
        listeners.setEventHandler("message", log.listener("h"))
        #expect(listeners.hasListeners(for: "message"))
        listeners.setEventHandler("message", nil)
        #expect(!listeners.hasListeners(for: "message"))
    }
}
