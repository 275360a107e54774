extension WebSocketURL {
    /// The code point classes the URL Standard uses, from Infra and URL Standard §3.2 "Host
    /// miscellaneous".
    enum CodePoint {
        static func isASCIIAlpha(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        }

        static func isASCIIDigit(_ c: Unicode.Scalar) -> Bool {
            ("0"..."9").contains(c)
        }

        static func isASCIIHexDigit(_ c: Unicode.Scalar) -> Bool {
            isASCIIDigit(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c)
        }

        static func isASCIIAlphanumeric(_ c: Unicode.Scalar) -> Bool {
            isASCIIAlpha(c) || isASCIIDigit(c)
        }

        /// "C0 control or space": stripped from both ends of the parser's input.
        static func isC0ControlOrSpace(_ c: Unicode.Scalar) -> Bool {
            c.value <= 0x20
        }

        /// "ASCII tab or newline": removed from anywhere in the parser's input.
        static func isASCIITabOrNewline(_ c: Unicode.Scalar) -> Bool {
            c == "\t" || c == "\n" || c == "\r"
        }

        /// "Forbidden host code point": never allowed in a host, opaque or not.
        static func isForbiddenHostCodePoint(_ c: Unicode.Scalar) -> Bool {
            switch c {
            case "\u{0}", "\t", "\n", "\r", " ", "#", "/", ":", "<", ">", "?", "@", "[", "\\", "]", "^", "|": true
            default: false
            }
        }

        /// "Forbidden domain code point": the forbidden host code points, C0 controls, `%` and DEL.
        static func isForbiddenDomainCodePoint(_ c: Unicode.Scalar) -> Bool {
            isForbiddenHostCodePoint(c) || c.value <= 0x1F || c == "%" || c == "\u{7F}"
        }

        /// ASCII lower-casing of one code point; everything else unchanged.
        static func asciiLowercased(_ c: Unicode.Scalar) -> Unicode.Scalar {
            ("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 0x20)! : c
        }
    }
}
