extension Failure {
    /// The failure as a Python traceback reads, for logs (Twisted's `Failure.getTraceback()`):
    /// `Traceback (most recent call last):`, the place the failure was made as
    /// `  File "<fileID>", line <n>`, then `<qualified error type>: <error>`; or, when the place is
    /// not known, `Traceback (failure with no frames): <qualified error type>: <error>`. Never the
    /// `Failure(...)` form of ``description``.
    var traceback: String {
        let summary = "\(String(reflecting: type(of: error))): \(error)"
        guard let fileID, let line else { return "Traceback (failure with no frames): \(summary)" }
        return "Traceback (most recent call last):\n  File \"\(fileID)\", line \(line)\n\(summary)"
    }

    /// The text of the log record for this failure, as Twisted's log renders a logged failure:
    /// `why` (by default "Unhandled Error"), a newline, then ``traceback``.
    func logText(why: String = "Unhandled Error") -> String {
        "\(why)\n\(traceback)"
    }
}
