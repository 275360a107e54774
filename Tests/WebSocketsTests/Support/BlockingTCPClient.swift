#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP client on a blocking socket that writes everything before it reads anything, as a
/// simple client does (NIO's clients read as soon as bytes arrive, so they cannot show what
/// such a client sees). Every call is bounded by the socket's send and receive timeouts.
enum BlockingTCPClient {
    /// What one exchange saw.
    struct Outcome {
        /// The bytes read after the response head, up to end of stream or the error.
        var received: [UInt8] = []
        /// `errno` of the first write that failed, if one did.
        var writeError: Int32?
        /// `errno` of the read that ended the exchange, or `nil` if it ended with end of stream.
        var readError: Int32?
    }

    struct Failure: Error { let call: String; let errno: Int32 }

    /// Connects to 127.0.0.1:`port`, writes `head` and reads the response head, writes `body`
    /// (stopping at the first failed write), then reads to the end.
    static func exchange(port: Int, head: [UInt8], body: [UInt8], timeoutSeconds: Int = 10) throws -> Outcome {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(call: "socket", errno: errno) }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(descriptor, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(call: "connect", errno: errno) }
        if let error = write(head, to: descriptor) { throw Failure(call: "send", errno: error) }
        var headBytes: [UInt8] = []
        while !headBytes.ends(with: Array("\r\n\r\n".utf8)) {
            var byte: UInt8 = 0
            guard recv(descriptor, &byte, 1, 0) == 1 else { throw Failure(call: "recv", errno: errno) }
            headBytes.append(byte)
        }
        var outcome = Outcome()
        outcome.writeError = write(body, to: descriptor)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 { outcome.received += buffer[..<count]; continue }
            if count < 0 { outcome.readError = errno }
            return outcome
        }
    }

    /// Writes all of `bytes`; the `errno` of the write that failed, if one did. No SIGPIPE.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return errno }
            offset += count
        }
        return nil
    }
}

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
