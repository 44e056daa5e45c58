import ArgumentParser
import Poetry

/// Reads the poem file named on the command line, turning a missing file into a usage error
/// (`No such file: <path>`, exit status 2, as in the intro).
public func readPoemArgument(_ path: String) throws -> [UInt8] {
    do {
        return try PoemFile.read(path)
    } catch {
        throw ValidationError("\(error)")
    }
}
