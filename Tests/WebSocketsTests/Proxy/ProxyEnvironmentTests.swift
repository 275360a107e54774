import Testing
@testable import WebSockets

/// ``WebSocket/Proxy/environment``'s choice, from an environment given as a dictionary so that
/// no test changes the process's own.
@Suite("Proxy from the environment")
struct ProxyEnvironmentTests {
    static func proxy(_ url: String, _ environment: [String: String]) throws -> String? {
        WebSocket.Proxy.environmentProxy(for: try WebSocketURL(parsing: url), in: environment)
    }

    static let everyProxy = [
        "ws_proxy": "http://ws", "wss_proxy": "http://wss", "socks_proxy": "socks5://socks",
        "https_proxy": "http://https", "http_proxy": "http://http", "all_proxy": "http://all",
    ]

    @Test func wsPrefersWsThenSocksThenHTTPSThenHTTPThenAll() throws {
        var environment = Self.everyProxy
        for expected in ["http://ws", "socks5://socks", "http://https", "http://http", "http://all"] {
            #expect(try Self.proxy("ws://example.com/", environment) == expected)
            environment = environment.filter { $0.value != expected }
        }
        #expect(try Self.proxy("ws://example.com/", environment) == nil)
    }

    @Test func wssPrefersWssThenSocksThenHTTPSThenAllButNeverHTTP() throws {
        var environment = Self.everyProxy
        for expected in ["http://wss", "socks5://socks", "http://https", "http://all"] {
            #expect(try Self.proxy("wss://example.com/", environment) == expected)
            environment = environment.filter { $0.value != expected }
        }
        #expect(environment == ["ws_proxy": "http://ws", "http_proxy": "http://http"])
        #expect(try Self.proxy("wss://example.com/", environment) == nil)
    }

    @Test func lowerCaseComesBeforeUpperCase() throws {
        #expect(try Self.proxy("wss://example.com/", ["HTTPS_PROXY": "http://upper", "https_proxy": "http://lower"]) == "http://lower")
        #expect(try Self.proxy("wss://example.com/", ["HTTPS_PROXY": "http://upper"]) == "http://upper")
        #expect(try Self.proxy("ws://example.com/", ["HTTP_PROXY": "http://upper"]) == "http://upper")
        #expect(try Self.proxy("ws://example.com/", ["WS_PROXY": "http://ws", "ALL_PROXY": "http://all"]) == "http://ws")
    }

    @Test func anEmptyLowerCaseVariableHidesTheUpperCaseOne() throws {
        #expect(try Self.proxy("wss://example.com/", ["https_proxy": "", "HTTPS_PROXY": "http://upper"]) == nil)
        #expect(try Self.proxy("wss://example.com/", ["https_proxy": "", "HTTPS_PROXY": "http://upper", "all_proxy": "http://all"]) == "http://all")
        #expect(try Self.proxy("wss://example.com/", ["HTTPS_PROXY": ""]) == nil)
    }

    @Test func aCGIProgramIgnoresUpperCaseHTTPProxy() throws {
        #expect(try Self.proxy("ws://example.com/", ["HTTP_PROXY": "http://from-a-header", "REQUEST_METHOD": "GET"]) == nil)
        #expect(try Self.proxy("ws://example.com/", ["http_proxy": "http://mine", "REQUEST_METHOD": "GET"]) == "http://mine")
    }

    @Test func aSocksProxyWrittenAsHTTPOrWithoutSchemeIsSocks5h() throws {
        #expect(try Self.proxy("ws://example.com/", ["socks_proxy": "http://socks:1080"]) == "socks5h://socks:1080")
        #expect(try Self.proxy("ws://example.com/", ["socks_proxy": "socks:1080"]) == "socks5h://socks:1080")
        #expect(try Self.proxy("ws://example.com/", ["SOCKS_PROXY": "socks5://socks"]) == "socks5://socks")
    }

    @Test(arguments: [
        ("*", "ws://example.com/", true),
        ("example.com", "ws://example.com/", true),
        ("example.com", "ws://chat.example.com/", true),
        (".example.com", "ws://chat.example.com/", true),
        (".example.com", "ws://example.com/", true),
        ("example.com", "ws://notexample.com/", false),
        ("Example.COM", "wss://EXAMPLE.com/", true),
        ("other.org, example.com ", "ws://a.example.com/", true),
        ("other.org,,", "ws://example.com/", false),
        ("example.com:8080", "ws://example.com:8080/", true),
        ("example.com:8080", "ws://example.com/", false),
        ("example.com:443", "wss://example.com/", true),
        ("127.0.0.1", "ws://127.0.0.1:9000/", true),
        ("127.0.0.1", "ws://127.0.0.2/", false),
        ("0.0.1", "ws://127.0.0.1/", false),
        ("::1", "ws://[::1]/", true),
        ("0:0::1", "ws://[::1]/", true),
        ("[::1]:9000", "ws://[::1]:9000/", true),
        ("[::1]:9000", "ws://[::1]:9001/", false),
        ("localhost", "ws://127.0.0.1/", false),
    ])
    func noProxyListsTheOriginsReachedDirectly(noProxy: String, url: String, direct: Bool) throws {
        let environment = ["all_proxy": "http://proxy", "no_proxy": noProxy]
        #expect(try Self.proxy(url, environment) == (direct ? nil : "http://proxy"))
    }

    @Test func upperCaseNoProxyCountsToo() throws {
        #expect(try Self.proxy("ws://example.com/", ["all_proxy": "http://proxy", "NO_PROXY": "example.com"]) == nil)
        #expect(try Self.proxy("ws://example.com/", ["all_proxy": "http://proxy", "no_proxy": "", "NO_PROXY": "example.com"]) == "http://proxy")
    }

    @Test func noneAndAnExplicitURLIgnoreTheEnvironment() throws {
        let url = try WebSocketURL(parsing: "ws://example.com/")
        let environment = ["all_proxy": "http://from-env:1", "no_proxy": "example.com"]
        #expect(try ProxyURL.chosen(by: .none, for: url, environment: ["all_proxy": "http://from-env:1"]) == nil)
        #expect(try ProxyURL.chosen(by: .url("http://given:2"), for: url, environment: environment)?.host == "given")
        #expect(try ProxyURL.chosen(by: .environment, for: url, environment: environment) == nil)
        #expect(try ProxyURL.chosen(by: .environment, for: url, environment: ["all_proxy": "http://from-env:1"])?.host == "from-env")
    }

    @Test func theDefaultIsTheEnvironment() {
        #expect(WebSocket.Options().proxy == .environment)
    }
}
