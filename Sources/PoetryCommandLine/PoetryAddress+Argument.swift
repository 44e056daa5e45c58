import ArgumentParser
public import Poetry

/// Parses a `[host:]port`, `tcp:`, `unix:` or `tls:` address argument (for `@Argument(transform:)`); a bad one is a usage error
/// (exit status 2) that says why.
public func parsePoetryAddress(_ text: String) throws -> PoetryAddress {
    do {
        return try PoetryAddress(parsing: text)
    } catch {
        throw ValidationError("bad address \(error)")
    }
}
