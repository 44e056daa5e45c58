public import Logging
public import Twist

/// Serves the transforms of a ``TransformService`` over the netstring protocol, exposing only the
/// names it was given (the intro's `TransformFactory`, Part 12).
///
/// The factory is the bridge between the service (pure logic) and the protocol (framing): it
/// looks the name up among those it exposes, runs the transform and turns every failure into one
/// log line and "no result". The protocol then closes without a reply.
public final class TransformFactory: ServerFactory {
    /// The service whose transforms are served.
    public let service: TransformService
    /// The names a client may ask for, sorted.
    public let exposedNames: [String]
    /// Where each refused request is logged, one line each.
    public let log: Logger

    /// A factory exposing `names` (all of the service's transforms when nil).
    ///
    /// - Throws: ``UnknownTransform`` when a name is not registered with `service`.
    public init(service: TransformService, exposing names: [String]? = nil, logger: Logger = Logger(label: "poetry.transform")) throws {
        let names = names ?? service.names
        if let missing = names.first(where: { !service.contains($0) }) { throw UnknownTransform(name: missing) }
        self.service = service
        exposedNames = Array(Set(names)).sorted()
        log = logger
        super.init()
    }

    /// A new ``TransformProtocol`` for each connection.
    public override func buildProtocol(address: Address) -> Protocol? {
        TransformProtocol(factory: self)
    }

    /// Applies the transform called `name` to `poem`, if this factory exposes it.
    ///
    /// - Throws: ``UnknownTransform`` when the name is not exposed (even if the service has it), or
    ///   ``TransformFailed`` when the transform threw.
    public func transform(_ name: String, _ poem: String) throws -> String {
        guard exposedNames.contains(name) else { throw UnknownTransform(name: name) }
        do {
            return try service.transform(name, poem)
        } catch {
            throw TransformFailed(name: name, underlying: error)
        }
    }
}

/// A transform that threw while transforming a poem.
public struct TransformFailed: Error, CustomStringConvertible {
    /// The transform's name.
    public let name: String
    /// What it threw.
    public let underlying: any Error

    /// Names the transform and the type and text of the error it threw.
    public var description: String { "'\(name)' failed: \(type(of: underlying)): \(underlying)" }
}
