import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A cookie store of its own, in memory only, for one test. Linux's Foundation has no public
/// initializer for one and persists `.shared` and the group-container stores under
/// `~/.local/share`; `URLSessionConfiguration.ephemeral` makes a fresh in-memory store each time.
func ephemeralCookieStorage() throws -> HTTPCookieStorage {
    _ = sharedStoreFolderCleanUp
    return try #require(URLSessionConfiguration.ephemeral.httpCookieStorage)
}

/// Making a `URLSessionConfiguration` creates the shared store, once, and on Linux that creates
/// its empty folder, `~/.local/share/<bundle name>`: removed again if it is new and still empty,
/// so that the tests leave nothing in the home directory.
private let sharedStoreFolderCleanUp: Void = {
    #if canImport(FoundationNetworking)
    // The folder swift-corelibs-foundation names after the bundle, extension dropped.
    let bundleName = URL(fileURLWithPath: Bundle.main.bundlePath).deletingPathExtension().lastPathComponent
    let folder = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        .appendingPathComponent(bundleName)
    let existed = FileManager.default.fileExists(atPath: folder.path)
    _ = HTTPCookieStorage.shared
    if !existed, (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
        try? FileManager.default.removeItem(at: folder)
    }
    #endif
}()
