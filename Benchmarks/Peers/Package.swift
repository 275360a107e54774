// swift-tools-version: 6.1
// Peer WebSocket servers and load clients on other Swift libraries, so that the end-to-end
// benchmarks can compare them with this project's own in one run. A package of its own, so that
// the root package never depends on the libraries it is compared with.

import PackageDescription

let package = Package(
    name: "Peers",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hummingbird-echo-server", targets: ["HummingbirdEchoServer"]),
        .executable(name: "hummingbird-bench-client", targets: ["HummingbirdBenchClient"]),
        .executable(name: "websocketkit-echo-server", targets: ["WebSocketKitEchoServer"]),
        .executable(name: "websocketkit-bench-client", targets: ["WebSocketKitBenchClient"]),
        .executable(name: "nio-floor-echo-server", targets: ["NIOFloorEchoServer"]),
        .executable(name: "nio-floor-bench-client", targets: ["NIOFloorBenchClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/vapor/websocket-kit.git", from: "2.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // What every peer shares: the command lines, the measurement and the output contract.
        .target(
            name: "PeerBench",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "HummingbirdEchoServer",
            dependencies: [
                "PeerBench",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "HummingbirdBenchClient",
            dependencies: [
                "PeerBench",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "WSCompression", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "WebSocketKitEchoServer",
            dependencies: [
                "PeerBench",
                .product(name: "WebSocketKit", package: "websocket-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "WebSocketKitBenchClient",
            dependencies: [
                "PeerBench",
                .product(name: "WebSocketKit", package: "websocket-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The floor for the server workloads: SwiftNIO and the least WebSocket work a server must
        // do, with no WebSocket library.
        .executableTarget(
            name: "NIOFloorEchoServer",
            dependencies: [
                "PeerBench",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The floor for the client workloads: SwiftNIO and the least WebSocket work a client must
        // do, with no WebSocket library; one connection.
        .executableTarget(
            name: "NIOFloorBenchClient",
            dependencies: [
                "PeerBench",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
