import Foundation

/// How the fault scenarios report their measured figures and learn how big to be.
///
/// Each figure is printed as one line, `FAULT <scenario> | <figure>`, which `scripts/faults`
/// gathers into its summary table.
enum FaultReport {
    static func figure(_ scenario: String, _ figure: String) {
        print("FAULT \(scenario) | \(figure)")
    }

    /// `WEBSOCKETS_FAULTS_FULL=1` (set by `scripts/faults` without `--short`) selects the full
    /// sizes, such as 1 000 clients for the server restart; `swift test` runs the short ones.
    static var isFull: Bool {
        ProcessInfo.processInfo.environment["WEBSOCKETS_FAULTS_FULL"] == "1"
    }

    /// `WEBSOCKETS_FAULTS_ALONE=1` (set by `scripts/faults`): only the fault scenarios run in
    /// this process, so timing bounds can be tight. Within the whole `swift test`, other tests
    /// share the event loops (two threads here) and, in a debug build, can hold one for seconds
    /// with a large message; there the bounds only tell a late detection from none.
    static var runsAlone: Bool {
        ProcessInfo.processInfo.environment["WEBSOCKETS_FAULTS_ALONE"] == "1"
    }

    /// Milliseconds, for the figures.
    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
