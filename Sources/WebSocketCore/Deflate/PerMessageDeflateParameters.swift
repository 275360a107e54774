extension PerMessageDeflate {
    /// What both sides agreed on in the opening handshake (RFC 7692 §7.1); it holds for the
    /// connection's whole life.
    ///
    /// A parameter the response left out has its default (RFC 7692 §7.1): context takeover
    /// allowed, windows of 15 bits. Obtain it from ``Configuration/accept(extensions:)`` (client)
    /// or ``Configuration/negotiate(offers:)`` (server) and give it to
    /// ``Connection/Configuration/perMessageDeflate``.
    public struct Parameters: Sendable, Hashable {
        /// The server resets its compression context after every message (RFC 7692 §7.1.1.1).
        public var serverNoContextTakeover: Bool
        /// The client resets its compression context after every message (RFC 7692 §7.1.1.2).
        public var clientNoContextTakeover: Bool
        /// The largest LZ77 window the server compresses with, as a base-2 logarithm, 8...15
        /// (RFC 7692 §7.1.2.1).
        public var serverMaxWindowBits: Int
        /// The largest LZ77 window the client compresses with, as a base-2 logarithm, 8...15
        /// (RFC 7692 §7.1.2.2).
        public var clientMaxWindowBits: Int

        /// Creates parameters; the defaults are those of an element with no parameters.
        public init(
            serverNoContextTakeover: Bool = false,
            clientNoContextTakeover: Bool = false,
            serverMaxWindowBits: Int = 15,
            clientMaxWindowBits: Int = 15
        ) {
            precondition(windowBitsRange.contains(serverMaxWindowBits), "serverMaxWindowBits must be in 8...15")
            precondition(windowBitsRange.contains(clientMaxWindowBits), "clientMaxWindowBits must be in 8...15")
            self.serverNoContextTakeover = serverNoContextTakeover
            self.clientNoContextTakeover = clientNoContextTakeover
            self.serverMaxWindowBits = serverMaxWindowBits
            self.clientMaxWindowBits = clientMaxWindowBits
        }

        /// Whether the endpoint in `role` resets its compression context after every message
        /// it sends.
        public func noContextTakeover(sentBy role: Role) -> Bool {
            role == .server ? serverNoContextTakeover : clientNoContextTakeover
        }

        /// The largest window the endpoint in `role` compresses with.
        public func maxWindowBits(sentBy role: Role) -> Int {
            role == .server ? serverMaxWindowBits : clientMaxWindowBits
        }
    }
}
