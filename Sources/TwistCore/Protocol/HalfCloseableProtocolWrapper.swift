/// A ``ProtocolWrapper`` that is a ``HalfCloseableProtocol``, for wrapping a protocol that is one.
///
/// A transport decides whether a connection survives the peer's end of input by asking whether
/// *its* protocol — the outermost wrapper — is half-closeable. This class says yes, and passes
/// ``ProtocolWrapper/readConnectionLost()`` and ``ProtocolWrapper/writeConnectionLost()`` to the
/// wrapped protocol. ``WrappingFactory`` chooses it when the wrapped protocol is half-closeable,
/// so a plain wrapper costs nothing for protocols that are not.
///
/// A wrapper subclass gets the same by declaring the conformance, with no code:
/// `final class HalfCloseableCounter: Counter, HalfCloseableProtocol {}`.
open class HalfCloseableProtocolWrapper: ProtocolWrapper, HalfCloseableProtocol {}
