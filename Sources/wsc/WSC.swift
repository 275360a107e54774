import ArgumentParser

@main
struct WSC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsc",
        abstract: "A WebSocket command-line client.",
        subcommands: [Connect.self, Demo.self, AutobahnClient.self],
        defaultSubcommand: Connect.self
    )
}
