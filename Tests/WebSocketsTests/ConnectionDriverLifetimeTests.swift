import NIOCore
import NIOEmbedded
import Testing
import WebSocketCore
@testable import WebSockets

/// Once its connection has closed, nothing keeps a connection's driver alive: not the channel
/// handler context it was added with, not the object that receives its events and holds it.
/// Both once did, so every closed connection kept its driver and engine for good.
@Suite("Connection driver lifetime")
struct ConnectionDriverLifetimeTests {
    /// Receives the driver's events and holds the driver, as a stream's endpoint or a
    /// client's transport does.
    private final class EventReceiver {
        var driver: ConnectionDriver?
        var events: [String] = []
    }

    @Test(arguments: [Role.client, .server])
    func aClosedConnectionsDriverIsReleased(_ role: Role) throws {
        let channel = EmbeddedChannel()
        weak var weakDriver: ConnectionDriver?
        weak var weakReceiver: EventReceiver?
        do {
            let receiver = EventReceiver()
            let driver = ConnectionDriver(
                connection: Connection(role: role, maxMessageSize: 1 << 20, maxFragmentsPerMessage: 16, perMessageDeflate: nil, compression: nil),
                timing: .init(closeTimeout: .seconds(5), keepalive: .enabled(interval: 30, timeout: 30), idleTimeout: .seconds(60)),
                eventLoop: channel.eventLoop
            ) { event in
                if case .closed = event { receiver.events.append("closed") }
            }
            receiver.driver = driver
            (weakDriver, weakReceiver) = (driver, receiver)
            try channel.pipeline.syncOperations.addHandler(driver)
            driver.start(leftover: ByteBuffer())
            try channel.close().wait()
            channel.embeddedEventLoop.run()  // the pipeline lets its handlers go in a later task
            #expect(receiver.events == ["closed"])
        }
        #expect(weakDriver == nil)
        #expect(weakReceiver == nil)
    }
}
