import Foundation
import NIOCore

/// What a running ``WebSocketServer`` shares between its event loops and its tasks, under one
/// lock: the listening address, the connections alive, and the shutdown.
final class ServerState: @unchecked Sendable {
    // `@unchecked`: every stored property is touched under `lock` only.
    private struct Live {
        let channel: any Channel
        var connection: WebSocketConnection?
    }

    private let lock = NSLock()
    private var started = false
    private var shuttingDown = false
    private var serverChannel: (any Channel)?
    private var address: Result<SocketAddress, any Error>?
    private var addressWaiters: [CheckedContinuation<SocketAddress, any Error>] = []
    private var live: [ObjectIdentifier: Live] = [:]
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    /// `run()` runs once: `false` the second time.
    func start() -> Bool {
        lock.withLock {
            defer { started = true }
            return !started
        }
    }

    // MARK: The address

    func listening(on channel: any Channel, address: SocketAddress) {
        let waiters = lock.withLock {
            serverChannel = channel
            self.address = .success(address)
            defer { addressWaiters = [] }
            return addressWaiters
        }
        for waiter in waiters { waiter.resume(returning: address) }
    }

    func bindFailed(_ error: any Error) {
        let waiters = lock.withLock {
            address = .failure(error)
            defer { addressWaiters = [] }
            return addressWaiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    var listeningAddress: SocketAddress {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let known: Result<SocketAddress, any Error>? = lock.withLock {
                    if address == nil { addressWaiters.append(continuation) }
                    return address
                }
                if let known { continuation.resume(with: known) }
            }
        }
    }

    // MARK: Connections

    /// Counts a new TCP connection; `false` when the server is at `maxConnections` or shutting down.
    func admit(_ channel: any Channel, maxConnections: Int) -> Bool {
        let admitted = lock.withLock {
            guard !shuttingDown, live.count < maxConnections else { return false }
            live[ObjectIdentifier(channel)] = Live(channel: channel)
            return true
        }
        if admitted { channel.closeFuture.whenComplete { _ in self.remove(channel) } }
        return admitted
    }

    /// Records the accepted connection so that shutdown can close it with 1001; `false` when
    /// shutdown already began (the caller closes it then). A connection whose channel already
    /// closed has nothing to record.
    func attach(_ connection: WebSocketConnection, to channel: any Channel) -> Bool {
        lock.withLock {
            guard !shuttingDown else { return false }
            live[ObjectIdentifier(channel)]?.connection = connection
            return true
        }
    }

    private func remove(_ channel: any Channel) {
        let waiters: [CheckedContinuation<Void, Never>] = lock.withLock {
            live[ObjectIdentifier(channel)] = nil
            guard live.isEmpty else { return [] }
            defer { drainWaiters = [] }
            return drainWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Connections alive now (TCP accepted and not yet closed).
    var liveConnectionCount: Int { lock.withLock { live.count } }

    // MARK: Shutdown

    /// Stops accepting and starts closing every connection: 1001 for the established ones, TCP
    /// for those still in their handshake. Only the first call does anything.
    func beginShutdown() {
        let (serverChannel, connections): ((any Channel)?, [Live]) = lock.withLock {
            guard !shuttingDown else { return (nil, []) }
            shuttingDown = true
            return (self.serverChannel, Array(live.values))
        }
        serverChannel?.close(promise: nil)
        for entry in connections {
            if let connection = entry.connection {
                connection.close(WebSocketServer.shuttingDown)
            } else {
                entry.channel.close(promise: nil)
            }
        }
    }

    /// Waits until every connection is closed; those still open after `timeout` are closed then.
    func drain(timeout: TimeInterval, on eventLoop: any EventLoop) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let empty = lock.withLock {
                if !live.isEmpty { drainWaiters.append(continuation) }
                return live.isEmpty
            }
            if empty { return continuation.resume() }
            eventLoop.scheduleTask(in: .timeInterval(timeout)) {
                // Their closing resumes the waiters (`remove`), as for those that closed in time.
                let remaining = self.lock.withLock { Array(self.live.values) }
                for entry in remaining { entry.channel.close(promise: nil) }
            }
        }
    }
}
