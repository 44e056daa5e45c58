extension ConnectionTimeout {
    /// A timer for `owner` that calls its ``TimeoutMixin/timeoutConnection()`` when a period runs out.
    public convenience init(clock: any ReactorTime, for owner: some TimeoutMixin) {
        self.init(clock: clock, owner: owner) { $0.timeoutConnection() }
    }
}
