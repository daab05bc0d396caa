/// Tests measure deadlines and intervals on `ContinuousClock`, never on `Date()`: the wall clock of
/// these VMs can step (a CI run once saw a 30 s deadline end after 0.57 s), which ends a deadline
/// early or makes a measured interval wrong.
extension Duration {
    /// This duration in seconds, for messages and comparisons with `TimeInterval` limits.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
