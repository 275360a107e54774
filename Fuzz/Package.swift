// swift-tools-version:6.1
// libFuzzer targets for the engine's parsers. Build and run with `Fuzz/run TARGET SECONDS`.
import PackageDescription

let fuzzer: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "fuzz",
    dependencies: [
        .package(name: "websockets", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "FuzzDriver", swiftSettings: fuzzer),
        .executableTarget(
            name: "FrameFuzzer",
            dependencies: ["FuzzDriver", .product(name: "WebSocketCore", package: "websockets"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: fuzzer),
        .executableTarget(
            name: "ClientHandshakeFuzzer",
            dependencies: ["FuzzDriver", .product(name: "WebSocketCore", package: "websockets"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: fuzzer),
        .executableTarget(
            name: "ServerHandshakeFuzzer",
            dependencies: ["FuzzDriver", .product(name: "WebSocketCore", package: "websockets"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: fuzzer),
        .executableTarget(
            name: "InflateFuzzer",
            dependencies: ["FuzzDriver", .product(name: "WebSocketCore", package: "websockets"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: fuzzer),
        .executableTarget(
            name: "UTF8Fuzzer",
            dependencies: ["FuzzDriver", .product(name: "WebSocketCore", package: "websockets")],
            swiftSettings: fuzzer),
    ]
)
