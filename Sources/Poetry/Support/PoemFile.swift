import Foundation

/// Reads poem files for the servers.
public enum PoemFile {
    /// The bytes of the file at `path`, exactly as stored.
    ///
    /// - Throws: ``PoemFileError`` ("No such file: <path>", as the intro says) when it cannot be read.
    public static func read(_ path: String) throws(PoemFileError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PoemFileError(path: path, reason: "No such file")
        }
        return [UInt8](data)
    }
}

/// A poem file that could not be read.
public struct PoemFileError: Error, CustomStringConvertible {
    /// The path that was asked for.
    public let path: String
    /// Why it could not be read.
    public let reason: String

    /// The error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The reason, then the path: "<reason>: <path>".
    public var description: String { "\(reason): \(path)" }
}
