/// A registry of named poem transforms: the logic of the transform server, with no networking
/// (the intro's `TransformService`, Part 12).
///
/// Transforms are found by name in this registry, never by reflection, so a client can only reach
/// what was registered — and a ``TransformFactory`` narrows that further to the names it exposes.
public final class TransformService {
    /// A transform: a poem in, a poem out; throwing means "no result for this poem".
    public typealias Transform = (String) throws -> String

    private var transforms: [String: Transform] = [:]

    /// An empty registry.
    public init() {}

    /// A registry holding the bundled transforms: ``PoemTransforms/standard``.
    public static func standard() -> TransformService {
        let service = TransformService()
        for (name, transform) in PoemTransforms.standard {
            service.register(name, transform)
        }
        return service
    }

    /// The registered names, sorted.
    public var names: [String] { transforms.keys.sorted() }

    /// Registers `transform` under `name`, replacing any transform of that name.
    ///
    /// - Precondition: `name` is not empty and contains no `.` (the wire format splits the request
    ///   at its first dot, so such a name could never be asked for).
    public func register(_ name: String, _ transform: @escaping Transform) {
        precondition(!name.isEmpty && !name.contains("."), "a transform name must be non-empty and free of '.', got '\(name)'")
        transforms[name] = transform
    }

    /// Whether a transform called `name` is registered.
    public func contains(_ name: String) -> Bool {
        transforms[name] != nil
    }

    /// Applies the transform called `name` to `poem`.
    ///
    /// - Throws: ``UnknownTransform`` when no such transform is registered, or whatever the
    ///   transform itself throws.
    public func transform(_ name: String, _ poem: String) throws -> String {
        guard let transform = transforms[name] else { throw UnknownTransform(name: name) }
        return try transform(poem)
    }
}

/// A transform name nobody registered (or the factory does not expose).
public struct UnknownTransform: Error, CustomStringConvertible {
    /// The name that was asked for.
    public let name: String

    /// The error for `name`.
    public init(name: String) {
        self.name = name
    }

    /// `'<name>' no such transform`, the intro's log line.
    public var description: String { "'\(name)' no such transform" }
}
