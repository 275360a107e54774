import NIOCore

/// The header fields of an HTTP head, in the order they were received or added (RFC 9110 §5).
///
/// Names compare ASCII case-insensitively (RFC 9110 §5.1). A field that occurs on several lines
/// keeps every line, so a validator can tell "exactly once" from "combined" (RFC 9110 §5.3).
/// Equality is exact, order and case included: it compares what was sent, not what it means.
public struct HTTPHeaders: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One field line: a name and its value, whitespace already trimmed from the value.
    public struct Field: Sendable, Hashable {
        /// The field name as sent; compare it with ``HTTPHeaders`` lookups, not `==`.
        public var name: String
        /// The field value without leading or trailing whitespace (RFC 9110 §5.5).
        public var value: String

        /// Creates a field line.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The field lines, in order.
    public private(set) var fields: [Field]

    /// Creates headers holding `fields` in order.
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Creates headers from name/value pairs, in order; duplicate names are kept.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// Appends a field line, keeping any earlier line of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every line whose name matches `name` case-insensitively.
    public mutating func remove(name: String) {
        fields.removeAll { HTTPGrammar.equalsCaseInsensitively($0.name, name) }
    }

    /// The position of the first field line.
    public var startIndex: Int { fields.startIndex }
    /// The position after the last field line.
    public var endIndex: Int { fields.endIndex }
    /// The field line at `position`, in order of arrival.
    public subscript(position: Int) -> Field { fields[position] }

    /// The values of every line named `name` (case-insensitively), in order; empty if none.
    public subscript(name: String) -> [String] {
        fields.filter { HTTPGrammar.equalsCaseInsensitively($0.name, name) }.map(\.value)
    }

    /// The value of the first line named `name`, if any.
    public func first(name: String) -> String? {
        fields.first { HTTPGrammar.equalsCaseInsensitively($0.name, name) }?.value
    }

    /// Whether any line is named `name`.
    public func contains(name: String) -> Bool {
        fields.contains { HTTPGrammar.equalsCaseInsensitively($0.name, name) }
    }

    /// The elements of a comma-separated list field (`#element`, RFC 9110 §5.6.1) across all of
    /// its lines, combined in order, each trimmed of whitespace, with empty elements dropped as
    /// the list rule requires recipients to do.
    ///
    /// Commas inside quoted strings are not special-cased: the WebSocket list fields this serves
    /// (`Connection`, `Upgrade`, `Sec-WebSocket-Protocol`) hold tokens only.
    public func listValues(name: String) -> [String] {
        var elements: [String] = []
        for value in self[name] {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = HTTPGrammar.trimmingWhitespace(element)
                if !trimmed.isEmpty { elements.append(String(trimmed)) }
            }
        }
        return elements
    }

    /// Whether the list field `name` contains `token`, compared ASCII case-insensitively, as the
    /// handshake checks `Upgrade: websocket` and `Connection: Upgrade` (RFC 6455 §4.1, §4.2.1).
    public func containsToken(_ token: String, inList name: String) -> Bool {
        listValues(name: name).contains { HTTPGrammar.equalsCaseInsensitively($0, token) }
    }

    /// Checks fields a caller asks a handshake to add: each name a token, each value writable
    /// as is (no CR or LF to inject lines with), and none of the `reserved` fields the handshake
    /// sets itself.
    func checkExtraFields(reserved: [String]) throws(HandshakeError) {
        for field in fields {
            guard HTTPGrammar.isToken(field.name), HTTPGrammar.isFieldValue(field.value) else {
                throw .invalidHeaderField(name: field.name)
            }
            if reserved.contains(where: { HTTPGrammar.equalsCaseInsensitively($0, field.name) }) {
                throw .reservedHeaderField(field.name)
            }
        }
    }

    /// Appends each field line in wire form, `name: value` CRLF. The caller vouches for the
    /// syntax; the handshake builders check names and values before calling.
    func write(into buffer: inout ByteBuffer) {
        for field in fields {
            buffer.writeString(field.name)
            buffer.writeStaticString(": ")
            buffer.writeString(field.value)
            buffer.writeStaticString("\r\n")
        }
    }
}
