import Foundation
import Testing
@testable import WebSockets

/// `WebSocket` against servers nobody here wrote: python-websockets (PyPI) and Node's `ws`
/// (Debian `node-ws`), installed by `scripts/install-peers` and started by each test.
@Suite("Interop with real servers", .serialized)
struct InteropTests {
    @Test(arguments: PeerProcess.Kind.allCases)
    func echoOfTextBinaryEmptyAndSixteenMebibytes(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let recorder = try SocketRecorder(peer.url("/echo"))
        try await recorder.waitForOpen()
        recorder.socket.binaryType = .arraybuffer
        let large = Data((0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try recorder.onQueue {
            try recorder.socket.send("héllo wörld 😀")
            try recorder.socket.send(Data([0, 1, 2, 255]))
            try recorder.socket.send("")
            try recorder.socket.send(Data())
            try recorder.socket.send(large)
        }
        let events = try await recorder.waitUntil(timeout: .seconds(60)) { $0.count == 6 }
        let origin = "ws://127.0.0.1:\(peer.port)"
        #expect(Array(events.dropFirst()) == [
            .message(.text("héllo wörld 😀"), origin: origin), .message(.arrayBuffer(Data([0, 1, 2, 255])), origin: origin),
            .message(.text(""), origin: origin), .message(.arrayBuffer(Data()), origin: origin),
            .message(.arrayBuffer(large), origin: origin),
        ])
        try recorder.onQueue { try recorder.socket.close(code: 1000, reason: "thanks") }
        #expect(try await recorder.waitForClose().last == .close(code: 1000, reason: "", wasClean: true, readyState: .closed)
            || recorder.events.last == .close(code: 1000, reason: "thanks", wasClean: true, readyState: .closed))
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func theServerClosesWithCodeAndReason(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let recorder = try SocketRecorder(peer.url("/close?code=4001&reason=bye&after=0"))
        let events = try await recorder.waitForClose()
        #expect(events == [.open(protocol: "", extensions: recorder.socket.extensions, readyState: .open),
                           .close(code: 4001, reason: "bye", wasClean: true, readyState: .closed)])
        #expect(recorder.socket.failure == nil)
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func theServerSelectsASubprotocol(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind, subprotocols: ["chat.v2", "chat.v1"])
        defer { peer.stop() }
        let recorder = try SocketRecorder(peer.url("/echo"), protocols: ["chat.v1", "chat.v2"])
        try await recorder.waitForOpen()
        #expect(recorder.socket.protocol == "chat.v2")
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func aRefusalWith403FailsTheConnection(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind)
        defer { peer.stop() }
        let recorder = try SocketRecorder(peer.url("/reject403"))
        #expect(try await recorder.waitForClose() == SocketRecorder.failed)
        guard case .handshakeFailed(.unexpectedStatus(code: 403, _)) = recorder.socket.failure else {
            Issue.record("expected a 403 refusal, got \(String(describing: recorder.socket.failure))")
            return
        }
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func wssWithACertificateGeneratedAtTestTime(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind, tls: true)
        defer { peer.stop() }
        var options = WebSocket.Options()
        options.tls.additionalTrustRootsPEM = [try TestCertificates.shared().caCertificatePEM]
        let recorder = try SocketRecorder(peer.url("/echo"), options: options)
        try await recorder.waitForOpen()
        try recorder.onQueue { try recorder.socket.send("secure") }
        let events = try await recorder.waitUntil { $0.count == 2 }
        #expect(events.last == .message(.text("secure"), origin: "wss://localhost:\(peer.port)"))
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func compressedEchoFromEmptyToSixteenMebibytes(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind, compression: "deflate")
        defer { peer.stop() }
        let recorder = try SocketRecorder(peer.url("/echo"))
        try await recorder.waitForOpen()
        #expect(recorder.socket.extensions.hasPrefix("permessage-deflate"), "\(recorder.socket.extensions)")
        recorder.socket.binaryType = .arraybuffer
        var random = SystemRandomNumberGenerator()
        let sizes = [0, 1, 125, 126, 65_535, 65_536, 1 << 20, 16 << 20]
        // Half compressible text-like bytes, half random: both directions of deflate at work.
        let payloads = sizes.map { size in
            Data((0..<size).map { $0 % 2 == 0 ? UInt8(truncatingIfNeeded: $0 / 64) : UInt8.random(in: 0...255, using: &random) })
        }
        let text = String(repeating: "compressible text ", count: 5000)
        try recorder.onQueue {
            for payload in payloads { try recorder.socket.send(payload) }
            try recorder.socket.send(text)
        }
        let events = try await recorder.waitUntil(timeout: .seconds(90)) { $0.count == payloads.count + 2 }
        let origin = "ws://127.0.0.1:\(peer.port)"
        #expect(Array(events.dropFirst()) == payloads.map { .message(.arrayBuffer($0), origin: origin) } + [.message(.text(text), origin: origin)])
    }

    @Test(arguments: PeerProcess.Kind.allCases)
    func tenThousandSmallMessagesWithContextTakeover(_ kind: PeerProcess.Kind) async throws {
        let peer = try await PeerProcess.start(kind, compression: "deflate")
        defer { peer.stop() }
        let recorder = try SocketRecorder(peer.url("/echo"))
        try await recorder.waitForOpen()
        #expect(recorder.socket.extensions.hasPrefix("permessage-deflate"))
        try recorder.onQueue { for index in 0..<10_000 { try recorder.socket.send("message number \(index)") } }
        let events = try await recorder.waitUntil(timeout: .seconds(90)) { $0.count == 10_001 }
        let origin = "ws://127.0.0.1:\(peer.port)"
        #expect(Array(events.dropFirst()) == (0..<10_000).map { .message(.text("message number \($0)"), origin: origin) })
    }

    /// The client's permessage-deflate offers that python-websockets and ws accept, one per case.
    static let deflateOffers: [(String, @Sendable (inout PerMessageDeflate.Configuration) -> Void)] = [
        ("no context takeover either way", { $0.serverNoContextTakeover = true; $0.clientNoContextTakeover = true }),
        ("server_no_context_takeover", { $0.serverNoContextTakeover = true }),
        ("client_no_context_takeover", { $0.clientNoContextTakeover = true }),
        ("server_max_window_bits=10", { $0.serverMaxWindowBits = 10 }),
        ("client_max_window_bits=9", { $0.clientMaxWindowBits = 9 }),
        ("no client_max_window_bits", { $0.offersClientMaxWindowBits = false }),
        ("level 9, memory level 9", { $0.compressionLevel = 9; $0.memoryLevel = 9 }),
    ]

    @Test(arguments: PeerProcess.Kind.allCases, deflateOffers.indices)
    func eachDeflateParameterAgainstTheServer(_ kind: PeerProcess.Kind, _ index: Int) async throws {
        let (name, configure) = Self.deflateOffers[index]
        let peer = try await PeerProcess.start(kind, compression: "deflate")
        defer { peer.stop() }
        var options = WebSocket.Options()
        var deflate = PerMessageDeflate.Configuration()
        configure(&deflate)
        options.perMessageDeflate = deflate
        let recorder = try SocketRecorder(peer.url("/echo"), options: options)
        try await recorder.waitForOpen()
        #expect(recorder.socket.extensions.hasPrefix("permessage-deflate"), "\(name): \(recorder.socket.extensions)")
        let messages = (0..<50).map { String(repeating: "round \($0) ", count: $0 * 20) }
        try recorder.onQueue { for message in messages { try recorder.socket.send(message) } }
        let events = try await recorder.waitUntil(timeout: .seconds(60)) { $0.count == messages.count + 1 }
        let origin = "ws://127.0.0.1:\(peer.port)"
        #expect(Array(events.dropFirst()) == messages.map { .message(.text($0), origin: origin) }, "\(name)")
    }
}
