extension PerMessageDeflate {
    /// A server's acceptance of one permessage-deflate offer.
    public struct Agreement: Sendable, Hashable {
        /// The element to answer with in `Sec-WebSocket-Extensions`: pass it to
        /// ``HandshakeRequest/acceptingResponse(subprotocol:extensions:extraHeaders:)``.
        public var response: ExtensionOffer
        /// The parameters in use from then on.
        public var parameters: Parameters

        /// Creates an agreement.
        public init(response: ExtensionOffer, parameters: Parameters) {
            self.response = response
            self.parameters = parameters
        }
    }
}
