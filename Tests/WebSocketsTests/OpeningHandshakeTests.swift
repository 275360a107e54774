import Foundation
import NIOCore
import Testing
@testable import WebSockets

/// WHATWG WebSockets §2 (obtain and establish a WebSocket connection) and the open task of §4,
/// against an in-process server on 127.0.0.1, including servers that get the handshake wrong.
@Suite("Opening handshake (§2, §4)")
struct OpeningHandshakeTests {
    @Test func establishAWebSocketConnectionSendsTheStandardsRequest() async throws {
        let server = try await TestServer.start(.echo(selecting: ["chat.v2"]))
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url("/chat?room=1"), protocols: ["chat.v1", "chat.v2"])
        try await recorder.waitForOpen()
        let request = try #require(try await server.waitForConnection { $0.request != nil }.request)
        #expect(request.head.method == "GET")
        #expect(request.head.target == "/chat?room=1")
        #expect(request.head.headers.first(name: "Host") == "127.0.0.1:\(server.port)")
        #expect(request.head.headers.containsToken("websocket", inList: "Upgrade"))
        #expect(request.head.headers.containsToken("Upgrade", inList: "Connection"))
        #expect(request.head.headers.first(name: "Sec-WebSocket-Version") == "13")
        #expect(request.protocols == ["chat.v1", "chat.v2"])
        // The standard's own offer (WHATWG §2.2); no Origin unless asked.
        #expect(request.head.headers["Sec-WebSocket-Extensions"] == ["permessage-deflate; client_max_window_bits"])
        #expect(!request.head.headers.contains(name: "Origin"))
    }

    @Test func noExtensionIsOfferedWhenTheOptionsTurnDeflateOff() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.perMessageDeflate = nil
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()
        let head = try #require(try await server.waitForConnection { $0.request != nil }.requestHead)
        #expect(!head.headers.contains(name: "Sec-WebSocket-Extensions"))
    }

    @Test func deflateParametersTheClientCannotAcceptFailTheConnection() async throws {
        let server = try await TestServer.start(.acceptLike { request in
            var fields = TestServer.Behavior.correctAcceptHeaders(for: request)
            fields.add(name: "Sec-WebSocket-Extensions", value: "permessage-deflate; server_max_window_bits=7")
            return fields
        })
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        guard case .extensionNegotiationFailed = recorder.socket.failure else {
            Issue.record("expected a negotiation failure, got \(String(describing: recorder.socket.failure))")
            return
        }
    }

    @Test func extraHeadersAndOriginAreSentWhenTheOptionsAskForThem() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.origin = "https://app.example"
        options.headers = ["Authorization": "Bearer t0ken"]
        let recorder = try SocketRecorder(server.url(), options: options)
        try await recorder.waitForOpen()
        let head = try #require(try await server.waitForConnection { $0.request != nil }.requestHead)
        #expect(head.headers.first(name: "Origin") == "https://app.example")
        #expect(head.headers.first(name: "Authorization") == "Bearer t0ken")
    }

    @Test func theOpenTaskSetsReadyStateAndProtocolThenFiresOpen() async throws {
        let server = try await TestServer.start(.echo(selecting: ["b"]))
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url(), protocols: ["a", "b"])
        try await recorder.waitForOpen()
        #expect(recorder.events == [.open(protocol: "b", extensions: "", readyState: .open)])
        #expect(recorder.socket.readyState == .open)
    }

    /// Each misbehaving server, the typed failure it must produce, and — whatever it is — the
    /// same events: `error`, then `close` with 1006 (§4: failures are indistinguishable to events).
    static let failingServers: [(String, TestServer.Behavior, [String], @Sendable (WebSocket.Failure?) -> Bool)] = [
        ("403", .refuse(status: 403), [], { if case .handshakeFailed(.unexpectedStatus(code: 403, _)) = $0 { true } else { false } }),
        ("302 redirect", .redirect(to: "ws://127.0.0.1:1/"), [], { if case .handshakeFailed(.unexpectedStatus(code: 302, _)) = $0 { true } else { false } }),
        ("200", .status200, [], { if case .handshakeFailed(.unexpectedStatus(code: 200, _)) = $0 { true } else { false } }),
        ("wrong Accept", .wrongAccept, [], { if case .handshakeFailed(.wrongAccept) = $0 { true } else { false } }),
        ("missing Upgrade", .missingUpgrade, [], { $0 == .handshakeFailed(.missingUpgrade) }),
        ("missing Connection", .missingConnection, [], { $0 == .handshakeFailed(.missingConnectionUpgrade) }),
        ("unoffered subprotocol", .unofferedSubprotocol("x"), ["a"], { $0 == .handshakeFailed(.unofferedSubprotocol("x")) }),
        ("no subprotocol selected", .echo, ["a"], { $0 == .handshakeFailed(.noSubprotocolSelected) }),
        ("unoffered extension", .unofferedExtension("x-unoffered"), [], { $0 == .handshakeFailed(.unofferedExtension("x-unoffered")) }),
        ("closed on connect", .closeOnConnect, [], { if case .connectionLost = $0 { true } else { false } }),
        ("closed before responding", .closeBeforeResponding, [], { if case .connectionLost = $0 { true } else { false } }),
    ]

    @Test(arguments: failingServers.indices)
    func failTheWebSocketConnection(_ index: Int) async throws {
        let (name, behavior, protocols, expectedFailure) = Self.failingServers[index]
        let server = try await TestServer.start(behavior)
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url(), protocols: protocols)
        #expect(try await recorder.waitForClose() == SocketRecorder.failed, "\(name)")
        #expect(expectedFailure(recorder.socket.failure), "\(name): \(String(describing: recorder.socket.failure))")
    }

    @Test func aRefusedConnectionFails() async throws {
        let recorder = try SocketRecorder("ws://127.0.0.1:1/")
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        #expect(recorder.socket.failure == .connectionRefused(host: "127.0.0.1", port: 1))
    }

    @Test func aHostThatDoesNotResolveFails() async throws {
        var options = WebSocket.Options()
        options.connectTimeout = 20
        let recorder = try SocketRecorder("ws://no-such-host.invalid/", options: options)
        #expect(try await recorder.waitForClose(timeout: .seconds(30)) == SocketRecorder.failed)
        #expect(recorder.socket.failure == .nameResolutionFailed(host: "no-such-host.invalid"))
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try await TestServer.start(.neverRespond)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.handshakeTimeout = 0.3
        let recorder = try SocketRecorder(server.url(), options: options)
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        #expect(recorder.socket.failure == .handshakeTimedOut)
    }

    @Test func aMessageInTheSamePacketAsTheHandshakeIsDelivered() async throws {
        let server = try await TestServer.start(.messageWithHandshake("early"))
        defer { server.stop() }
        let recorder = try SocketRecorder(server.url())
        let events = try await recorder.waitUntil { $0.count >= 2 }
        #expect(events == [.open(protocol: "", extensions: "", readyState: .open),
                           .message(.text("early"), origin: "ws://127.0.0.1:\(server.port)")])
    }
}
