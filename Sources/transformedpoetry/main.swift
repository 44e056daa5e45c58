import ArgumentParser
import Poetry
import PoetryCommandLine
import Twist
import TwistCommandLine

/// The transform server (the intro's Part 12): netstring requests `<name>.<poem>`, netstring replies.
struct TransformedPoetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transformedpoetry",
        abstract: "Serves poem transforms over netstrings: send '<len>:<name>.<poem>,', get the transformed poem back.",
        discussion: """
            Transforms: \(PoemTransforms.standard.map(\.name).joined(separator: ", ")) \
            (cummingsify lower-cases, shout upper-cases, backwards reverses the lines, title keeps \
            the first non-blank line and fails on a blank poem). Prints \
            'Serving transforms on <address>.' for each endpoint once it listens. One request per connection; \
            the reply is one netstring, then the server closes. A bad request, an unknown \
            transform, a transform that fails or malformed framing get no reply: the connection \
            is closed and one line is logged to standard error. Stops on Ctrl-C or SIGTERM.
            """
    )

    @OptionGroup var server: ServerOptions

    @Option(name: .customLong("transform"), help: "Expose only this transform (repeat for several; default: all).")
    var transforms: [String] = []

    func validate() throws {
        let known = TransformService.standard()
        if let unknown = transforms.first(where: { !known.contains($0) }) {
            throw ValidationError("no such transform: '\(unknown)' (known: \(known.names.joined(separator: ", ")))")
        }
    }

    func run() throws {
        let runner = TwistRunner(options: server)
        let factory = try TransformFactory(service: .standard(), exposing: transforms.isEmpty ? nil : transforms)
        try runner.listen(factory) { Console.out("Serving transforms on \($0.address).\n") }
        try runner.run()
    }
}

TransformedPoetry.mainWithUsageStatus2()
