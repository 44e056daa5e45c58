import TwistCore

/// A service that writes "start NAME" / "stop NAME" into a shared journal, can be told to throw
/// from its start, and can hand back a Deferred from its stop that the test fires.
final class RecordingService: Service {
    final class Journal { var entries: [String] = [] }

    let journal: Journal
    var startError: (any Error)?
    var pendingStop: Deferred<Void>?
    var stopCount = 0

    init(_ name: String?, journal: Journal, startError: (any Error)? = nil) {
        self.journal = journal
        self.startError = startError
        super.init(name: name)
    }

    override func privilegedStartService() throws {
        journal.entries.append("privileged \(name ?? "-")")
    }

    override func startService() throws {
        if let startError { throw startError }
        try super.startService()
        journal.entries.append("start \(name ?? "-")")
    }

    override func stopService() -> Deferred<Void>? {
        _ = super.stopService()
        stopCount += 1
        journal.entries.append("stop \(name ?? "-")")
        return pendingStop
    }
}

struct Boom: Error, Equatable {}
