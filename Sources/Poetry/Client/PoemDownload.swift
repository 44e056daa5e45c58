public import Twist

/// Downloads the poem served at `host`:`port` (the poetry protocol: connect, read to the end).
///
/// - Returns: a Deferred that fires with the poem's bytes, or fails when the connect fails;
///   cancelling it stops the download.
public func downloadPoem(_ reactor: any ReactorTCP, host: String, port: Int, timeout: Double = 30) -> Deferred<[UInt8]> {
    let factory = PoetryClientFactory()
    reactor.connectTCP(host, port, factory, timeout: timeout, bindAddress: nil)
    return factory.poem
}

/// Downloads the poem served at `address` and decodes it as UTF-8 (invalid bytes become U+FFFD).
///
/// - Returns: a Deferred that fires with the poem's text, or fails when the connect fails;
///   cancelling it stops the download.
public func getPoetry(_ reactor: any ReactorTCP & ReactorUNIX, _ address: PoetryAddress, timeout: Double = 30) -> Deferred<String> {
    downloadPoem(reactor, address, timeout: timeout)
        .addCallback { String(decoding: $0, as: UTF8.self) }
}

/// Downloads the poem served at `address`, over TCP or a UNIX socket.
///
/// - Returns: a Deferred that fires with the poem's bytes, or fails when the connect fails;
///   cancelling it stops the download.
public func downloadPoem(_ reactor: any ReactorTCP & ReactorUNIX, _ address: PoetryAddress, timeout: Double = 30) -> Deferred<[UInt8]> {
    let factory = PoetryClientFactory()
    address.connect(reactor, factory, timeout: timeout)
    return factory.poem
}
