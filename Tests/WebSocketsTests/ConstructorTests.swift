import Foundation
import Testing
@testable import WebSockets

/// WHATWG WebSockets §3.1, the `new WebSocket(url, protocols)` constructor steps.
@Suite("Constructor (§3.1)")
struct ConstructorTests {
    static func syntaxError(_ url: String, protocols: [String] = [], baseURL: URL? = nil) -> DOMException? {
        var options = WebSocket.Options()
        options.baseURL = baseURL
        options.eventQueue = DispatchQueue(label: "unused")
        do {
            _ = try WebSocket(url, protocols: protocols, options: options)
            return nil
        } catch {
            return error
        }
    }

    static func socket(_ url: String, baseURL: URL? = nil) throws -> WebSocket {
        var options = WebSocket.Options()
        options.baseURL = baseURL
        options.eventQueue = DispatchQueue(label: "unused")
        return try WebSocket(url, options: options)
    }

    @Test func theURLIsParsedAndSerialised() throws {
        #expect(try Self.socket("WS://Example.COM:80/a/../chat?x=1 2").url == "ws://example.com/chat?x=1%202")
        #expect(try Self.socket("wss://example.com:443").url == "wss://example.com/")
        #expect(try Self.socket("ws://[::1]:8080/").url == "ws://[::1]:8080/")
    }

    @Test func httpAndHTTPSSchemesBecomeWSAndWSS() throws {
        #expect(try Self.socket("http://example.com:8080/x").url == "ws://example.com:8080/x")
        #expect(try Self.socket("https://example.com/").url == "wss://example.com/")
    }

    @Test(arguments: ["ftp://example.com/", "file:///tmp/x", "mailto:a@example.com", "javascript:alert(1)", "data:text/plain,x"])
    func otherSchemesThrowSyntaxError(_ url: String) {
        #expect(Self.syntaxError(url)?.name == .syntaxError)
    }

    @Test(arguments: ["ws://example.com/#", "ws://example.com/#fragment", "http://example.com/?q#f"])
    func aFragmentThrowsSyntaxError(_ url: String) {
        #expect(Self.syntaxError(url)?.name == .syntaxError)
    }

    @Test func anUnparsableURLThrowsSyntaxError() {
        #expect(Self.syntaxError("ws://exa mple.com/")?.name == .syntaxError)
        #expect(Self.syntaxError("ws://example.com:99999/")?.name == .syntaxError)
        #expect(Self.syntaxError("")?.name == .syntaxError)
    }

    @Test func relativeURLsResolveAgainstTheBaseURLOrThrow() throws {
        #expect(Self.syntaxError("/chat")?.name == .syntaxError)
        let base = URL(string: "https://example.com/app/page.html")!
        #expect(try Self.socket("/chat", baseURL: base).url == "wss://example.com/chat")
        #expect(try Self.socket("chat", baseURL: base).url == "wss://example.com/app/chat")
    }

    @Test func protocolsMustBeTokens() {
        for invalid in ["", "a b", "a,b", "ü", "a\"b", "(x)"] {
            #expect(Self.syntaxError("ws://example.com/", protocols: [invalid])?.name == .syntaxError, "\(invalid)")
        }
    }

    @Test func duplicateProtocolsThrowButCaseDiffersIsAllowed() throws {
        #expect(Self.syntaxError("ws://example.com/", protocols: ["chat", "chat"])?.name == .syntaxError)
        var options = WebSocket.Options()
        options.eventQueue = DispatchQueue(label: "unused")
        // Compared case-sensitively, as browsers do (whatwg/websockets issue 47).
        _ = try WebSocket("ws://127.0.0.1:1/", protocols: ["chat", "Chat"], options: options)
    }

    @Test func initialAttributes() throws {
        // A suspended event queue: no task runs, so the socket stays as the constructor left it.
        let queue = DispatchQueue(label: "suspended")
        queue.suspend()
        defer { queue.resume() }
        var options = WebSocket.Options()
        options.eventQueue = queue
        let socket = try WebSocket("ws://127.0.0.1:1/", options: options)
        #expect(socket.readyState == .connecting)
        #expect(socket.readyState.rawValue == 0)
        #expect(socket.bufferedAmount == 0)
        #expect(socket.protocol == "")
        #expect(socket.extensions == "")
        #expect(socket.binaryType == .blob)
        #expect(socket.binaryType.rawValue == "blob")
        #expect(socket.failure == nil)
    }
}
