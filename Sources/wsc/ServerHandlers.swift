import WebSockets

/// What `wsc serve` (and `wsc demo`) do with each connection.
enum ServerHandlers {
    /// Sends every message back as it came.
    // A closure rather than a function: handed to the server as it is, with no thunk between,
    // whose frame every idle connection would keep.
    static let echo: WebSocketServer.Decision.Body = { connection in
        for try await message in connection.readable {
            try await connection.writable.write(message)
        }
    }
}

/// The clients of a broadcasting server: each message goes to every one of them.
actor Broadcast {
    private var clients: [ObjectIdentifier: WebSocketConnection] = [:]

    /// Serves one client until it leaves, relaying what it sends to every client.
    func serve(_ connection: WebSocketConnection) async throws {
        clients[ObjectIdentifier(connection)] = connection
        defer { clients[ObjectIdentifier(connection)] = nil }
        for try await message in connection.readable {
            await relay(message)
        }
    }

    private func relay(_ message: WebSocketMessage) async {
        for client in clients.values {
            // A client that went away is not the sender's problem.
            try? await client.writable.write(message)
        }
    }
}
