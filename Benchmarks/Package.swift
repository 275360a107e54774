// swift-tools-version:6.1
import PackageDescription

// Micro-benchmarks for WebSocketCore, each beside a peer measured in the same run.
// Run from this directory:  swift package --allow-writing-to-package-directory benchmark
// Results and how to read them: ../BENCHMARKS.md
let package = Package(
    name: "WebSocketsBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "websockets", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The system zlib, used directly: the peer for the compression benchmarks.
        .systemLibrary(name: "CZlibPeer", path: "Sources/CZlibPeer", pkgConfig: "zlib"),
        .executableTarget(
            name: "WebSocketCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "WebSocketCore", package: "websockets"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                // Only to run NIO's WebSocket frame decoder and encoder as peers.
                .product(name: "NIOEmbedded", package: "swift-nio"),
                "CZlibPeer",
            ],
            path: "Benchmarks/WebSocketCoreBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
        // Allocations per echoed message, end to end through our client and server.
        .executableTarget(
            name: "EchoAllocationBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "WebSockets", package: "websockets"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Benchmarks/EchoAllocationBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        ),
    ]
)
