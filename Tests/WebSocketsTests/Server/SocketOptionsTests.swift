import Foundation
import Testing
@testable import WebSockets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The options our client and server set on their TCP sockets, read back from the kernel.
@Suite("Socket options")
struct SocketOptionsTests {
    /// Both ends turn Nagle's algorithm off, and neither sets SO_DEBUG: TCP_NODELAY set at the
    /// socket level instead of the TCP level is SO_DEBUG, which only a privileged process may
    /// set. The tests run as root, where that succeeds silently; for anyone else every
    /// connection failed (the client's connect, the server's accept).
    @Test func bothEndsOfAConnectionHaveNagleOffAndNoPrivilegedOption() async throws {
        let server = try await RunningServer.echo()
        defer { server.stop() }
        let stream = try WebSocketStream(server.url())
        let opened = try await stream.opened
        try await opened.writable.write("ping")
        _ = try await opened.readable.first(where: { _ in true })

        let ends = Self.tcpSockets(withPort: server.port)
        #expect(ends.count == 2, "the client's socket and the server's accepted one")
        for descriptor in ends {
            #expect(Self.option(descriptor, level: Int32(IPPROTO_TCP), name: TCP_NODELAY) == 1)
            #expect(Self.option(descriptor, level: SOL_SOCKET, name: SO_DEBUG) == 0)
        }
        try stream.close()
    }

    /// This process's connected IPv4 TCP sockets with `port` at either end.
    private static func tcpSockets(withPort port: Int) -> [Int32] {
        (0..<Int32(4096)).filter { descriptor in
            guard let local = address(of: descriptor, getsockname), let remote = address(of: descriptor, getpeername) else {
                return false
            }
            return option(descriptor, level: SOL_SOCKET, name: SO_TYPE) == Self.streamType
                && (Int(UInt16(bigEndian: local.sin_port)) == port || Int(UInt16(bigEndian: remote.sin_port)) == port)
        }
    }

    #if canImport(Glibc)
    private static let streamType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamType = SOCK_STREAM
    #endif

    private static func address(
        of descriptor: Int32, _ name: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> sockaddr_in? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { name(descriptor, $0, &length) }
        }
        return result == 0 && Int32(address.sin_family) == AF_INET ? address : nil
    }

    private static func option(_ descriptor: Int32, level: Int32, name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, level, name, &value, &length) == 0 ? value : nil
    }
}
