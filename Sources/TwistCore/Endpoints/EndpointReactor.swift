/// What a reactor must offer for every built-in description string to work: TCP, UNIX sockets,
/// adopting a listening socket (for `systemd:`) and time. ``serverFromString(_:_:)``,
/// ``clientFromString(_:_:)`` and the parsers registered with ``EndpointParsers`` take one.
///
/// The endpoint types themselves ask only for what they use (``TCP4ServerEndpoint`` takes any
/// ``ReactorTCP``), so they work with a reactor that has no UNIX sockets.
public typealias EndpointReactor = ReactorTCP & ReactorUNIX & ReactorSocketAdoption & ReactorTime
