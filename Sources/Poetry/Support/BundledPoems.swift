import Foundation

/// A public-domain poem shipped with the package (see `Sources/Poetry/Poems/`).
public struct BundledPoem: Sendable {
    /// The file name without `.txt`, such as `the-tyger`.
    public let name: String
    /// The file's bytes: UTF-8 text with LF line endings, title on the first line, the author's
    /// credit on the last, ending with a single newline.
    public let bytes: [UInt8]
    /// Where the file is on disk (inside the package's resource bundle).
    public let path: String

    /// The poem as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The poems bundled as package resources, for the demo and the tests.
public enum BundledPoems {
    /// The names of the bundled poems, in a fixed order.
    public static let names = ["the-tyger", "chapmans-homer", "hope", "die-lorelei", "wandrers-nachtlied"]

    /// Every bundled poem, in the order of ``names``.
    ///
    /// - Throws: ``PoemFileError`` if the resource bundle is missing a poem (a broken install).
    public static func all() throws -> [BundledPoem] {
        try names.map { try poem(named: $0) }
    }

    /// The bundled poem called `name` (without `.txt`).
    ///
    /// - Throws: ``PoemFileError`` when there is no such poem.
    public static func poem(named name: String) throws -> BundledPoem {
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Poems") else {
            throw PoemFileError(path: "\(name).txt", reason: "no such bundled poem")
        }
        return BundledPoem(name: name, bytes: try PoemFile.read(url.path), path: url.path)
    }
}
