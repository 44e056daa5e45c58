/// One transform request as it travels inside a netstring: `<transform-name>.<poem>`, UTF-8
/// (`poetry.md` §3.2). The payload is split at its **first** dot, so names cannot hold a dot and
/// poems can.
public struct TransformRequest: Equatable, Sendable {
    /// The transform's name.
    public let name: String
    /// The poem to transform.
    public let poem: String

    /// A request for `name` applied to `poem`.
    public init(name: String, poem: String) {
        self.name = name
        self.poem = poem
    }

    /// Parses a netstring payload.
    ///
    /// - Throws: ``TransformRequestError`` when there is no dot (the empty payload included) or the
    ///   bytes are not valid UTF-8.
    public init(payload: ArraySlice<UInt8>) throws(TransformRequestError) {
        guard let dot = payload.firstIndex(of: UInt8(ascii: ".")) else { throw .noDot(byteCount: payload.count) }
        guard let name = String(validating: payload[..<dot], as: UTF8.self),
            let poem = String(validating: payload[(dot + 1)...], as: UTF8.self)
        else { throw .notUTF8 }
        self.name = name
        self.poem = poem
    }

    /// The netstring payload: `<name>.<poem>` in UTF-8.
    public var payload: [UInt8] {
        Array(name.utf8) + [UInt8(ascii: ".")] + Array(poem.utf8)
    }
}

/// A transform request the server cannot read.
public enum TransformRequestError: Error, Equatable, CustomStringConvertible {
    /// The payload has no `.` between a name and a poem.
    case noDot(byteCount: Int)
    /// The payload is not valid UTF-8.
    case notUTF8

    /// What is wrong with the request, as the server logs it ("bad request: ...").
    public var description: String {
        switch self {
        case .noDot(let count): "bad request: no '.' after a transform name in \(count) bytes"
        case .notUTF8: "bad request: the payload is not valid UTF-8"
        }
    }
}
