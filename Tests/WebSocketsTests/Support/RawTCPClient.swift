import NIOCore
import NIOPosix

/// A plain TCP client to 127.0.0.1 that writes and reads bytes as they are, for tests that
/// check the wire itself. Every read is bounded in time.
///
/// Not `Sendable`: use one client from one task.
final class RawTCPClient {
    private let channel: any Channel
    private var inbound: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator

    private init(channel: any Channel, inbound: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator) {
        self.channel = channel
        self.inbound = inbound
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects to `port` on 127.0.0.1.
    static func connect(port: Int, address: String = "127.0.0.1") async throws -> RawTCPClient {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboundStreamHandler(continuation))
                }
            }
            .connect(host: address, port: port)
            .get()
        return RawTCPClient(channel: channel, inbound: stream.makeAsyncIterator())
    }

    /// Writes `bytes` and flushes.
    func send(_ bytes: ByteBuffer) async throws {
        try await channel.writeAndFlush(bytes).get()
    }

    /// Writes `text`'s UTF-8 bytes and flushes.
    func send(_ text: String) async throws {
        try await send(ByteBuffer(string: text))
    }

    /// The next bytes read, or `nil` once the connection is closed.
    ///
    /// - Throws: ``EngineTestClientError/timedOut(_:)`` if nothing arrives in time (the
    ///   connection is then closed).
    func read(timeout: Duration = .seconds(10)) async throws -> ByteBuffer? {
        let watchdog = ChannelWatchdog(channel: channel, timeout: timeout)
        defer { watchdog.cancel() }
        let bytes = try? await inbound.next()
        if bytes == nil, watchdog.fired { throw EngineTestClientError.timedOut("raw read") }
        return bytes
    }

    /// Reads until at least `count` bytes arrived in total (or the connection closed), and
    /// returns them.
    func read(atLeast count: Int, timeout: Duration = .seconds(10)) async throws -> ByteBuffer {
        let deadline = ContinuousClock.now + timeout
        var collected = ByteBuffer()
        while collected.readableBytes < count, var bytes = try await read(timeout: deadline - ContinuousClock.now) {
            collected.writeBuffer(&bytes)
        }
        return collected
    }

    /// Reads until the bytes read contain `marker` (or the connection closed), and returns them.
    func read(through marker: String, timeout: Duration = .seconds(10)) async throws -> ByteBuffer {
        let deadline = ContinuousClock.now + timeout
        var collected = ByteBuffer()
        while !String(buffer: collected).contains(marker),
            var bytes = try await read(timeout: deadline - ContinuousClock.now)
        {
            collected.writeBuffer(&bytes)
        }
        return collected
    }

    /// Reads everything until the peer closes the connection, as text (invalid UTF-8 repaired).
    func readUntilClosed(timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var collected = ByteBuffer()
        while var bytes = try await read(timeout: deadline - ContinuousClock.now) {
            collected.writeBuffer(&bytes)
        }
        return String(buffer: collected)
    }

    /// Closes the connection.
    func close() {
        channel.close(promise: nil)
    }
}
