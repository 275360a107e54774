import Foundation

/// The two streams the contracts speak on: standard output carries only what a driver reads
/// (`PORT <n>`, the JSON line); everything for people goes to standard error. Both are written
/// unbuffered, so that a driver reading a pipe sees a line as soon as it is printed.
public enum Output {
    public static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    public static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// The line an echo server prints once it listens.
    public static func listening(on port: Int) {
        line("PORT \(port)")
    }
}
