import ArgumentParser

/// The command line every peer echo server takes: `[--port 0] [--deflate]`.
public struct EchoServerOptions: ParsableArguments {
    @Option(help: "TCP port on 127.0.0.1; 0 picks a free one.")
    public var port = 0

    @Flag(help: "Accept permessage-deflate when a client offers it.")
    public var deflate = false

    public init() {}

    public func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }
}
