import WebSocketCore

extension Connection {
    /// The engine for a connection whose handshake just completed, as both roles configure it:
    /// frames and messages bounded by `maxMessageSize` (so only the message limit binds), at most
    /// `maxFragmentsPerMessage` frames a message, and permessage-deflate if it was negotiated,
    /// compressing as `compression` says.
    init(
        role: Role, maxMessageSize: Int, maxFragmentsPerMessage: Int,
        perMessageDeflate: PerMessageDeflate.Parameters?, compression: PerMessageDeflate.Configuration?
    ) {
        let limits = Limits(
            maxFrameSize: maxMessageSize, maxMessageSize: maxMessageSize, maxFragmentsPerMessage: maxFragmentsPerMessage)
        self.init(
            role: role,
            configuration: .init(
                limits: limits, perMessageDeflate: perMessageDeflate, compression: compression ?? PerMessageDeflate.Configuration()))
    }
}
