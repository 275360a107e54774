extension URLHost {
    /// "Domain to ASCII" (URL Standard §3.5) with *beStrict* false: UTS #46 ToASCII (``UTS46``)
    /// with the standard's flags, then reject forbidden domain code points.
    ///
    /// An ASCII domain without `xn--` labels, the common case, is simply ASCII lower-cased: the
    /// standard says ToASCII amounts to that for such a domain.
    static func domainToASCII(_ domain: String) throws(Failure) -> String {
        let isPlainASCII =
            domain.utf8.allSatisfy { $0 < 0x80 }
            && !domain.unicodeScalars.split(separator: ".", omittingEmptySubsequences: false).contains(where: hasACEPrefix)
        let result: String
        if isPlainASCII {
            result = asciiLowercased(domain)
        } else {
            do throws(UTS46.Error) {
                result = try UTS46.toASCII(domain, options: .url)
            } catch {
                throw .domainToASCII(error.description)
            }
        }
        guard !result.isEmpty else { throw .domainToASCII("the host is empty") }
        if let c = result.unicodeScalars.first(where: WebSocketURL.CodePoint.isForbiddenDomainCodePoint) {
            throw .domainInvalidCodePoint(c)
        }
        return result
    }

    /// Whether a label starts with the ACE prefix `xn--`, in any case.
    private static func hasACEPrefix(_ label: Substring.UnicodeScalarView) -> Bool {
        label.prefix(4).map(WebSocketURL.CodePoint.asciiLowercased).elementsEqual("xn--".unicodeScalars)
    }

    /// "ASCII lowercase" (Infra).
    private static func asciiLowercased(_ string: String) -> String {
        String(decoding: string.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
