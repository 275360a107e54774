import ArgumentParser

@main
struct WSC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsc",
        abstract: "A WebSocket command-line client and server.",
        discussion: "Connecting to servers arrives with the WebSocket interface; for now `wsc demo` shows the engine at work.",
        subcommands: [Demo.self]
    )
}
