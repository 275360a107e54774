public import Foundation

/// Immutable raw data with a MIME type (File API § 3 The `Blob` interface).
///
/// A ``WebSocket`` whose `binaryType` is `.blob` (the default) delivers binary messages as a `Blob`,
/// and `send(_:)` accepts one (WHATWG WebSockets §3.1, §4).
///
/// The bytes live in memory, so unlike the web's promise-returning methods ``data()``, ``text()``,
/// ``bytes()`` and ``arrayBuffer()`` are synchronous: there is nothing to wait for, and
/// `WebSocket.send(_:)` must read a blob within the call to account for it in `bufferedAmount`.
/// Copies and slices share the underlying storage (Foundation `Data` is copy-on-write), so neither
/// copies the payload.
public struct Blob: Sendable, Hashable, CustomStringConvertible {
    /// The bytes; `Data` so that handing them to the user or to the socket does not copy them.
    private let storage: Data

    /// The blob's MIME type, ASCII-lowercased, or `""` if unknown or invalid (File API § 3.2 `type`).
    public let type: String

    /// The size of the blob in bytes (File API § 3.2 `size`).
    ///
    /// `UInt64`, the Swift spelling of the attribute's `unsigned long long`, so that it adds to
    /// `WebSocket.bufferedAmount` without conversion.
    public var size: UInt64 { UInt64(storage.count) }

    /// Creates a blob holding `data` (File API § 3.1 `Blob(blobParts, options)` with one buffer).
    ///
    /// - Parameters:
    ///   - data: The blob's bytes; not copied.
    ///   - type: A MIME type; lower-cased, or `""` if it has a character outside
    ///     U+0020–U+007E (File API § 3.1.1).
    public init(_ data: Data, type: String = "") {
        self.storage = data
        self.type = Self.normalizedType(type)
    }

    /// Creates a blob holding the UTF-8 encoding of `string` (File API § 3.1 `Blob(blobParts, options)`
    /// with one string).
    ///
    /// - Parameters:
    ///   - string: The text, stored as UTF-8.
    ///   - type: A MIME type, normalised as in the `Data` initialiser.
    public init(_ string: String, type: String = "") {
        self.init(Data(string.utf8), type: type)
    }

    /// Creates a blob from the concatenation of `parts`, in order (File API § 3.1 `Blob(blobParts, options)`).
    ///
    /// Line endings are kept as they are (the constructor's `endings: "transparent"`, its default).
    ///
    /// - Parameters:
    ///   - parts: Bytes, strings (as UTF-8) and blobs, concatenated in order.
    ///   - type: A MIME type, normalised as in the `Data` initialiser.
    public init(parts: [Part] = [], type: String = "") {
        if parts.count == 1, case .data(let data) = parts[0] {
            self.init(data, type: type)
            return
        }
        var bytes = Data()
        for part in parts {
            switch part {
            case .data(let data): bytes.append(data)
            case .string(let string): bytes.append(contentsOf: string.utf8)
            case .blob(let blob): bytes.append(blob.storage)
            }
        }
        self.init(bytes, type: type)
    }

    /// The blob's bytes (File API § 3.3 `arrayBuffer()`, under the name Swift users look for).
    public func data() -> Data { storage }

    /// The blob's bytes, the same as ``data()`` under the File API's name (§ 3.3 `arrayBuffer()`).
    public func arrayBuffer() -> Data { storage }

    /// The blob's bytes as an array (File API § 3.3 `bytes()`).
    public func bytes() -> [UInt8] { [UInt8](storage) }

    /// The blob's bytes decoded as UTF-8 (File API § 3.3 `text()`).
    ///
    /// This is the Encoding Standard's "UTF-8 decode": a leading byte order mark is dropped and
    /// every invalid sequence becomes U+FFFD, so it never fails.
    public func text() -> String {
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = storage.starts(with: byteOrderMark) ? storage.dropFirst(byteOrderMark.count) : storage
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A new blob holding the bytes from `start` up to, not including, `end` (File API § 3.3.1 `slice()`).
    ///
    /// As in the File API: an omitted `start` is 0 and an omitted `end` is ``size``; a negative
    /// index counts back from the end (`-1` is the last byte) and stops at 0; an index past the end
    /// is clamped to ``size``; if `start` ends up after `end` the slice is empty. The slice shares
    /// the original's storage.
    ///
    /// - Parameters:
    ///   - start: The first byte of the slice; 0 when omitted.
    ///   - end: The byte after the slice's last; ``size`` when omitted.
    ///   - contentType: The slice's ``type``, normalised as the initialisers' `type` is;
    ///     omitted or `nil` gives `""`, not the original's type, as in the File API.
    public func slice(start: Int? = nil, end: Int? = nil, contentType: String? = nil) -> Blob {
        let count = storage.count
        func relative(_ index: Int?, default value: Int) -> Int {
            guard let index else { return value }
            return index < 0 ? max(count + index, 0) : min(index, count)
        }
        let relativeStart = relative(start, default: 0)
        let relativeEnd = relative(end, default: count)
        let span = max(relativeEnd - relativeStart, 0)
        let from = storage.startIndex + relativeStart
        return Blob(storage[from..<from + span], type: contentType ?? "")
    }

    /// A short summary for logs, e.g. `Blob(size: 3, type: "text/plain")`; never the content.
    public var description: String {
        "Blob(size: \(size), type: \(String(reflecting: type)))"
    }

    /// File API § 3.1.1 (and § 3.3.1 for `contentType`): a type with a character outside
    /// U+0020–U+007E becomes `""`, any other is converted to ASCII lowercase.
    private static func normalizedType(_ type: String) -> String {
        guard type.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else { return "" }
        return type.lowercased()
    }
}

extension Blob {
    /// One piece of a blob's content, as in the File API's `BlobPart` (File API § 3.1).
    public enum Part: Sendable, Hashable {
        /// Raw bytes, like a `BufferSource` part.
        case data(Data)
        /// Text, stored as its UTF-8 encoding, like a `USVString` part.
        case string(String)
        /// The bytes of another blob; its type is ignored.
        case blob(Blob)
    }
}
