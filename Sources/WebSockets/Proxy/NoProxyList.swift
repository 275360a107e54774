import Foundation
import NIOCore

/// A `no_proxy` value: comma-separated origins to reach without a proxy, as curl and urllib read
/// it. `*` matches every origin; a host name matches itself and its subdomains (a leading `.` is
/// ignored); an IP address matches that address; any entry with `:port` (`[…]:port` for IPv6)
/// matches that port only.
struct NoProxyList: Sendable, Hashable {
    private struct Entry: Sendable, Hashable {
        /// Lower case, without brackets or leading dots; nil for `*`.
        var host: String?
        var port: Int?
    }

    private let entries: [Entry]

    init(_ value: String) {
        entries = value.split(separator: ",").compactMap(Self.entry)
    }

    /// Whether a connection to `host` (as ``WebSocketURL/connectionHost`` gives it) and `port`
    /// goes without a proxy.
    func contains(host: String, port: Int) -> Bool {
        let address = try? SocketAddress(ipAddress: host, port: 0)
        return entries.contains { entry in
            if let entryPort = entry.port, entryPort != port { return false }
            guard let name = entry.host else { return true }
            if let address, let entryAddress = try? SocketAddress(ipAddress: name, port: 0) { return address == entryAddress }
            return host == name || (address == nil && host.hasSuffix("." + name))
        }
    }

    private static func entry(_ text: Substring) -> Entry? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text == "*" { return Entry(host: nil, port: nil) }
        var host = Substring(text)
        var port: Int?
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
        } else if text.count(where: { $0 == ":" }) == 1, let colon = text.firstIndex(of: ":") {  // more: a bare IPv6 address
            guard let number = Int(text[text.index(after: colon)...]) else { return nil }
            host = text[..<colon]
            port = number
        }
        let name = host.drop { $0 == "." }.lowercased()
        return name.isEmpty ? nil : Entry(host: name, port: port)
    }
}
