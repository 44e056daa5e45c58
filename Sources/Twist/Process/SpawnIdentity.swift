import CTwistShims

/// The user and group a child switches to before exec (`spawnProcess`'s `uid` and `gid`); both
/// nil keeps the parent's, and then the spawn needs no `fork`.
struct SpawnIdentity: Equatable {
    var uid: UInt32?
    var gid: UInt32?

    init(uid: UInt32? = nil, gid: UInt32? = nil) {
        self.uid = uid
        self.gid = gid
    }

    /// True when neither id switches.
    var keepsParentIDs: Bool { uid == nil && gid == nil }

    /// The C shim's form.
    var cValue: twist_identity {
        twist_identity(setUser: uid == nil ? 0 : 1, uid: uid ?? 0, setGroup: gid == nil ? 0 : 1, gid: gid ?? 0)
    }

    /// The call a `TWIST_STEP_*` of `twist_spawn_as` names, for ``ProcessSpawnError/call``.
    static func callName(ofStep step: Int32) -> String {
        switch step {
        case Int32(TWIST_STEP_FORK): "fork"
        case Int32(TWIST_STEP_DESCRIPTORS): "dup2"
        case Int32(TWIST_STEP_SETSID): "setsid"
        case Int32(TWIST_STEP_CHDIR): "chdir"
        case Int32(TWIST_STEP_SETGROUPS): "setgroups"
        case Int32(TWIST_STEP_SETGID): "setgid"
        case Int32(TWIST_STEP_SETUID): "setuid"
        case Int32(TWIST_STEP_OPEN_TERMINAL): "open(terminal)"
        case Int32(TWIST_STEP_REPORT_PIPE): "pipe2"
        default: "execve"
        }
    }
}
