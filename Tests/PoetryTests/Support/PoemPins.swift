import Poetry

/// Each bundled poem's size and FNV-1a 64-bit hash, before and after `cummingsify`, computed
/// independently (with Python's `str.lower()`) when the poems were added. A poem whose bytes
/// change, or a server or transform that alters them, fails against these.
struct PoemPin: Sendable, CustomStringConvertible {
    let name: String
    let size: Int
    let hash: UInt64
    let cummingsifiedSize: Int
    let cummingsifiedHash: UInt64

    var description: String { name }

    static let all = [
        PoemPin(name: "the-tyger", size: 835, hash: 0xffee_5964_d56b_66e1, cummingsifiedSize: 835, cummingsifiedHash: 0xe74c_8e54_4a7a_0381),
        PoemPin(name: "chapmans-homer", size: 638, hash: 0x5e3b_f260_d244_f6ed, cummingsifiedSize: 638, cummingsifiedHash: 0x2225_b8bd_1b02_fccd),
        PoemPin(name: "hope", size: 438, hash: 0x7e02_9b6a_c95b_0b50, cummingsifiedSize: 438, cummingsifiedHash: 0x0f31_6d63_2a22_a090),
        PoemPin(name: "die-lorelei", size: 743, hash: 0xca83_2ba7_4fe7_598e, cummingsifiedSize: 743, cummingsifiedHash: 0x1c9f_d354_e85c_b76e),
        PoemPin(name: "wandrers-nachtlied", size: 216, hash: 0x68b7_caa9_1e7b_351f, cummingsifiedSize: 216, cummingsifiedHash: 0xacbc_324a_52db_6e3f),
    ]

    /// The bundled poem this pin is for.
    var poem: BundledPoem { get throws { try BundledPoems.poem(named: name) } }
}

/// FNV-1a, 64 bits.
func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}

/// A netstring: `<length>:<payload>,`.
func netstring(_ payload: some Collection<UInt8>) -> [UInt8] {
    Array("\(payload.count):".utf8) + Array(payload) + [UInt8(ascii: ",")]
}

/// A netstring of UTF-8 text.
func netstring(_ text: String) -> [UInt8] {
    netstring(Array(text.utf8))
}
