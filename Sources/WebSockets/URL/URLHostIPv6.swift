extension URLHost {
    /// "IPv6 parser" (URL Standard §3.5), given the code points between the brackets: up to eight
    /// hex pieces, one `::` compression, optionally ending in a dotted IPv4 address.
    static func parseIPv6(_ input: [Unicode.Scalar]) throws(Failure) -> [UInt16] {
        typealias CodePoint = WebSocketURL.CodePoint
        var address = [UInt16](repeating: 0, count: 8)
        var pieceIndex = 0
        var compress: Int?
        var pointer = 0
        func c(at index: Int) -> Unicode.Scalar? { index < input.count ? input[index] : nil }

        if c(at: pointer) == ":" {
            guard c(at: pointer + 1) == ":" else { throw .ipv6InvalidCompression }
            pointer += 2
            pieceIndex += 1
            compress = pieceIndex
        }
        while let current = c(at: pointer) {
            guard pieceIndex != 8 else { throw .ipv6TooManyPieces }
            if current == ":" {
                guard compress == nil else { throw .ipv6MultipleCompression }
                pointer += 1
                pieceIndex += 1
                compress = pieceIndex
                continue
            }
            var value: UInt16 = 0
            var length = 0
            while length < 4, let digit = c(at: pointer), CodePoint.isASCIIHexDigit(digit) {
                value = value * 0x10 + UInt16(WebSocketURL.hexValue(UInt8(digit.value))!)
                pointer += 1
                length += 1
            }
            if c(at: pointer) == "." {
                // An IPv4 address in the last two pieces, as in "::ffff:192.0.2.1".
                guard length != 0 else { throw .ipv4InIPv6InvalidCodePoint }
                pointer -= length
                guard pieceIndex <= 6 else { throw .ipv4InIPv6TooManyPieces }
                var numbersSeen = 0
                while c(at: pointer) != nil {
                    var ipv4Piece: UInt16?
                    if numbersSeen > 0 {
                        guard c(at: pointer) == ".", numbersSeen < 4 else { throw .ipv4InIPv6InvalidCodePoint }
                        pointer += 1
                    }
                    guard let first = c(at: pointer), CodePoint.isASCIIDigit(first) else {
                        throw .ipv4InIPv6InvalidCodePoint
                    }
                    while let digit = c(at: pointer), CodePoint.isASCIIDigit(digit) {
                        let number = UInt16(digit.value - 0x30)
                        if let piece = ipv4Piece {
                            // A leading zero is not allowed ("01"), unlike in the IPv4 parser.
                            guard piece != 0 else { throw .ipv4InIPv6InvalidCodePoint }
                            ipv4Piece = piece * 10 + number
                        } else {
                            ipv4Piece = number
                        }
                        guard ipv4Piece! <= 255 else { throw .ipv4InIPv6OutOfRangePart }
                        pointer += 1
                    }
                    address[pieceIndex] = address[pieceIndex] * 0x100 + ipv4Piece!
                    numbersSeen += 1
                    if numbersSeen == 2 || numbersSeen == 4 { pieceIndex += 1 }
                }
                guard numbersSeen == 4 else { throw .ipv4InIPv6TooFewParts }
                break
            } else if c(at: pointer) == ":" {
                pointer += 1
                guard c(at: pointer) != nil else { throw .ipv6InvalidCodePoint }
            } else if c(at: pointer) != nil {
                throw .ipv6InvalidCodePoint
            }
            address[pieceIndex] = value
            pieceIndex += 1
        }
        if let compress {
            // Move the pieces after "::" to the end; the zeros they leave stand for the compression.
            var swaps = pieceIndex - compress
            pieceIndex = 7
            while pieceIndex != 0, swaps > 0 {
                address.swapAt(pieceIndex, compress + swaps - 1)
                pieceIndex -= 1
                swaps -= 1
            }
        } else if pieceIndex != 8 {
            throw .ipv6TooFewPieces
        }
        return address
    }

    /// "IPv6 serializer" (§3.6): lower-case hex pieces without leading zeros, the first longest run
    /// of two or more zero pieces written as `::` (the RFC 5952 canonical form).
    static func serializeIPv6(_ address: [UInt16]) -> String {
        var compress: Int?
        var longest = 1
        var index = 0
        while index < address.count {
            guard address[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < address.count, address[end] == 0 { end += 1 }
            if end - index > longest {
                longest = end - index
                compress = index
            }
            index = end
        }
        var output = ""
        var ignore0 = false
        for pieceIndex in address.indices {
            if ignore0, address[pieceIndex] == 0 { continue }
            ignore0 = false
            if compress == pieceIndex {
                output += pieceIndex == 0 ? "::" : ":"
                ignore0 = true
                continue
            }
            output += String(address[pieceIndex], radix: 16)
            if pieceIndex != 7 { output += ":" }
        }
        return output
    }
}
