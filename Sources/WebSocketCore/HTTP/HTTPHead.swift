/// What ``HTTPHeadParser`` produces: a request head or a response head, depending on the
/// parser's ``HTTPHeadParser/Kind``.
public enum HTTPHead: Sendable, Hashable {
    /// A request line and its header fields (RFC 9112 §3).
    case request(HTTPRequestHead)
    /// A status line and its header fields (RFC 9112 §4).
    case response(HTTPResponseHead)

    /// The header fields of either kind of head.
    public var headers: HTTPHeaders {
        switch self {
        case .request(let head): head.headers
        case .response(let head): head.headers
        }
    }
}
