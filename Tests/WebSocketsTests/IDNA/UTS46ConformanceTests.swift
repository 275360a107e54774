import Foundation
import Testing
@testable import WebSockets

/// Unicode's conformance vectors for UTS #46, IdnaTestV2.txt, as `scripts/generate-idna-tables`
/// extracts them from the PyPI sdist of idna into `Tests/IDNA/uts46-vectors.txt` (the file's header
/// says how). IdnaTestV2.txt computes ToASCII with CheckHyphens, UseSTD3ASCIIRules and
/// VerifyDnsLength on, so the vectors run with ``UTS46/Options/conformance``; those that succeed
/// must also succeed, unchanged, with the URL Standard's more lenient flags.
@Suite("UTS #46 conformance: Unicode's IdnaTestV2.txt")
struct UTS46ConformanceTests {
    /// One line of the vector file.
    struct Vector: Sendable {
        enum Expected: Sendable, Equatable {
            case ascii(String)
            case failure
            /// An NV8/XV8 line the sdist keeps only as a failure: its UTS #46 result is unknown.
            case unknown
        }

        let line: Int
        let source: String
        let expected: Expected
    }

    static let vectorFile = PeerProcess.repositoryRoot.appendingPathComponent("Tests/IDNA/uts46-vectors.txt")

    static func vectors() throws -> [Vector] {
        try String(contentsOf: vectorFile, encoding: .utf8).split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let expected: Vector.Expected =
                switch fields[2] {
                case "ok": .ascii(String(fields[3]))
                case "error": .failure
                default: .unknown
                }
            return Vector(line: Int(fields[0])!, source: unescaped(fields[1]), expected: expected)
        }
    }

    /// The file writes code points that are not printable as `\u{X}`.
    static func unescaped(_ field: Substring) -> String {
        var result = String.UnicodeScalarView()
        var rest = field.unicodeScalars[...]
        while let c = rest.popFirst() {
            guard c == "\\", rest.starts(with: "u{".unicodeScalars), let end = rest.firstIndex(of: "}") else {
                result.append(c)
                continue
            }
            let hex = String(String.UnicodeScalarView(rest[rest.index(rest.startIndex, offsetBy: 2)..<end]))
            result.append(Unicode.Scalar(UInt32(hex, radix: 16)!)!)
            rest = rest[rest.index(after: end)...]
        }
        return String(result)
    }

    @Test("Every vector with a known result gives it")
    func idnaTestV2() throws {
        let vectors = try Self.vectors()
        var mismatches: [String] = []
        var run = 0
        for vector in vectors where vector.expected != .unknown {
            run += 1
            let result = Result { () throws(UTS46.Error) in try UTS46.toASCII(vector.source, options: .conformance) }
            let matches =
                switch (vector.expected, result) {
                case (.ascii(let expected), .success(let actual)): actual == expected
                case (.failure, .failure): true
                default: false
                }
            if !matches {
                mismatches.append("line \(vector.line) \(vector.source.debugDescription): expected \(vector.expected), got \(result)")
            }
        }
        // The file holds 6327 vectors: 386 succeed, 5431 fail, 510 are NV8/XV8 lines with no known result.
        #expect(run == 5817)
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(run) vectors differ:\n\(mismatches.prefix(40).joined(separator: "\n"))")
    }

    @Test("The vectors that succeed succeed alike with the URL Standard's flags")
    func urlFlags() throws {
        for vector in try Self.vectors() {
            guard case .ascii(let expected) = vector.expected else { continue }
            #expect(try UTS46.toASCII(vector.source, options: .url) == expected, "line \(vector.line)")
        }
    }
}

extension UTS46.Options {
    /// The flags IdnaTestV2.txt's ToASCII results are computed with.
    static let conformance = UTS46.Options(checkHyphens: true, useSTD3ASCIIRules: true, verifyDNSLength: true)
}
