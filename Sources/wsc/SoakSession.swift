import Foundation
import WebSockets

/// One connection of a `wsc soak` slot, from open to close: it sends a random number of
/// messages of random kinds and sizes while reading their echoes, verifies every echo, then
/// closes with a random code and reason and checks that the server answered with the same.
struct SoakSession: Sendable {
    let url: String
    let api: Bench.API
    let deflate: Bool
    let settings: Soak.Settings
    let tally: SoakTally

    /// How long a session may take before it is aborted and what it still waits for is lost.
    static let timeout = Duration.seconds(120)

    func run() async {
        var options = WebSocket.Options()
        options.perMessageDeflate = deflate ? PerMessageDeflate.Configuration() : nil
        options.maxMessageSize = max(options.maxMessageSize, SoakMessage.headerSize + settings.maxSize)
        let peer: any SoakPeer
        do {
            peer = switch api {
            case .stream: try await StreamSoakPeer.open(url, options: options)
            case .websocket: try await SocketSoakPeer.open(url, options: options)
            }
        } catch {
            tally.update { $0.connectFailures += 1 }
            return tally.failed("\(api) connection did not open: \(error)")
        }
        tally.opened(api: api.rawValue, deflate: !peer.extensions.isEmpty)
        defer { tally.ended() }

        let plan = (0..<Int.random(in: 1...settings.maxMessages)).map { _ in
            (size: randomSize(), text: Bool.random())
        }
        let watchdog = Task {
            try await Task.sleep(for: Self.timeout)
            tally.failed("a session overran \(Self.timeout)")
            peer.abort()
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await write(plan, to: peer) }
            group.addTask { await read(plan, from: peer) }
        }
        watchdog.cancel()
        await close(peer)
    }

    private func write(_ plan: [(size: Int, text: Bool)], to peer: any SoakPeer) async {
        for (number, message) in plan.enumerated() {
            do {
                try await peer.send(SoakMessage.make(sequenceNumber: UInt64(number), size: message.size, text: message.text))
            } catch {
                return tally.failed("sending message \(number): \(error)")
            }
            tally.update {
                $0.sent += 1
                $0.bytesSent += UInt64(SoakMessage.actualSize(message.size, text: message.text))
            }
            if settings.maxPause > .zero {
                try? await Task.sleep(for: settings.maxPause * Double.random(in: 0...1))
            }
        }
    }

    private func read(_ plan: [(size: Int, text: Bool)], from peer: any SoakPeer) async {
        for (number, expected) in plan.enumerated() {
            let message: WebSocketMessage?
            do {
                message = try await peer.receive()
            } catch {
                message = nil
                tally.failed("reading echo \(number): \(error)")
            }
            guard let message else {
                let lost = plan.count - number
                tally.update { $0.lost += UInt64(lost) }
                return tally.failed("\(lost) echo(es) lost: the connection ended")
            }
            do {
                let echo = try SoakMessage.verify(message, sequenceNumber: UInt64(number), size: expected.size, text: expected.text)
                tally.verified(roundTripNanoseconds: BenchClock.now() &- echo.sentAt)
            } catch {
                tally.update { $0.corrupted += 1 }
                tally.failed("\(error)")
            }
        }
    }

    private func close(_ peer: any SoakPeer) async {
        // The codes the client APIs may send (WHATWG WebSockets §3.1 close(); 1001 is the
        // Python clients' to send).
        let code = [1000, UInt16.random(in: 3000...3999), UInt16.random(in: 4000...4999)].randomElement()!
        let reason = "soak \(UInt32.random(in: 0...UInt32.max))"
        do {
            let answer = try await peer.close(code: code, reason: reason)
            guard answer.code == code, answer.reason == reason else {
                tally.update { $0.unexpectedCloses += 1 }
                return tally.failed("closed with \(code) \"\(reason)\", answered with \(answer.code) \"\(answer.reason)\"")
            }
            let group = code >= 3000 ? "\(code / 1000)000-\(code / 1000)999" : "\(code)"
            tally.update { $0.closeCodes[group, default: 0] += 1 }
        } catch {
            tally.update { $0.unexpectedCloses += 1 }
            tally.failed("closing with \(code): \(error)")
        }
    }

    /// Mostly small messages, some medium, a few up to the largest size.
    private func randomSize() -> Int {
        switch Int.random(in: 0..<100) {
        case 0..<70: Int.random(in: 0...1024)
        case 70..<95: Int.random(in: 1024...(64 << 10))
        default: Int.random(in: (64 << 10)...max(64 << 10, settings.maxSize))
        }
    }
}
