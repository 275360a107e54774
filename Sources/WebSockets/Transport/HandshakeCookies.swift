import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import WebSocketCore

/// The cookies of one opening handshake, kept in a Foundation `HTTPCookieStorage`. The handshake
/// is a fetch whose credentials mode is "include" (WHATWG WebSockets §2.1), so it sends the
/// cookies the store holds for the URL (RFC 6265 §5.4) and stores those the response sets
/// (RFC 6265 §5.3).
///
/// swift-corelibs-foundation's `cookies(for:)` matches the host only (measured in
/// `CookieStorageMatchingTests`): it also returns cookies for other paths, `Secure` cookies for
/// an insecure URL and cookies that expired since they were stored, in no particular order.
/// ``select(_:path:isSecure:now:)`` applies RFC 6265 §5.4 steps 1–2 to its answer; where
/// Foundation already does, it changes nothing.
struct HandshakeCookies: Sendable {
    let storage: HTTPCookieStorage
    /// The request URL with `ws` mapped to `http` and `wss` to `https`, as "establish a WebSocket
    /// connection" step 1 builds it (WHATWG WebSockets §2.1): the URL the store understands.
    let url: URL
    /// The request URL's path, percent-encoded, the `uri-path` of RFC 6265 §5.1.4.
    let path: String
    /// Whether the connection is secure (`wss`), which `Secure` cookies require (RFC 6265 §5.4).
    let isSecure: Bool

    /// Fails when Foundation's `URL` does not take the serialised request URL (it is stricter
    /// than the URL Standard about some characters); the handshake then goes without cookies.
    init?(storage: HTTPCookieStorage, for request: WebSocketURL) {
        // No userinfo: the store keys on scheme, host and path.
        guard let url = URL(string: (request.isSecure ? "https://" : "http://") + request.authority + request.resourceName)
        else { return nil }
        self.storage = storage
        self.url = url
        self.path = request.path
        self.isSecure = request.isSecure
    }

    /// The `Cookie` field value for the request (RFC 6265 §5.4 step 4), nil if no cookie applies.
    func requestField(now: Date = Date()) -> String? {
        let cookies = Self.select(storage.cookies(for: url) ?? [], path: path, isSecure: isSecure, now: now)
        return HTTPCookie.requestHeaderFields(with: cookies)["Cookie"]
    }

    /// Stores the cookies that the response's `Set-Cookie` fields set, under the store's accept
    /// policy. Each field is parsed on its own: Foundation takes one value per field name, and
    /// joining them with commas would be ambiguous next to the commas of `Expires` dates.
    func store(from response: HTTPResponseHead) {
        let cookies = response.headers["Set-Cookie"].flatMap { field in
            HTTPCookie.cookies(withResponseHeaderFields: ["Set-Cookie": field], for: url)
        }
        guard !cookies.isEmpty else { return }
        // The handshake is its own main document: it is no subresource of a page.
        storage.setCookies(cookies, for: url, mainDocumentURL: url)
    }

    /// RFC 6265 §5.4 steps 1–2 over the cookies the store returned for the URL's host: those whose
    /// path path-matches the request's, that are not `Secure` unless the connection is, and that
    /// have not expired, longest path first.
    ///
    /// Cookies with paths of the same length stay in the store's order, not necessarily the
    /// order of creation: Foundation does not expose the creation time.
    static func select(_ cookies: [HTTPCookie], path: String, isSecure: Bool, now: Date) -> [HTTPCookie] {
        cookies
            .filter { cookie in
                (isSecure || !cookie.isSecure) && pathMatches(path, cookiePath: cookie.path)
                    && cookie.expiresDate.map { $0 > now } ?? true
            }
            .sorted { $0.path.utf8.count > $1.path.utf8.count }
    }

    /// RFC 6265 §5.1.4 "path-match": `/docs` matches `/docs`, `/docs/` and `/docs/x`, not `/docsx`.
    static func pathMatches(_ requestPath: String, cookiePath: String) -> Bool {
        let request = Array(requestPath.utf8)
        let cookie = Array(cookiePath.utf8)
        guard request.starts(with: cookie) else { return false }
        return request.count == cookie.count || cookie.last == UInt8(ascii: "/") || request[cookie.count] == UInt8(ascii: "/")
    }
}
