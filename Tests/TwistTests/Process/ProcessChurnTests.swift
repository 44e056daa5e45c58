import Foundation
import Testing
import Twist

/// Many children in a row, counted in a process of their own (an exit test), where no other test
/// opens descriptors or spawns children: descriptors and zombies must come back to the baseline.
@Suite(.timeLimit(.minutes(2))) struct ProcessChurnTests {
    @Test func aThousandTrueChildrenAndFailedSpawnsLeaveNoDescriptorOrZombieBehind() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let reactor = Reactor()
            var baseline = -1
            var outcome: Int32 = 10
            var remaining = 1000
            func spawnNext() throws {
                let child = EndWatcher { reason in
                    guard reason.check(ProcessDone.self) != nil else {
                        outcome = 11
                        try? reactor.stop()
                        return
                    }
                    remaining -= 1
                    if remaining > 0 {
                        try? spawnNext()
                        return
                    }
                    let descriptors = openDescriptorCount()
                    let zombies = zombieChildCount()
                    outcome = descriptors == baseline && zombies == 0 ? 0 : 12
                    try? reactor.stop()
                }
                try reactor.spawnProcess(child, executable: "/bin/true", args: ["true"])
            }
            // The baseline is taken after one child has come and gone and the process has settled
            // (the first spawn and the first /proc listing may set things up for good).
            let warmUp = EndWatcher { _ in
                reactor.callLater(0.1) {
                    baseline = openDescriptorCount()
                    try startChurn()
                }
            }
            func startChurn() throws {
                for _ in 0..<20 {
                    _ = try? reactor.spawnProcess(EndWatcher { _ in }, executable: "/nonexistent/twist-none", args: ["x"])
                }
                guard openDescriptorCount() == baseline else {
                    outcome = 13
                    try reactor.stop()
                    return
                }
                try spawnNext()
            }
            reactor.callWhenRunning {
                _ = openDescriptorCount()
                try reactor.spawnProcess(warmUp, executable: "/bin/true", args: ["true"])
            }
            reactor.callLater(90) { exit(3) }
            try reactor.run()
            exit(outcome)
        }
    }
}

/// Calls `onEnded` with processEnded's reason.
final class EndWatcher: ProcessProtocol {
    let onEnded: (Failure) -> Void
    init(_ onEnded: @escaping (Failure) -> Void) { self.onEnded = onEnded }
    override func processEnded(reason: Failure) throws { onEnded(reason) }
}

/// The number of descriptors this process has open (entries of /proc/self/fd, less the one the
/// listing itself uses).
func openDescriptorCount() -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 0) - 1
}

/// The number of this process's children that are zombies (state Z in /proc/<pid>/stat).
func zombieChildCount() -> Int {
    let me = getpid()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    var zombies = 0
    for entry in entries where entry.allSatisfy(\.isNumber) {
        guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, fields[0] == "Z", Int32(fields[1]) == me { zombies += 1 }
    }
    return zombies
}
