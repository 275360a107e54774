import Foundation
import Testing
@testable import WebSockets

/// `Event` (DOM § 2.2), `MessageEvent` (HTML § 9.2) and `CloseEvent` (WHATWG WebSockets §6).
@Suite("Events")
struct EventTests {
    @Test func eventHasItsTypeAndATimeStampInMillisecondsSinceTheEpoch() {
        let before = Date().timeIntervalSince1970 * 1000
        let event = Event(type: "open")
        let after = Date().timeIntervalSince1970 * 1000
        #expect(event.type == "open")
        #expect(event.timeStamp >= before && event.timeStamp <= after)
        #expect(event.description == #"Event(type: "open")"#)
    }

    @Test func laterEventsHaveLaterOrEqualTimeStamps() {
        let first = Event(type: "a")
        let second = Event(type: "b")
        #expect(second.timeStamp >= first.timeStamp)
    }

    @Test func eventIsOpenForSubclassing() {
        final class CustomEvent: Event, @unchecked Sendable {
            let detail: Int
            init(detail: Int) {
                self.detail = detail
                super.init(type: "custom")
            }
        }
        let event: Event = CustomEvent(detail: 7)
        #expect(event.type == "custom")
        #expect((event as? CustomEvent)?.detail == 7)
    }

    // MARK: CloseEvent (WHATWG WebSockets §6)

    @Test func closeEventDefaultsMirrorCloseEventInit() {
        let event = CloseEvent()
        #expect(event.type == "close")
        #expect(event.wasClean == false)
        #expect(event.code == 0)
        #expect(event.reason == "")
    }

    @Test func closeEventKeepsWhatItWasInitialisedTo() {
        let event = CloseEvent(wasClean: true, code: 1000, reason: "bye")
        #expect(event.type == "close")
        #expect(event.wasClean)
        #expect(event.code == 1000)
        #expect(event.reason == "bye")
        #expect(event.description == #"CloseEvent(type: "close", wasClean: true, code: 1000, reason: "bye")"#)
        #expect(CloseEvent(type: "custom-close").type == "custom-close")
        let failed: Event = CloseEvent(code: 1006)
        #expect((failed as? CloseEvent)?.code == 1006)
    }

    // MARK: MessageEvent (HTML § 9.2, WHATWG WebSockets §4)

    @Test func messageEventDefaultsMirrorMessageEventInit() {
        let event = MessageEvent(data: .text("on"))
        #expect(event.type == "message")
        #expect(event.data == .text("on"))
        #expect(event.origin == "")
        #expect(event.lastEventId == "")
    }

    @Test func messageEventKeepsWhatItWasInitialisedTo() {
        let event = MessageEvent(type: "custom", data: .arrayBuffer(Data([1, 2])), origin: "wss://example.com", lastEventId: "7")
        #expect(event.type == "custom")
        #expect(event.data == .arrayBuffer(Data([1, 2])))
        #expect(event.origin == "wss://example.com")
        #expect(event.lastEventId == "7")
    }

    @Test func messageEventDataHasATextAnArrayBufferAndABlobCase() {
        let cases: [MessageEvent.Data] = [.text("hi"), .arrayBuffer(Data([1, 2, 3])), .blob(Blob(Data([1, 2, 3, 4])))]
        var seen: [String] = []
        for data in cases {
            switch MessageEvent(data: data, origin: "ws://localhost:8080").data {
            case .text(let string): seen.append("text \(string)")
            case .arrayBuffer(let bytes): seen.append("arrayBuffer \(bytes.count)")
            case .blob(let blob): seen.append("blob \(blob.size)")
            }
        }
        #expect(seen == ["text hi", "arrayBuffer 3", "blob 4"])
    }

    @Test func messageEventDataCasesAreDistinctEvenForTheSameBytes() {
        let bytes = Data("hi".utf8)
        #expect(MessageEvent.Data.text("hi") != .arrayBuffer(bytes))
        #expect(MessageEvent.Data.arrayBuffer(bytes) != .blob(Blob(bytes)))
        #expect(Set<MessageEvent.Data>([.text("hi"), .text("hi"), .arrayBuffer(bytes), .blob(Blob(bytes))]).count == 3)
    }

    @Test func messageEventDescriptionDoesNotPrintThePayload() {
        let event = MessageEvent(data: .text("secret"), origin: "wss://example.com")
        #expect(!event.description.contains("secret"))
        #expect(event.description == #"MessageEvent(type: "message", data: text(6 characters), origin: "wss://example.com")"#)
        #expect(MessageEvent.Data.arrayBuffer(Data(count: 5)).description == "arrayBuffer(5 bytes)")
        #expect(MessageEvent.Data.blob(Blob("abc")).description == "blob(3 bytes)")
    }

    @Test func eventsCrossThreads() async {
        let event = MessageEvent(data: .text("x"))
        let type = await Task.detached { event.type }.value
        #expect(type == "message")
    }
}
