import ArgumentParser
import Foundation  // URL
import NIOCore
import NIOPosix
import PeerBench

/// `nio-floor-bench-client URL --connections 1 …`: the floor for the client workloads on
/// SwiftNIO. Not a general WebSocket client.
///
/// Why: the client figures (CPU per message, per MB, per connection) of a NIO-based client, ours
/// included, contain what SwiftNIO itself costs: the event loop, the connect, the reads and
/// writes, the buffers, the pipeline. This client spends only that, plus the least WebSocket work
/// a correct client must do: one handler per connection on one event loop (no HTTP codec, no
/// WebSocket library), the handshake checked against the known accept value, every frame masked
/// with a fresh key as it is copied into the one buffer written and flushed per read batch,
/// echoes checked by kind and size with their payloads skipped where they lie. Whatever a NIO
/// client spends above it is its own; the C floor (`floor_client.c`) shows what is left without
/// NIO.
///
/// What it leaves out, that a correct client may not: extensions (no `--deflate`), UTF-8
/// validation of text, a random `Sec-WebSocket-Key` (a fixed one, so no SHA-1 per connection),
/// a strong random source for masking keys (xorshift), and more than one connection
/// (`--connections` other than 1, and `--deflate`, exit 2).
///
/// It follows the load client contract of `Benchmarks/EndToEnd/README.md` for one connection,
/// counting as the other peer clients do (`PeerBench`). bench.py runs it as the client
/// "floor (SwiftNIO)" beside "floor (C, raw TCP)" in the client workloads, and reports it
/// unsupported for the others.
@main
struct NIOFloorBenchClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nio-floor-bench-client",
        abstract: "Load an echo server with the least a SwiftNIO client must do and print one JSON line of results.")

    @OptionGroup var options: LoadOptions

    func run() async throws {
        guard options.connections == 1, !options.deflate else {
            Output.note("error: the floor client has one connection and no permessage-deflate")
            throw ExitCode(2)
        }
        guard let url = URL(string: options.url), url.scheme == "ws", let host = url.host, let port = url.port else {
            Output.note("error: \(options.url): expected ws://HOST:PORT/PATH")
            throw ExitCode(2)
        }
        let address: SocketAddress
        do {
            address = try SocketAddress.makeAddressResolvingHost(host, port: port)  // once, not per connection
        } catch {
            Output.note("error: \(host): \(error)")
            throw ExitCode.failure
        }
        let request = ByteBuffer(
            string: "GET \(url.path.isEmpty ? "/" : url.path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(FloorClientHandler.key)\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let keys = MaskKeys()

        guard !options.churn else {
            return try await churn(loop: loop, address: address, request: request, keys: keys)
        }
        let run = LoadRun(options: options)
        try await run.run {
            let handler = FloorClientHandler(request: request, keys: keys, load: .init(run: run, loop: loop))
            _ = try await ClientBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
                }
                .connect(to: address).get()
            try await handler.opened()
            return handler
        }
    }

    /// Counts as `LoadRun.churn` does, but the connections follow one another on the event loop.
    private func churn(loop: any EventLoop, address: SocketAddress, request: ByteBuffer, keys: MaskKeys) async throws {
        let tally = Tally()
        tally.setRecording(true)
        let start = Sample.now(tally)
        let churn = Churn(
            loop: loop, address: address, request: request, keys: keys, tally: tally,
            deadline: start.time + UInt64(options.duration * 1e9))
        loop.execute { churn.next() }
        guard await churn.ended.wait(seconds: options.duration + LoadRun.drainSeconds), let end = churn.end else {
            Output.note("error: a connection's opening or closing handshake did not finish")
            throw ExitCode.failure
        }
        Output.line(try Report(start: start, end: end, roundTrips: tally.roundTrips).jsonLine())
        if let failure = churn.failure {
            Output.note("error: \(failure)")
            throw ExitCode.failure
        }
    }
}

/// Connection churn on one event loop: when a connection's channel has closed, its open and
/// close are recorded and the next connection starts from there, so that the whole run stays on
/// the loop; the main task only waits for `ended`.
final class Churn: @unchecked Sendable {
    // `@unchecked`: the `var`s are touched only on the event loop until `ended` opens.
    private let bootstrap: ClientBootstrap
    private let address: SocketAddress
    private let tally: Tally
    private let deadline: UInt64
    let ended = Gate()
    private(set) var end: Sample?
    private(set) var failure: String?

    init(loop: any EventLoop, address: SocketAddress, request: ByteBuffer, keys: MaskKeys, tally: Tally, deadline: UInt64) {
        bootstrap = ClientBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(FloorClientHandler(request: request, keys: keys, load: nil))
            }
        }
        (self.address, self.tally, self.deadline) = (address, tally, deadline)
    }

    func next() {
        let started = MonotonicClock.now()
        bootstrap.connect(to: address).whenComplete { result in
            switch result {
            case .failure(let error):
                self.finish("could not connect: \(error)")
            case .success(let channel):
                guard let handler = try? channel.pipeline.syncOperations.handler(type: FloorClientHandler.self) else {
                    return self.finish("the connection closed as it opened")
                }
                channel.closeFuture.whenComplete { _ in
                    if let failure = handler.failure { return self.finish(failure) }
                    self.tally.record(roundTripNanoseconds: MonotonicClock.now() &- started, bytes: 0)
                    if MonotonicClock.now() < self.deadline { self.next() } else { self.finish(nil) }
                }
            }
        }
    }

    private func finish(_ failure: String?) {
        (self.failure, end) = (failure, Sample.now(tally))
        ended.open()
    }
}
