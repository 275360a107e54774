import Foundation
import NIOCore
import Logging
import ServiceLifecycle
import Testing
@testable import WebSockets

/// `WebSocketServer`: the opening handshake (RFC 6455 §4.2), the handler's decision, closing, TLS,
/// Unix sockets and graceful shutdown — with our own client and with raw TCP.
@Suite("WebSocketServer")
struct WebSocketServerTests {
    @Test func theHandlerSeesTheRequest() async throws {
        let seen = LockedValue<WebSocketServer.Request?>(nil)
        let server = try await RunningServer.start { request in
            seen.withLock { $0 = request }
            return .accept(protocol: "b") { _ in }
        }
        defer { server.stop() }
        var options = WebSocket.Options()
        options.headers.add(name: "X-Trace", value: "42")
        options.headers.add(name: "X-Time", value: "12:30:00")
        options.headers.add(name: "X-Trace", value: "43")
        let stream = try WebSocketStream(server.url("/chat%20room?x=1&y=2"), protocols: ["a", "b"], options: options)
        let opened = try await stream.opened
        #expect(opened.protocol == "b")
        let request = try #require(seen.current)
        #expect(request.target == "/chat%20room?x=1&y=2")
        #expect(request.path == "/chat%20room")
        #expect(request.query == "x=1&y=2")
        #expect(request.protocols == ["a", "b"])
        #expect(request.extensions == "permessage-deflate; client_max_window_bits")
        #expect(request.headers[values: .init("X-Trace")!] == ["42", "43"])
        #expect(request.headers[.init("X-Time")!] == "12:30:00")
        #expect(request.headers.first?.name.rawName == "Host")
        #expect(request.headers[.secWebSocketKey]?.count == 24)
        #expect(request.remoteAddress?.ipAddress == "127.0.0.1")
    }

    @Test func aRejectionSendsTheHandlersStatusHeadersAndBody() async throws {
        let server = try await RunningServer.start { _ in .reject(status: 403, headers: [.init("X-Why")!: "closed"], body: "go away\n") }
        defer { server.stop() }
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send(Self.handshakeRequest())
        let response = try await client.readUntilClosed()
        #expect(response.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(response.contains("X-Why: closed\r\n"))
        #expect(response.contains("Connection: close\r\n"))
        #expect(response.hasSuffix("\r\n\r\ngo away\n"))
    }

    @Test func aRequestWithAnotherVersionIsAnsweredWith426AndVersion13() async throws {
        let called = LockedValue(false)
        let server = try await RunningServer.start { _ in
            called.withLock { $0 = true }
            return .accept { _ in }
        }
        defer { server.stop() }
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send(Self.handshakeRequest(version: "8"))
        let response = try await client.readUntilClosed()
        #expect(response.hasPrefix("HTTP/1.1 426 "))
        #expect(response.contains("Sec-WebSocket-Version: 13\r\n"))
        #expect(!called.current)
    }

    @Test func theHandlerReturningCloses1000AndThrowingCloses1011() async throws {
        struct Failed: Error {}
        let server = try await RunningServer.start { request in
            .accept { _ in if request.path == "/throw" { throw Failed() } }
        }
        defer { server.stop() }
        let returns = try WebSocketStream(server.url("/return"))
        #expect(try await returns.closed == .init(closeCode: 1000, reason: ""))
        let throwing = try WebSocketStream(server.url("/throw"))
        #expect(try await throwing.closed == .init(closeCode: 1011, reason: ""))
    }

    /// The handshake is answered on the event loop either way: at once when the handler runs
    /// there, after a hop when it runs on the global executor.
    @Test(arguments: [true, false])
    func handlersOnAndOffTheEventLoopAcceptRejectAndClose(_ onEventLoop: Bool) async throws {
        struct Failed: Error {}
        var configuration = WebSocketServer.Configuration()
        configuration.runsHandlersOnEventLoop = onEventLoop
        let server = try await RunningServer.start(configuration) { request in
            switch request.path {
            case "/refuse": return .reject(status: 403)
            case "/throw": return .accept { _ in throw Failed() }
            default:
                return .accept { connection in
                    for try await message in connection.readable { try await connection.writable.write(message) }
                }
            }
        }
        defer { server.stop() }
        let echo = try WebSocketStream(server.url("/echo"))
        try await Self.expectEcho(try await echo.opened)
        let throwing = try WebSocketStream(server.url("/throw"))
        #expect(try await throwing.closed == .init(closeCode: 1011, reason: ""))
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send(Self.handshakeRequest(target: "/refuse"))
        #expect(try await client.readUntilClosed().hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        try await echo.opened.writable.close()
        try await waitUntil { server.server.connectionCount == 0 }
    }

