import Foundation
import Testing
@testable import WebSockets

/// Our hosts against Node's WHATWG `URL` (ada, with its own UTS #46 tables), for the non-ASCII
/// hosts of the UTS #46 vectors and a hand-picked list. Node is installed by
/// `scripts/install-peers`; without it the test fails and says so.
///
/// Every difference must be in ``expectedDifferences`` with its explanation, and every entry there
/// must still differ, so a new difference, or a fixed one, fails the test.
@Suite("UTS #46 against Node's WHATWG URL")
struct NodeURLHostTests {
    /// Hosts that show one thing each: deviations, mappings, joiners, Bidi, Punycode, emoji.
    static let handPicked: [String] = [
        "faß.de", "βόλος.com", "ς.gr", "xn--zca", "MÜNCHEN.de", "ＧＯ．ｃｏｍ", "ｘｎ－－ｍｎｃｈｅｎ－３ｙａ.de",
        "go。com｡ｊｐ", "ℌ𝔢𝔩𝔩𝔬", "①.com", "⒈com", "e\u{301}.fr", "a\u{AD}b.ü", "ex\u{200B}ample.ü", "a\u{FE0F}.ü",
        "💩.la", "👍🏽.example", "☃.net", "a≠b", "ü_b", "-ü-", "ab--ü", "a..ü.", "ü" + String(repeating: "a", count: 70),
        "क्\u{200D}", "क्\u{200C}", "می\u{200C}خواهم", "אב", "العربية", "example.אב", "xn--a", "xn--a-", "xn--",
        "xn--99999999999999", "xn--e-xbb", "xn--MNCHEN-3YA", "xn--xn---3ra", "a\u{FFFD}b", "\u{E000}", "a\u{85}",
        "\u{301}a", "a.\u{300}", "a\u{200D}b", "a\u{200C}b", "\u{200D}", "1א", "אa", "א-", "ا1١", "aא", "a-.א",
        "0a.א", "日本語。ＪＰ", "пример.рф", "例え.テスト", "ä.xn--ls8h", "xn--ls8h.ä", "i\u{307}stanbul.tr", "İSTANBUL.tr",
        "ﬀ.com", "Ⅻ.com", "㍿.jp", "ǅ.com", "ß.ß", "ΣΑΣ.gr", "ĳ.nl", "ﷺ.com", "ꭰ.com", "Ꭰ.com",
    ]

    /// The Node whose differences ``expectedDifferences`` lists: Debian bookworm's `nodejs`.
    static let listedFor = (node: "v20.20.2", ada: "2.9.2")

    /// Why Node's host differs from ours.
    enum Difference: Sendable, CustomStringConvertible {
        /// Node 20's URL (ada 2.9.2) applies the Bidi Rule (RFC 5893 §2, UTS #46 CheckBidi) only to
        /// labels that begin with a right-to-left character: it skips condition 1 (every label of a
        /// domain with a right-to-left label begins with L, R or AL) and conditions 5 and 6 (the
        /// left-to-right labels of such a domain), which we apply, as IdnaTestV2.txt does.
        case partialCheckBidi
        /// UTS #46 15.1 made an `xn--` label an error when it decodes to ASCII only or to a label that
        /// starts with `xn--` again; ada 2.9.2 still accepts it.
        case aceLabelRules
        /// UTS #46 16.0 changed the mapping table for a code point in the host, and ada 2.9.2's tables
        /// are older: Georgian capitals U+10A0–U+10C5, Cyrillic palochka U+04C0 and six CJK
        /// compatibility ideographs were disallowed and are now mapped, U+1E9E ẞ maps to ß instead
        /// of "ss", and the Hangul fillers U+115F and U+FFA0 and Khmer U+17B4 are now ignored.
        case uts46Version16

        var description: String {
            switch self {
            case .partialCheckBidi: "Node skips conditions 1, 5 and 6 of the Bidi Rule"
            case .aceLabelRules: "Node predates UTS #46 15.1's xn-- label rules"
            case .uts46Version16: "Node's tables predate UTS #46 16.0"
            }
        }

        /// The code points of the hosts below whose UTS #46 16.0 mapping differs from the one before.
        static let changedInUTS46Version16: [ClosedRange<Unicode.Scalar>] = [
            "\u{4C0}"..."\u{4C0}", "\u{10A0}"..."\u{10C5}", "\u{115F}"..."\u{115F}", "\u{17B4}"..."\u{17B4}",
            "\u{1E9E}"..."\u{1E9E}", "\u{FFA0}"..."\u{FFA0}", "\u{2F868}"..."\u{2F868}", "\u{2F874}"..."\u{2F874}",
            "\u{2F91F}"..."\u{2F91F}", "\u{2F95F}"..."\u{2F95F}", "\u{2F9BF}"..."\u{2F9BF}",
        ]
    }

