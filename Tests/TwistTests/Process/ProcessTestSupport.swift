import Twist

/// A process protocol that records what happens to it, in order, and runs `onEnded` at the end.
class RecordingProcess: ProcessProtocol {
    var events: [String] = []
    var output: [Int32: [UInt8]] = [:]
    var exitedReason: Failure?
    var endedReason: Failure?
    var pidInsideExited: Int32?? = .none
    var onConnected: ((RecordingProcess) throws -> Void)?
    var onEnded: ((RecordingProcess) throws -> Void)?
    var onStdoutLost: (() -> Void)?

    var out: String { String(decoding: output[1] ?? [], as: UTF8.self) }
    var err: String { String(decoding: output[2] ?? [], as: UTF8.self) }

    override func connectionMade() {
        events.append("connectionMade")
        try? onConnected?(self)
    }

    override func childDataReceived(fd: Int32, data: ArraySlice<UInt8>) throws {
        output[fd, default: []].append(contentsOf: data)
    }

    override func childConnectionLost(fd: Int32) throws {
        events.append("childConnectionLost \(fd)")
        if fd == 1 { onStdoutLost?() }
    }

    override func processExited(reason: Failure) throws {
        events.append("processExited")
        exitedReason = reason
        pidInsideExited = .some(transport?.pid)
    }

    override func processEnded(reason: Failure) throws {
        events.append("processEnded")
        endedReason = reason
        try onEnded?(self)
    }
}

/// Spawns `args` (argv[0] is the executable; as `uid`/`gid` when given) on a fresh reactor, stopping the reactor when the
/// process ends; `setup` may adjust the protocol first. Returns the protocol (read after the
/// reactor stopped) and whether the test, not the watchdog, stopped the reactor.
func runChild(
    _ args: [String], environment: ProcessEnvironment = .empty, workingDirectory: String? = nil,
    uid: UInt32? = nil, gid: UInt32? = nil, childFDs: [Int32: ChildDescriptor] = ChildDescriptor.standard,
    timeout: Double = 20, _ setup: @escaping (RecordingProcess) -> Void = { _ in }
) async -> (process: RecordingProcess, finished: Bool) {
    await runRecorded(RecordingProcess(), timeout: timeout, setup) { reactor, process in
        try reactor.spawnProcess(
            process, executable: args[0], args: args, environment: environment, workingDirectory: workingDirectory,
            uid: uid, gid: gid, childFDs: childFDs)
    }
}

/// The one harness behind `runChild` and `runTerminalChild`: on a fresh reactor, `setup` adjusts
/// `process`, `spawn` starts the child, and the reactor stops when the process ends (after any
/// `onEnded` the setup installed).
func runRecorded<Recorded: RecordingProcess>(
    _ process: Recorded, timeout: Double, _ setup: @escaping (Recorded) -> Void,
    spawn: @escaping (Reactor, Recorded) throws -> Void
) async -> (process: Recorded, finished: Bool) {
    let reactor = Reactor()
    let box = UncheckedBox(process)
    let setup = UncheckedBox(setup)
    let spawn = UncheckedBox(spawn)
    let finished = await runRunning(reactor, timeout: timeout) {
        let process = box.value
        setup.value(process)
        let userEnd = process.onEnded
        process.onEnded = {
            try userEnd?($0)
            try reactor.stop()
        }
        try spawn.value(reactor, process)
    }
    return (box.value, finished)
}
