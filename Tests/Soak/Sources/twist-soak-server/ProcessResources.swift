import Glibc

/// The process's own resource figures, read from /proc.
enum ProcessResources {
    /// Open descriptors: the entries of /proc/self/fd, less the one the listing itself uses.
    static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(2)) }
            if name[0] == UInt8(ascii: ".") && (name[1] == 0 || name[1] == UInt8(ascii: ".")) { continue }
            count += 1
        }
        return count - 1
    }

    /// Resident set size in KiB (the second field of /proc/self/statm, in pages).
    static func residentKiB() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return -1 }
        let fields = buffer[0..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return -1 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
}
