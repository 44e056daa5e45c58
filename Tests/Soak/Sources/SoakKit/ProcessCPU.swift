public import Glibc

/// CPU seconds (user + system) a process has used, from /proc/PID/stat.
public func processCPUSeconds(_ pid: pid_t) -> Double {
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1_024)
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard count > 0, let paren = buffer[0..<count].lastIndex(of: UInt8(ascii: ")")) else { return 0 }
    // After "pid (comm)": field 3 is the state; utime and stime are fields 14 and 15.
    let fields = buffer[(paren + 2)..<count].split(separator: UInt8(ascii: " "))
    guard fields.count > 12,
        let user = Double(String(decoding: fields[11], as: UTF8.self)),
        let system = Double(String(decoding: fields[12], as: UTF8.self))
    else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Open descriptors of another process, counted from outside (/proc/PID/fd), so the figure is
/// there even when that process is out of descriptors itself.
public func processOpenDescriptors(_ pid: pid_t) -> Int {
    guard let directory = opendir("/proc/\(pid)/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(2)) }
        if name[0] == UInt8(ascii: ".") && (name[1] == 0 || name[1] == UInt8(ascii: ".")) { continue }
        count += 1
    }
    return count
}
