internal import Glibc

/// The listening sockets a service manager handed to this process by systemd's socket-activation
/// protocol (Twisted's `twisted.python.systemd.ListenFDs`): `LISTEN_FDS=N` descriptors, numbered
/// from 3, meant for this process when `LISTEN_PID` is its process ID, optionally named by
/// `LISTEN_FDNAMES` (names separated by ":").
///
/// ``inherited`` reads the real environment once per process, on first use, and then removes the
/// three variables from it so that child processes do not believe the sockets are theirs. Tests
/// build a value from a dictionary instead, with ``init(environment:processID:)``, and never touch
/// the process environment.
///
/// **Twist choice.** Twisted inherits nothing when the number of names differs from the number
/// of descriptors (so nothing at all when `LISTEN_FDNAMES` is unset, as with systemd before 227
/// or a manager that sets no names). Twist keeps the descriptors and only drops the names: lookup
/// by index works, lookup by name does not (``names`` is nil).
public struct ListenFDs: Sendable, Equatable {
    /// The first inherited descriptor: systemd passes its sockets as 3, 4, ...
    public static let firstDescriptor: Int32 = 3
    /// The most descriptors believed: a larger `LISTEN_FDS` is taken as garbage (nothing inherited).
    public static let maximumCount = 65_536

    /// The inherited descriptors, in order (3, 4, ...); empty when nothing was inherited.
    public let descriptors: [Int32]
    /// Their names, one per descriptor in the same order; nil when there are none to be had
    /// (`LISTEN_FDNAMES` unset, or not one name per descriptor).
    public let names: [String]?

    /// A value from its parts; `names`, when given, must hold one name per descriptor (otherwise
    /// they are dropped).
    public init(descriptors: [Int32], names: [String]?) {
        self.descriptors = descriptors
        self.names = names?.count == descriptors.count ? names : nil
    }

    /// What `environment` hands to the process `processID`: nothing unless `LISTEN_PID` is that
    /// ID (in decimal) and `LISTEN_FDS` a count from 0 to ``maximumCount``; then descriptors 3,
    /// 4, ... and, when `LISTEN_FDNAMES` holds exactly one ":"-separated name per descriptor,
    /// their names. Reads nothing else and changes nothing.
    public init(environment: [String: String], processID: Int32) {
        guard let pid = environment["LISTEN_PID"].flatMap({ Int32($0) }), pid == processID,
              let count = environment["LISTEN_FDS"].flatMap({ Int($0) }), (0...Self.maximumCount).contains(count)
        else {
            self.init(descriptors: [], names: nil)
            return
        }
        let names = environment["LISTEN_FDNAMES"].map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        self.init(descriptors: (0..<count).map { Self.firstDescriptor + Int32($0) }, names: names)
    }

    /// The descriptor at `index` (0 is descriptor 3); nil when there is no such index.
    public func descriptor(at index: Int) -> Int32? {
        descriptors.indices.contains(index) ? descriptors[index] : nil
    }

    /// The first descriptor named `name`; nil when none is, or when there are no ``names``.
    public func descriptor(named name: String) -> Int32? {
        names?.firstIndex(of: name).map { descriptors[$0] }
    }

    /// What this process inherited: the real environment, read once — on the first use of this
    /// property, from any thread — after which `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` are
    /// removed from the environment. Later reads return the same value.
    ///
    /// Removing variables is not safe while another thread reads the environment (`getenv`); use
    /// this first at start-up (the `systemd:` parser does, when a server parses its `--listen`).
    public static var inherited: ListenFDs { processWide }

    /// The value behind ``inherited``: a lazily initialised global, which Swift initialises once
    /// under a lock.
    private static let processWide: ListenFDs = readAndClearProcessEnvironment()

    /// Reads the three variables, removes them, and interprets them for this process.
    private static func readAndClearProcessEnvironment() -> ListenFDs {
        var environment: [String: String] = [:]
        for key in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
            if let value = getenv(key) { environment[key] = String(cString: value) }
            unsetenv(key)
        }
        return ListenFDs(environment: environment, processID: getpid())
    }
}
