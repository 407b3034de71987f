/// Conformance cases whose recorded reference result Hookwork deliberately does not reproduce (DESIGN §5).
public enum KnownDeviations {
    /// Case id -> the reason, naming the deviation.
    public static let reasons: [String: String] = [
        "cond-000117": leakedCluster,
        "cond-000118": leakedCluster,
        "cond-000119": leakedCluster,
    ]

    static let leakedCluster =
        "DESIGN §5 deviation 2 (spec §4.2 item 6): the reference leaks an open OR cluster into the next group; Hookwork resets it."
}
