import Foundation
@testable import WebSockets

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }

    /// The error as a `WebSocketError`, if it failed with one.
    var failureAsWebSocketError: WebSocketError? {
        if case .failure(let error as WebSocketError) = self { error } else { nil }
    }
}
