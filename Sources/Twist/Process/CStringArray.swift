import Glibc

/// A NULL-terminated array of C strings (an argv or envp), owned: freed by ``free()``.
struct CStringArray {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) }
        pointers.append(nil)
    }

    /// Frees every string (call once).
    func free() {
        for pointer in pointers { Glibc.free(pointer) }
    }
}