    @Test(arguments: [true, false])
    func ourClientAgainstOurServerWithAndWithoutDeflate(_ deflate: Bool) async throws {
        var configuration = WebSocketServer.Configuration()
        if !deflate { configuration.perMessageDeflate = nil }
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        #expect(opened.extensions.isEmpty == !deflate)
        try await Self.expectEcho(opened)
    }

    @Test func wssWithACertificateFromTheTestCA() async throws {
        let certificates = try TestCertificates.shared()
        var configuration = WebSocketServer.Configuration()
        configuration.tls = .init(certificateChainPEM: certificates.serverCertificateChainPEM(), privateKeyPEM: certificates.serverPrivateKeyPEM)
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.tls.additionalTrustRootsPEM = [certificates.caCertificatePEM]
        let stream = try WebSocketStream(server.url(scheme: "wss"), options: options)
        try await Self.expectEcho(try await stream.opened)
    }

    @Test func aRequiredClientCertificateIsChecked() async throws {
        let certificates = try TestCertificates.shared()
        var configuration = WebSocketServer.Configuration()
        var tls = WebSocketServer.TLS(certificateChainPEM: certificates.serverCertificateChainPEM(), privateKeyPEM: certificates.serverPrivateKeyPEM)
        tls.trustRootsPEM = [certificates.caCertificatePEM]
        tls.requireClientCertificate = true
        configuration.tls = tls
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.tls.additionalTrustRootsPEM = [certificates.caCertificatePEM]
        let without = try WebSocketStream(server.url(scheme: "wss"), options: options)
        await #expect(throws: WebSocketError.self) { _ = try await without.opened }
        options.tls.clientCertificate = (certificates.serverCertificateChainPEM(), certificates.serverPrivateKeyPEM)
        let with = try WebSocketStream(server.url(scheme: "wss"), options: options)
        try await Self.expectEcho(try await with.opened)
    }

    @Test func ipv6Loopback() async throws {
        let server = try await RunningServer.echo(.init(host: "::1", port: 0))
        defer { server.stop() }
        let stream = try WebSocketStream("ws://[::1]:\(server.port)/")
        try await Self.expectEcho(try await stream.opened)
    }

    @Test func gracefulShutdownClosesEveryConnectionWith1001AndRunReturns() async throws {
        let server = try await RunningServer.echo()
        let streams = try (0..<3).map { _ in try WebSocketStream(server.url()) }
        for stream in streams { _ = try await stream.opened }
        try await server.shutDown()
        for stream in streams {
            let closed = try await stream.closed
            #expect(closed == .init(closeCode: 1001, reason: "server shutting down"))
        }
        #expect(server.server.connectionCount == 0)
        await #expect(throws: (any Error).self) { _ = try await RawTCPClient.connect(port: server.port) }
    }

