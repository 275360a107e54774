import NIOCore
import NIOPosix
import Testing
import WebSocketCore
@testable import WebSockets

/// The driver lives as long as its channel's pipeline holds it, and no longer: once TCP
/// closes, the engine, its buffers and whatever its reports reach (the stream endpoint, the
/// client transport) are released. The soak found them kept forever, one set per connection.
@Suite("ConnectionDriver lifetime")
struct ConnectionDriverLifetimeTests {
    @Test func aDriverIsReleasedOnceItsChannelClosed() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: listener.localAddress!).get()
        let watched = try await channel.eventLoop.submit {
            let driver = ConnectionDriver(
                connection: Connection(role: .client),
                timing: .init(closeTimeout: .seconds(5), keepalive: .disabled, idleTimeout: nil),
                eventLoop: channel.eventLoop
            ) { _ in }
            try channel.pipeline.syncOperations.addHandler(driver)
            driver.start(leftover: ByteBuffer())
            return WeakDriver(driver)
        }.get()
        try await channel.close()
        // The pipeline lets its handlers go on the event loop, after the close.
        try await channel.eventLoop.submit {}.get()
        #expect(watched.driver == nil)
    }
}

/// A driver watched without being kept.
private final class WeakDriver: @unchecked Sendable {
    // `@unchecked`: set once in `init`; only read afterwards.
    weak var driver: ConnectionDriver?
    init(_ driver: ConnectionDriver) { self.driver = driver }
}
