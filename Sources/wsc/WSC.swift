import ArgumentParser

@main
struct WSC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsc",
        abstract: "A WebSocket command-line client and server.",
        subcommands: [Connect.self, Serve.self, Demo.self, Bench.self, Scale.self, Soak.self, AutobahnClient.self],
        defaultSubcommand: Connect.self
    )
}