    /// The hosts on which Node differs, and why: all of them from the UTS #46 vectors or the
    /// hand-picked list, none a mistake of ours.
    static let expectedDifferences: [String: Difference] = Dictionary(
        uniqueKeysWithValues: [
        "-｡ݻ", "0a.א", "1א", "6ࡏ｡-\u{11234}", "a-.א", "aא", "àא", "ς≯。𐹽", "ٱ．σߜ", "℻⩷\u{1D186}。𞥂\u{E0181}\u{180C}",
        "≯𞥁。ᡨ", "。.Ʌᠣ-𐹽", "𐠰ࢷ𞤌𐫭.𐋦\u{17CD}\u{1DA43}",
        ].map { ($0, .partialCheckBidi) } + [
        "xn--a-", "xn--xn---3ra",
        ].map { ($0, .aceLabelRules) } + [
        "FAẞ.DE", "FAẞ.de", "Ss\u{AAF6}ᢥ.⊶Ⴡⴖ", "ΣჅ.ݚ", "ΣჅ。ݚ", "ςჅ。ݚ", "ڹ.ᡳᅟ", "ڹ．ᡳᅟ", "ࢻ.Ⴃ\u{1E012}", "Ⴚ.Σ", "Ⴚ.ς",
        "Ⴚ.σ", "ჁႱ6\u{318}.SS\u{1B03}", "ჁႱ6\u{318}。SS\u{1B03}", "ჁႱ6\u{318}。ß\u{1B03}", "Ⴡⴑ6\u{318}.Ss\u{1B03}",
        "Ⴡⴑ6\u{318}。Ss\u{1B03}", "\u{17B4}.쮇-", "攌\u{ABED}.ᢖ-Ⴘ", "꧐Ӏ\u{1BAA}\u{8F6}.눵", "꧐Ӏ\u{1BAA}\u{8F6}．눵",
        "\u{F951}\u{2F868}\u{2F874}\u{2F91F}\u{2F95F}\u{2F9BF}", "𞤃.ᡄႮ", "𞤃\u{E016E}.ᡄႮ", "𞤃\u{E016E}．ᡄႮ", "𞤥.ᡄႮ",
        "𞤥\u{E016E}.ᡄႮ", "𞤥\u{E016E}．ᡄႮ", "🕼．ﾠ",
        ].map { ($0, .uts46Version16) })

    /// Non-ASCII sources of the UTS #46 vectors that are hosts in a URL as they stand (no ASCII the
    /// URL parser acts on before the host parser: `/`, `?`, `#`, `@`, `:`, `%`, `\`, spaces,
    /// controls): all that succeed, and every 16th of the others.
    static func vectorHosts() throws -> [String] {
        let hosts = try UTS46ConformanceTests.vectors().filter { vector in
            !vector.source.unicodeScalars.allSatisfy(\.isASCII)
                && vector.source.unicodeScalars.allSatisfy { c in
                    !c.isASCII || c == "." || c == "-" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
                        || ("0"..."9").contains(c)
                }
        }
        let succeeding = hosts.filter { if case .ascii = $0.expected { true } else { false } }
        let others = hosts.filter { if case .ascii = $0.expected { false } else { true } }
        return (succeeding + others.enumerated().filter { $0.offset % 16 == 0 }.map(\.element)).map(\.source)
    }

    @Test("Node's URL gives the same host, but for the listed differences")
    func sameHostsAsNode() async throws {
        guard let node = PeerProcess.findExecutable("node") ?? PeerProcess.findExecutable("nodejs") else {
            Issue.record("node is not installed: run `bash scripts/install-peers`")
            return
        }
        let hosts = Array(Set(try Self.handPicked + Self.vectorHosts())).sorted()
        let answer = try await Self.nodeHosts(hosts, node: node)
        let nodeHosts = answer.hosts
        try #require(nodeHosts.count == hosts.count)
        let version = "Node \(answer.node) (ada \(answer.ada)); the list is for Node \(Self.listedFor.node) (ada \(Self.listedFor.ada))"
        var differences: [String: String] = [:]
        for (host, nodeHost) in zip(hosts, nodeHosts) {
            let ours = Result { try WebSocketURL(parsing: "ws://\(host)/").host }
            if (try? ours.get()) != nodeHost {
                differences[host] = "ours \(ours), Node's \(nodeHost ?? "failure")"
            }
        }
        let unexpected = differences.filter { Self.expectedDifferences[$0.key] == nil }
        // Each listed difference is what its explanation says.
        for (host, difference) in Self.expectedDifferences {
            let ours = Result { try WebSocketURL(parsing: "ws://\(host)/").host }
            switch (difference, ours) {
            case (.partialCheckBidi, .failure(let error)):
                let reason = String(describing: error)
                #expect(
                    ["condition 1 ", "condition 5 ", "condition 6 "].contains { reason.contains($0 + "of the Bidi Rule") },
                    "\(host.debugDescription): \(error)")
            case (.aceLabelRules, .failure(let error)):
                #expect(String(describing: error).contains("xn--"), "\(host.debugDescription): \(error)")
            case (.uts46Version16, _):
                #expect(
                    host.unicodeScalars.contains { c in Difference.changedInUTS46Version16.contains { $0.contains(c) } },
                    "\(host.debugDescription)")
            default:
                Issue.record("\(host.debugDescription): \(difference), but ours is \(ours)")
            }
        }
        let vanished = Self.expectedDifferences.keys.filter { differences[$0] == nil }
        #expect(hosts.count > 400)
        let listed = unexpected.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription): \($0.value)" }
        #expect(
            unexpected.isEmpty, "\(unexpected.count) new differences of \(hosts.count) hosts, \(version):\n\(listed.joined(separator: "\n"))")
        #expect(vanished.isEmpty, "no longer different, \(version): \(vanished.map(\.debugDescription))")
    }

    /// What `Tests/Interop/node_url_hosts.js` prints.
    struct NodeAnswer: Decodable {
        let node: String
        let ada: String
        /// `new URL("ws://" + host + "/").host` for each host, nil where it throws.
        let hosts: [String?]
    }

    static func nodeHosts(_ hosts: [String], node: URL) async throws -> NodeAnswer {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("node-url-hosts-\(UUID()).json")
        try JSONEncoder().encode(hosts).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = try ChildProcess(
            node, arguments: [PeerProcess.repositoryRoot.appendingPathComponent("Tests/Interop/node_url_hosts.js").path, input.path])
        let finished = try await process.finished(within: .seconds(60))
        try #require(finished && process.termination == .exited(0), "\(process): \(process.standardError)")
        return try JSONDecoder().decode(NodeAnswer.self, from: Data(process.standardOutput.utf8))
    }
}