    @Test func shutdownClosesConnectionsWhoseHandlersIgnoreItAfterTheTimeout() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.shutdownTimeout = 0.5
        configuration.closeTimeout = 30  // so that only the shutdown timeout can end it in time
        let server = try await RunningServer.start(configuration) { _ in
            .accept { _ in try await Task.sleep(for: .seconds(60)) }
        }
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send(Self.handshakeRequest())
        _ = try await client.read(through: "\r\n\r\n")
        let started = ContinuousClock.now
        try await server.shutDown()  // the client never answers the 1001 Close
        // Well under the 30 s close timeout, with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(server.server.connectionCount == 0)
    }

    @Test func runRunsOnceAndABindFailureIsThrownFromRunAndListeningAddress() async throws {
        let first = try await RunningServer.echo()
        defer { first.stop() }
        await #expect(throws: WebSocketServer.AlreadyRunning.self) { try await first.server.run() }
        let clash = WebSocketServer(configuration: .init(host: "127.0.0.1", port: first.port)) { _ in .reject(status: 404) }
        await #expect(throws: (any Error).self) { try await clash.run() }
        await #expect(throws: (any Error).self) { _ = try await clash.listeningAddress }
    }

    // MARK: Protection

    @Test func aSlowLorisHandshakeIsDisconnected() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.handshakeTimeout = 1
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        let client = try await RawTCPClient.connect(port: server.port)
        // And nothing more. On a loaded machine the server may already have given up on us.
        try? await client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        // The server closes without answering; with the partial head unread by then, the kernel
        // may reset the connection instead of ending it: either way, no response. A server that
        // kept waiting would make this read time out (and throw) — 10× the handshake timeout,
        // so that a loaded machine's delays do not count.
        let response = try await client.readUntilClosed(timeout: .seconds(10))
        #expect(response == "")
    }

    @Test func aRequestHeadBeyondTheLimitsIsRefusedWith431() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.handshakeLimits = .init(maxHeadBytes: 1024, maxHeaderCount: 16)
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        let client = try await RawTCPClient.connect(port: server.port)
        let padding = (0..<20).map { "X-Padding-\($0): \(String(repeating: "p", count: 60))\r\n" }.joined()
        try await client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + padding + "\r\n")
        #expect(try await client.readUntilClosed().hasPrefix("HTTP/1.1 431 "))
    }

    @Test func aMessageOverMaxMessageSizeFailsTheConnectionWith1009() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.maxMessageSize = 1000
        let received = LockedValue<[WebSocketMessage]>([])
        let server = try await RunningServer.start(configuration) { _ in
            .accept { connection in
                for try await message in connection.readable {
                    received.withLock { $0.append(message) }
                    try await connection.writable.write(message)
                }
            }
        }
        defer { server.stop() }
        var options = WebSocket.Options()
        options.perMessageDeflate = nil
        let stream = try WebSocketStream(server.url(), options: options)
        let opened = try await stream.opened
        try await opened.writable.write(Data(count: 1000))
        // Taken by the handler before the next one fails the connection (which drops what is unread).
        var iterator = opened.readable.makeAsyncIterator()
        #expect(try await iterator.next() == .binary(Data(count: 1000)))
        try await opened.writable.write(Data(count: 1001))
        #expect(try await stream.closed == .init(closeCode: 1009, reason: ""))
        #expect(received.current == [.binary(Data(count: 1000))])
    }

    @Test func aClientStillSendingWhenItsConnectionFailsReadsTheCloseThenTheEnd() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.maxMessageSize = 1000
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        // A masked binary frame announcing 16 MiB, and its payload: the server fails the
        // connection at the header, with far more on its way than socket buffers hold.
        var frame: [UInt8] = [0x82, 0xFF]
        frame += withUnsafeBytes(of: UInt64(16 << 20).bigEndian, Array.init)
        frame += [1, 2, 3, 4] + [UInt8](repeating: 0, count: 16 << 20)
        let port = server.port, body = frame
        // Off the concurrency pool, whose few threads the server's handlers may need.
        let outcome = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try BlockingTCPClient.exchange(port: port, head: Array(Self.handshakeRequest().utf8), body: body)
                })
            }
        }
        // Not a reset that breaks the client's writes (and may discard the Close unread).
        #expect(outcome.writeError == nil)
        #expect(outcome.received == [0x88, 0x02, 0x03, 0xF1])  // Close 1009
        #expect(outcome.readError == nil)
    }

    @Test func keepaliveDropsAClientThatDoesNotAnswerPings() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.keepalive = .enabled(interval: 0.2, timeout: 0.3)
        let closed = LockedValue<Result<WebSocketStream.CloseInfo, any Error>?>(nil)
        let server = try await RunningServer.start(configuration) { _ in
            .accept { connection in
                do { for try await _ in connection.readable {} } catch {}  // the readable throws the same error
                let result: Result<WebSocketStream.CloseInfo, any Error>
                do { result = .success(try await connection.closed) } catch { result = .failure(error) }
                closed.withLock { $0 = result }
            }
        }
        defer { server.stop() }
        // A client that completes the handshake and then never answers anything.
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send(Self.handshakeRequest())
        _ = try await client.read(through: "\r\n\r\n")
        try await waitUntil { closed.current != nil }
        guard case .failure(let error as WebSocketError)? = closed.current else {
            Issue.record("closed: \(String(describing: closed.current))")
            return
        }
        #expect(error.closeCode == 1006)
    }

    @Test func connectionsBeyondMaxConnectionsAreClosedAtOnce() async throws {
        var configuration = WebSocketServer.Configuration()
        configuration.maxConnections = 2
        let server = try await RunningServer.echo(configuration)
        defer { server.stop() }
        let first = try WebSocketStream(server.url())
        let second = try WebSocketStream(server.url())
        _ = try await first.opened
        _ = try await second.opened
        let third = try WebSocketStream(server.url())
        await #expect(throws: WebSocketError.self) { _ = try await third.opened }
        try first.close()
        _ = try await first.closed
        try await waitUntil { server.server.connectionCount == 1 }
        let fourth = try WebSocketStream(server.url())
        _ = try await fourth.opened
    }

    @Test func aClientThatNeverReadsCannotMakeTheServerBufferBeyondItsLimit() async throws {
        let written = LockedValue(0)
        var configuration = WebSocketServer.Configuration()
        configuration.perMessageDeflate = nil
        let server = try await RunningServer.start(configuration) { _ in
            .accept { connection in
                let message = Data(count: 1 << 20)
                for _ in 0..<16 {
                    try await connection.writable.write(message)
                    written.withLock { $0 += 1 }
                }
            }
        }
        defer { server.stop() }
        // A client that completes the handshake and then reads nothing for 1.5 s.
        let script = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                      b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n")
            time.sleep(1.5)
            print("done")
            """
        _ = try await UnixSocketServerTests.runPython(script, arguments: ["\(server.port)"])
        // Whatever the kernel holds (a few MiB at most) plus one write waiting in the library.
        #expect(written.current < 8, "\(written.current) MiB written to a client that read nothing")
    }

    @Test func aThousandConcurrentConnectionsOpenAndCloseWithNoneLeft() async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let stream = try WebSocketStream(server.url())
                    let opened = try await stream.opened
                    try await opened.writable.write("\(index)")
                    var iterator = opened.readable.makeAsyncIterator()
                    guard try await iterator.next() == .text("\(index)") else { throw WaitTimedOut() }
                    try await opened.writable.close()
                }
            }
            try await group.waitForAll()
        }
        try await waitUntil { server.server.connectionCount == 0 }
    }

    // MARK: Helpers

    static func handshakeRequest(version: String = "13", target: String = "/echo") -> String {
        "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: \(version)\r\n\r\n"
    }

    /// Text and binary, small and large, come back byte for byte; then a clean close.
    static func expectEcho(_ opened: WebSocketStream.OpenInfo) async throws {
        let large = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var iterator = opened.readable.makeAsyncIterator()
        for message: WebSocketMessage in [.text("κόσμε"), .binary(Data()), .binary(large), .text(String(repeating: "ab", count: 40_000))] {
            try await opened.writable.write(message)
            #expect(try await iterator.next() == message)
        }
        try await opened.writable.close()
    }
}

/// The server as a swift-service-lifecycle service, and our browser-API client against it.
@Suite("WebSocketServer in a service group, with WebSocket")
struct WebSocketServerServiceTests {
    @Test func theServiceGroupsGracefulShutdownCloses1001AndRunReturns() async throws {
        let server = WebSocketServer { _ in .accept(handler: { connection in for try await _ in connection.readable {} }) }
        let group = ServiceGroup(services: [server], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let running = Task { try await group.run() }
        let address = try await server.listeningAddress
        let stream = try WebSocketStream("ws://127.0.0.1:\(address.port ?? 0)/")
        _ = try await stream.opened
        await group.triggerGracefulShutdown()
        #expect(try await stream.closed == .init(closeCode: 1001, reason: "server shutting down"))
        try await running.value
        #expect(server.connectionCount == 0)
    }

    @Test(arguments: [(deflate: true, tls: false), (deflate: false, tls: false), (deflate: true, tls: true)])
    func theBrowserAPIAgainstOurServer(_ setup: (deflate: Bool, tls: Bool)) async throws {
        let certificates = try TestCertificates.shared()
        var configuration = WebSocketServer.Configuration()
        if !setup.deflate { configuration.perMessageDeflate = nil }
        if setup.tls {
            configuration.tls = .init(certificateChainPEM: certificates.serverCertificateChainPEM(), privateKeyPEM: certificates.serverPrivateKeyPEM)
        }
        let server = try await RunningServer.echo(configuration, protocols: ["chat"])
        defer { server.stop() }
        var options = WebSocket.Options()
        options.tls.additionalTrustRootsPEM = [certificates.caCertificatePEM]
        let recorder = try SocketRecorder(server.url("/", scheme: setup.tls ? "wss" : "ws"), protocols: ["chat"], options: options)
        try await recorder.waitForOpen()
        let large = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0) })
        try recorder.onQueue {
            recorder.socket.binaryType = .arraybuffer
            try recorder.socket.send("κόσμε")
            try recorder.socket.send(large)
        }
        let origin = "\(setup.tls ? "wss" : "ws")://127.0.0.1:\(server.port)"
        let echoed = try await recorder.waitUntil { $0.count == 3 }
        #expect(echoed == [
            .open(protocol: "chat", extensions: setup.deflate ? "permessage-deflate" : "", readyState: .open),
            .message(.text("κόσμε"), origin: origin), .message(.arrayBuffer(large), origin: origin),
        ])
        try recorder.onQueue { try recorder.socket.close(code: 4000, reason: "bye") }
        let events = try await recorder.waitForClose()
        #expect(events.last == .close(code: 4000, reason: "bye", wasClean: true, readyState: .closed))
    }
}
