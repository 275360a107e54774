import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waiting for the SIGTERM or SIGINT that ends a server, for the peers whose library does not
/// handle signals itself.
public enum Termination {
    /// Returns once SIGTERM or SIGINT arrives; from then on neither kills the process, so that
    /// the caller can shut down and exit 0.
    public static func wait() async {
        let arrived = Gate()
        let queue = DispatchQueue(label: "peers.signals")
        let sources = [SIGTERM, SIGINT].map { number in
            // Ignored first, so that the default action (death) does not win the race with
            // the dispatch source.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { arrived.open() }
            source.resume()
            return source
        }
        await arrived.wait()
        sources.forEach { $0.cancel() }
    }
}
