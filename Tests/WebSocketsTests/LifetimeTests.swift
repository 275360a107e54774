import Foundation
import Testing
@testable import WebSockets

/// WHATWG WebSockets §7 "Garbage collection", mapped to ARC.
@Suite("Lifetime (§7)")
struct LifetimeTests {
    @Test func anOpenSocketDroppedWithoutListenersStartsTheClosingHandshakeWithNoCode() async throws {
        let server = try await TestServer.start(.echo)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.eventQueue = DispatchQueue(label: "lifetime")
        weak var weakSocket: WebSocket?
        do {
            let socket = try WebSocket(server.url(), options: options)
            weakSocket = socket
            _ = try await server.waitForConnection { $0.opened }
            try await Task.sleep(for: .milliseconds(50))  // let the open task run
        }
        let record = try await server.waitForClose()
        #expect(record.closeFrame == CloseFrame(code: nil))
        let released = ContinuousClock.now + .seconds(10)
        while weakSocket != nil, ContinuousClock.now < released { try await Task.sleep(for: .milliseconds(10)) }
        #expect(weakSocket == nil)
    }

    @Test func aSocketWithListenersKeepsItselfAliveUntilClosed() async throws {
        let server = try await TestServer.start(.close(afterMessages: 1, code: 1000, reason: "", echo: true))
        defer { server.stop() }
        let seen = LockedValue<[String]>([])
        weak var weakSocket: WebSocket?
        let queue = DispatchQueue(label: "lifetime")
        var options = WebSocket.Options()
        options.eventQueue = queue
        let url = server.url()
        queue.sync {
            let socket = try! WebSocket(url, options: options)
            weakSocket = socket
            socket.onopen = { _ in seen.withLock { $0.append("open") } }
            socket.addEventListener("open") { event in
                // Listeners that capture the socket must not keep it alive forever.
                (event as Event?).map { _ in try? socket.send("ping") }
            }
            socket.onmessage = { _ in seen.withLock { $0.append("message") } }
            socket.onclose = { event in seen.withLock { $0.append("close \(event.code)") } }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while !seen.current.contains("close 1000"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(seen.current == ["open", "message", "close 1000"])
        // Released once the closed task has finished and no other task holds it.
        let released = ContinuousClock.now + .seconds(10)
        while weakSocket != nil, ContinuousClock.now < released {
            queue.sync {}
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(weakSocket == nil)
    }

    @Test func dropppingAConnectingSocketWithoutListenersFailsIt() async throws {
        let server = try await TestServer.start(.neverRespond)
        defer { server.stop() }
        var options = WebSocket.Options()
        options.eventQueue = DispatchQueue(label: "lifetime")
        do {
            _ = try WebSocket(server.url(), options: options)
        }
        #expect(try await server.waitForClose().isClosed)
    }
}
