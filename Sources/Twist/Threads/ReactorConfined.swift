/// Carries a reactor-confined value (a Deferred, say) through a closure that runs on another
/// thread, which only hands it back to the reactor (through `callFromThread`) and never touches
/// it. The compiler cannot see that promise, so this box states it.
struct ReactorConfined<Value>: @unchecked Sendable {
    /// The value; read it only on its reactor's thread.
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
