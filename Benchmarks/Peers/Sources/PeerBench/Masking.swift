/// Copies `source` into `target` XORed with a WebSocket masking key, 8 bytes at a time: the one
/// pass over a payload that masking (a client) or unmasking (a server) cannot avoid. `mask` holds
/// the key's 4 bytes in memory order, as read from or written to a frame with host endianness.
/// Shared by the floor server and the floor client; inlinable, so that it costs what it would in
/// their own modules.
@inlinable
public func copyMasked(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer, mask: UInt32) {
    let wide = UInt64(mask) | UInt64(mask) << 32  // the mask's 4 bytes twice, in memory order
    var offset = 0
    while offset + 8 <= source.count {
        let word = source.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        target.storeBytes(of: word ^ wide, toByteOffset: offset, as: UInt64.self)
        offset += 8
    }
    withUnsafeBytes(of: wide) { maskBytes in
        for index in offset..<source.count { target[index] = source[index] ^ maskBytes[index & 7] }
    }
}
