extension WebSocketStream {
    /// The messages that arrive, in order, as an `AsyncSequence` (the proposal's readable stream).
    ///
    /// Iteration ends after a clean close, once the messages that arrived before it are read;
    /// after an unclean one it throws the ``WebSocketError``. Iterators share one queue: each
    /// message goes to exactly one of them, so a second iterator takes turns with the first.
    /// Cancelling the task waiting in `next()` ends that wait with `CancellationError`; the
    /// connection stays open and the next message goes to the next call.
    public struct Readable: AsyncSequence, Sendable, Hashable {
        public typealias Element = WebSocketMessage

        let endpoint: StreamEndpoint

        init(_ endpoint: StreamEndpoint) {
            self.endpoint = endpoint
        }

        public func makeAsyncIterator() -> Iterator {
            Iterator(endpoint: endpoint)
        }

        /// The proposal's cancel: closes the connection, with the reason's code and reason when
        /// it is given, else with a Close frame without a body; the readable ends and messages not
        /// yet read are dropped. It does not wait.
        public func cancel(_ reason: WebSocketError? = nil) {
            endpoint.cancelReadable(reason)
        }

        /// Reads the messages one at a time.
        public struct Iterator: AsyncIteratorProtocol {
            let endpoint: StreamEndpoint

            public mutating func next() async throws -> WebSocketMessage? {
                try await endpoint.next()
            }

            // What `for try await` calls: its own, not the default that forwards to `next()`,
            // so that a waiting reader keeps one async frame fewer.
            public mutating func next(isolation actor: isolated (any Actor)?) async throws -> WebSocketMessage? {
                try await endpoint.next()
            }
        }

        public static func == (lhs: Readable, rhs: Readable) -> Bool { lhs.endpoint === rhs.endpoint }
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(endpoint)) }
    }
}
