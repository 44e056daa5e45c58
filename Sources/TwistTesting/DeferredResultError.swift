public import TwistCore

/// Why a Deferred's current result is not what a test expected: what
/// ``Deferred/requireSuccessResult()``, ``Deferred/requireFailureResult(_:)`` and
/// ``Deferred/requireNoResult()`` throw, and the text the Swift Testing helpers
/// (``successResultOf(_:sourceLocation:)`` and the others) record as an issue.
public enum DeferredResultError: Error, CustomStringConvertible {
    /// The Deferred has no result yet: it has not fired, or it is paused, or it waits on a
    /// Deferred one of its stages returned.
    case noResult
    /// A success was expected and the Deferred holds this failure.
    case failed(Failure)
    /// A failure was expected and the Deferred holds a success; the value is given as
    /// `String(describing:)` renders it.
    case succeeded(String)
    /// A failure of one of `expected` types was expected and the Deferred holds this one.
    case wrongFailure(Failure, expected: [any Error.Type])
    /// No result was expected and the Deferred holds this one (a success's value rendered by
    /// `String(describing:)`).
    case unexpectedResult(Result<String, Failure>)

    /// One line saying what was found instead of what was expected, plus the failure's type and
    /// the place it was made when there is a failure.
    public var description: String {
        switch self {
        case .noResult:
            "expected a result on the Deferred, found no result"
        case .failed(let failure):
            "expected a success result on the Deferred, found a failure: \(Self.describe(failure))"
        case .succeeded(let value):
            "expected a failure result on the Deferred, found a success result (\(value))"
        case .wrongFailure(let failure, let expected):
            "expected a failure of type \(expected.map { String(reflecting: $0) }.joined(separator: " or ")) "
                + "on the Deferred, found \(Self.describe(failure))"
        case .unexpectedResult(.success(let value)):
            "expected no result on the Deferred, found a success result (\(value))"
        case .unexpectedResult(.failure(let failure)):
            "expected no result on the Deferred, found a failure: \(Self.describe(failure))"
        }
    }

    /// The failure's qualified error type, its text, and where it was made when known (the closest
    /// thing a ``Failure`` has to Twisted's traceback).
    private static func describe(_ failure: Failure) -> String {
        var text = "\(String(reflecting: type(of: failure.error))): \(failure.error)"
        if let fileID = failure.fileID, let line = failure.line { text += " (made at \(fileID):\(line))" }
        return text
    }
}
