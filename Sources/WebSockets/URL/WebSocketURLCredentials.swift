import Foundation

extension WebSocketURL {
    /// The `Authorization` field value for the URL's credentials: `Basic` and the base64 of
    /// `username:password`, both percent-decoded to their UTF-8 bytes (RFC 7617 §2, charset
    /// UTF-8); nil when the URL does not "include credentials" (URL Standard §4.1).
    var basicAuthorization: String? {
        guard !username.isEmpty || !password.isEmpty else { return nil }
        let userPass = Self.percentDecode(username) + [UInt8(ascii: ":")] + Self.percentDecode(password)
        return "Basic " + Data(userPass).base64EncodedString()
    }
}
