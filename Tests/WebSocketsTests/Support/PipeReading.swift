import Foundation

extension Pipe {
    /// Hands each chunk a child process writes to this pipe to `received` as it arrives, then an
    /// empty chunk once the child closes its end.
    func collect(_ received: @escaping @Sendable (Data) -> Void) {
        fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            received(data)
        }
    }
}
