public import NIOCore

/// What the engine asks the I/O layer to do, returned one at a time by
/// ``Connection/nextAction(decodingInput:)``. Bytes to write are not actions: they are collected and taken
/// with ``Connection/nextBytesToSend()``, so that one flush can carry many frames.
public enum ConnectionAction: Sendable, Hashable {
    /// A complete data message arrived.
    case deliverMessage(Message)
    /// A ping arrived; the matching pong is already queued (RFC 6455 §5.5.2).
    case deliverPing(ByteBuffer)
    /// A pong arrived (RFC 6455 §5.5.3).
    case deliverPong(ByteBuffer)
    /// The peer's close frame arrived. If this side had not sent one, the answer echoing its
    /// code and reason is already queued: the closing handshake has started (RFC 6455 §5.5.1, §7.1.3).
    case closeFrameReceived(CloseFrame)
    /// This side sent a close frame and now waits for the peer: if the TCP connection is
    /// not closed within a timeout, close it anyway (RFC 6455 §7.1.1 "reasonable amount of time").
    case startCloseTimer
    /// Write the queued bytes, then close the TCP connection (RFC 6455 §7.1.1): the closing
    /// handshake is complete on the server, or the connection was failed (§7.1.7).
    case closeTransport
}
