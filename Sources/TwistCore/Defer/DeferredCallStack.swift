#if canImport(Runtime)
import Runtime
#endif

/// A call stack recorded for Deferred debugging: taken as raw return addresses when a Deferred is
/// created or first fired (a few microseconds), and turned into text, names and source locations
/// only when an error message or a log record needs it.
///
/// Uses the Swift runtime's own backtracer (the toolchain's `Runtime` module), which unwinds Swift
/// and async frames and reads the binaries' symbol tables and debug information, so that it names
/// the functions of the executable itself (the dynamic linker's `dladdr` only sees exported
/// symbols). Where that module is missing, a stack reads "(not available)".
struct DeferredCallStack {
    #if canImport(Runtime)
    /// The raw stack, innermost frame first; nil when the unwinder failed.
    private let backtrace: Backtrace?

    /// The process's loaded images, listed once, at the first capture: capturing against a ready
    /// list takes microseconds, listing the images again for every capture hundreds. Stacks are
    /// symbolicated against this list too, never a newer one: once the symbolicator has mapped a
    /// library's file to read its symbols, a new list (Swift 6.3) may give that library the
    /// address of the symbolicator's mapping, and then none of its frames is named. The cost: code
    /// loaded after the first capture is shown as addresses.
    private static let images = ImageMap.capture()

    /// Captures the caller's stack.
    @inline(never)
    static func capture() -> DeferredCallStack {
        DeferredCallStack(backtrace: try? Backtrace.capture(images: images))
    }

    /// The stack as lines of text, oldest call first and most recent last (as in a Python
    /// traceback), starting at the public Deferred call (`Deferred.init`, `callback`, `cancel`…):
    /// the frames of the chain's internals and of this recorder are left out. Each line starts
    /// with two spaces: `  File "<path>", line <n>, in <function>` where the binary has debug
    /// information, `  <function> + <offset> in <image>` where it has only a symbol, and
    /// `  <address> in <image> (no symbol)` otherwise. Slow (a fraction of a second in a large
    /// debug binary): it reads symbol tables and debug information.
    func lines() -> [String] {
        guard let symbolicated = backtrace?.symbolicated(with: Self.images) else {
            return [Self.unavailable]
        }
        let frames = symbolicated.frames.drop(while: Self.isInternal)
        return frames.reversed().map { Self.line(for: $0, images: symbolicated.images) }
    }

    /// True for a frame of the code between the public Deferred API and the capture: this type,
    /// `DeferredDebugInfo` and `DeferredChain` (demangled names carry the type's name, after
    /// "static " or "specialized " when those apply).
    private static func isInternal(_ frame: SymbolicatedBacktrace.Frame) -> Bool {
        guard let name = frame.symbol?.name else { return false }
        return internalTypes.contains { name.contains($0) }
    }

    /// The types whose frames ``isInternal(_:)`` leaves out.
    private static let internalTypes = ["DeferredChain.", "DeferredDebugInfo.", "DeferredCallStack."]

    /// One frame as a line of text (see ``lines()``).
    private static func line(for frame: SymbolicatedBacktrace.Frame, images: ImageMap) -> String {
        switch frame.captured {
        case .omittedFrames(let count):
            return "  ... (\(count) frames left out)"
        case .truncated:
            return "  ... (older calls were not recorded)"
        default:
            break
        }
        guard let symbol = frame.symbol else {
            let address = frame.captured.originalProgramCounter
            let image = images.indexOfImage(at: address).flatMap { images[$0].name } ?? "an unknown image"
            return "  \(address) in \(image) (no symbol)"
        }
        if let location = symbol.sourceLocation, location.line > 0 {
            return "  File \"\(location.path)\", line \(location.line), in \(symbol.name)"
        }
        return "  \(symbol.name) + \(symbol.offset) in \(symbol.imageName)"
    }
    #else
    /// Records nothing: this toolchain has no backtracer.
    static func capture() -> DeferredCallStack {
        DeferredCallStack()
    }

    /// A single line saying that the stack is not available.
    func lines() -> [String] {
        [Self.unavailable]
    }
    #endif

    /// The one line shown for a stack that could not be captured.
    private static let unavailable = "  (not available)"
}
