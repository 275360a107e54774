import NIOCore
import NIOPosix
import NIOSOCKS
import Testing
@testable import WebSockets

/// Proxy URLs as ``WebSocket/Proxy/url(_:)`` takes them, checked before any connection.
@Suite("Proxy URLs")
struct ProxyURLTests {
    /// The parts of `string` parsed as a proxy URL.
    static func parts(_ string: String) throws -> (ProxyURL.Kind, String, Int, ProxyURL.Credentials?) {
        let proxy = try ProxyURL(parsing: string)
        return (proxy.kind, proxy.host, proxy.port, proxy.credentials)
    }

    @Test func anHTTPProxyDefaultsToPort80() throws {
        #expect(try Self.parts("http://Proxy.Example") == (.httpConnect, "proxy.example", 80, nil))
        #expect(try Self.parts("http://proxy.example:3128/") == (.httpConnect, "proxy.example", 3128, nil))
    }

    @Test func aURLWithoutSchemeIsAnHTTPProxy() throws {
        #expect(try Self.parts("proxy.example:3128") == (.httpConnect, "proxy.example", 3128, nil))
    }

    @Test func socksProxiesDefaultToPort1080AndSayWhoResolves() throws {
        #expect(try Self.parts("socks5://127.0.0.1") == (.socks5(resolvesOriginLocally: true), "127.0.0.1", 1080, nil))
        #expect(try Self.parts("SOCKS5H://Socks.Example:9050") == (.socks5(resolvesOriginLocally: false), "socks.example", 9050, nil))
    }

    @Test func anIPv6HostLosesItsBrackets() throws {
        #expect(try ProxyURL(parsing: "http://[::1]:8080").host == "::1")
        #expect(try ProxyURL(parsing: "socks5h://[0:0::1]").host == "::1")
    }

    @Test func credentialsArePercentDecoded() throws {
        let proxy = try ProxyURL(parsing: "http://us%65r:p%40ss%3Aw%C3%B6rd@proxy.example")
        #expect(proxy.credentials == ProxyURL.Credentials(username: "user", password: "p@ss:wörd"))
        #expect(try ProxyURL(parsing: "http://user@proxy.example").credentials == ProxyURL.Credentials(username: "user", password: ""))
    }

    @Test(arguments: [
        "https://proxy.example", "socks4://proxy.example", "ftp://proxy.example", "socks5://user:pass@proxy.example",
        "socks5h://user@proxy.example", "http://", "socks5://", "http://proxy.example/path", "http://proxy.example/?q",
        "http://proxy.example/#f", "http://[::1", "http://proxy.example:99999", "http://us%FFer:x@proxy.example",
    ])
    func whatIsNotAProxyURLIsAnInvalidProxy(string: String) {
        #expect {
            try ProxyURL(parsing: string)
        } throws: { error in
            guard case .invalidProxy(let detail) = error as? WebSocket.Failure else { return false }
            return detail.contains(string)
        }
    }

    /// What the proxy is told: an address for an IP literal or, with `socks5:`, for a name
    /// resolved here; the name otherwise.
    @Test func theTunnelTargetIsANameOnlyWhereTheProxyResolvesIt() async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        func target(_ proxy: String, _ host: String) async throws -> SOCKSAddress {
            try await ProxyURL(parsing: proxy).tunnelTarget(host: host, port: 8080, eventLoop: eventLoop).get()
        }
        let loopback = try SocketAddress(ipAddress: "127.0.0.1", port: 8080)
        #expect(try await target("socks5://127.0.0.1", "127.0.0.1") == .address(loopback))
        #expect(try await target("socks5h://127.0.0.1", "::1") == .address(try SocketAddress(ipAddress: "::1", port: 8080)))
        #expect(try await target("socks5h://127.0.0.1", "localhost") == .domain("localhost", port: 8080))
        #expect(try await target("http://127.0.0.1", "localhost") == .domain("localhost", port: 8080))
        guard case .address(let resolved) = try await target("socks5://127.0.0.1", "localhost") else {
            Issue.record("socks5: did not resolve localhost")
            return
        }
        #expect(["127.0.0.1", "::1"].contains(resolved.ipAddress) && resolved.port == 8080, "\(resolved)")
    }
}
