import Testing
@testable import WebSocketCore

@Suite("HTTP header fields (RFC 9110 §5)")
struct HTTPHeadersTests {
    static let headers: HTTPHeaders = [
        "Connection": "keep-alive, Upgrade",
        "upgrade": "WebSocket",
        "X-List": " a ,, b\t,",
        "x-list": "c",
        "Empty": "",
    ]

    @Test func lookupsIgnoreCase() {
        #expect(Self.headers["CONNECTION"] == ["keep-alive, Upgrade"])
        #expect(Self.headers.first(name: "x-LIST") == " a ,, b\t,")
        #expect(Self.headers["X-List"] == [" a ,, b\t,", "c"])
        #expect(Self.headers.contains(name: "empty"))
        #expect(!Self.headers.contains(name: "Missing"))
        #expect(Self.headers["Missing"].isEmpty)
        #expect(Self.headers.first(name: "Missing") == nil)
    }

    @Test func listValuesCombineLinesTrimAndDropEmptyElements() {
        #expect(Self.headers.listValues(name: "x-list") == ["a", "b", "c"])
        #expect(Self.headers.listValues(name: "Empty").isEmpty)
        #expect(Self.headers.listValues(name: "Missing").isEmpty)
    }

    @Test func tokenListChecksIgnoreCaseAndMatchWholeElements() {
        #expect(Self.headers.containsToken("upgrade", inList: "connection"))
        #expect(Self.headers.containsToken("KEEP-ALIVE", inList: "Connection"))
        #expect(Self.headers.containsToken("websocket", inList: "Upgrade"))
        #expect(!Self.headers.containsToken("keep", inList: "Connection"))
        #expect(!Self.headers.containsToken("websocket", inList: "Connection"))
        let nonASCII: HTTPHeaders = ["Upgrade": "webſocket"]  // U+017F folds to "s" under Unicode rules
        #expect(!nonASCII.containsToken("websocket", inList: "Upgrade"))
    }

    @Test func fieldsKeepOrderAndCanBeAddedAndRemoved() {
        var headers = Self.headers
        headers.add(name: "X-New", value: "1")
        #expect(headers.last == HTTPHeaders.Field(name: "X-New", value: "1"))
        headers.remove(name: "X-LIST")
        #expect(headers.map(\.name) == ["Connection", "upgrade", "Empty", "X-New"])
    }
}
