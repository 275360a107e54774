import WebSocketCore

/// Checks the incremental validator against the standard library on arbitrary bytes, whole
/// and split at a point chosen by the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let all = UnsafeRawBufferPointer(start: start, count: count)
    let split = Int(all[0]) % count
    let bytes = UnsafeRawBufferPointer(rebasing: all[1...])
    let expected = String(validating: bytes, as: UTF8.self) != nil
    precondition(UTF8Validator.isValid(bytes) == expected, "disagrees with String(validating:)")
    var validator = UTF8Validator()
    let splitAt = min(split, bytes.count)
    let incremental = validator.validate(UnsafeRawBufferPointer(rebasing: bytes[..<splitAt]))
        && validator.validate(UnsafeRawBufferPointer(rebasing: bytes[splitAt...]))
        && validator.isAtCharacterBoundary
    precondition(incremental == expected, "split validation disagrees with whole validation")
    return 0
}
