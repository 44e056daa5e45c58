public import Twist

/// Fetches the poem from an upstream poetry server once and serves it from a cache afterwards
/// (the intro's `ProxyService`, Parts 13, 14 and 19).
///
/// A cache hit is `succeed(cached)`: a Deferred that has already fired (Part 14). A miss downloads
/// from upstream; only a download that completes is cached. A failed or cancelled download leaves
/// the cache empty, so the next request tries again. Requests made while a download is under way
/// each start their own, as in the intro.
public final class PoetryProxyService {
    /// The upstream poetry server.
    public let upstream: PoetryAddress
    /// The poem, once a download completed.
    public private(set) var cachedPoem: [UInt8]?
    private let reactor: any ReactorTCP & ReactorUNIX
    private let output: PoetryOutput

    /// A service for the poem at `upstream`, downloading through `reactor`; `Fetching poem from
    /// server.` and `Using cached poem.` go to `output`.
    public init(_ reactor: any ReactorTCP & ReactorUNIX, upstream: PoetryAddress, output: PoetryOutput = .silent) {
        self.reactor = reactor
        self.upstream = upstream
        self.output = output
    }

    /// The poem: at once from the cache, or from upstream.
    ///
    /// - Returns: a Deferred with the poem's bytes; it fails when the download fails. Cancelling a
    ///   download closes the upstream connection.
    public func poem() -> Deferred<[UInt8]> {
        if let cachedPoem {
            output.out("Using cached poem.\n")
            return succeed(cachedPoem)
        }
        output.out("Fetching poem from server.\n")
        return downloadPoem(reactor, upstream)
            .addCallback { [self] poem in
                cachedPoem = poem
                return poem
            }
    }
}
