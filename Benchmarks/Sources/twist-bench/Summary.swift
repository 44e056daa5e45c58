/// The median of each scenario × peer over its runs, with the ratios to the two references.
struct Summary: Codable {
    var scenario: String
    /// "tcp", "unix" or "udp": the ratios compare peers over the same transport only.
    var transport: Transport
    var peer: String
    var runs: Int
    var value: Double
    var unit: String
    var higherIsBetter: Bool
    /// value ÷ the raw C server's value (nil when that peer was not run).
    var ratioToRawC: Double?
    /// value ÷ SwiftNIO's value.
    var ratioToNIO: Double?
    var serverCPUPerOperationMicroseconds: Double?
    var operation: String
    var serverCPUShare: Double?
    var loadgenCPUShare: Double?
    var serverResidentBytes: Double?
    var p50Microseconds: Double?
    var p99Microseconds: Double?
    /// UDP: datagrams sent in the measured window and not echoed within the loss time-out (median).
    var lostDatagrams: Double?

    /// Medians of `samples`, in scenario order (each scenario over each transport it ran on, as
    /// `scenarios` lists them) then peer order.
    static func make(_ samples: [Sample], scenarios: [Scenario], peers: [Peer]) -> [Summary] {
        var rows: [Summary] = []
        for scenario in scenarios {
            let ofScenario = samples.filter { $0.scenario == scenario.name && $0.transport == scenario.transport }
            func median(_ peer: String, _ pick: (Sample) -> Double?) -> Double? {
                let values = ofScenario.filter { $0.peer == peer }.compactMap(pick).sorted()
                guard !values.isEmpty else { return nil }
                let middle = values.count / 2
                return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
            }
            let rawC = median(Peer.rawC) { $0.value }
            let nio = median(Peer.nio) { $0.value }
            for peer in peers {
                guard let value = median(peer.name, { $0.value }) else { continue }
                rows.append(Summary(
                    scenario: scenario.name, transport: scenario.transport, peer: peer.name,
                    runs: ofScenario.filter { $0.peer == peer.name }.count, value: value, unit: scenario.unit,
                    higherIsBetter: scenario.higherIsBetter,
                    ratioToRawC: rawC.flatMap { $0 > 0 ? value / $0 : nil },
                    ratioToNIO: nio.flatMap { $0 > 0 ? value / $0 : nil },
                    serverCPUPerOperationMicroseconds: median(peer.name) { $0.serverCPUPerOperationMicroseconds },
                    operation: scenario.operation,
                    serverCPUShare: median(peer.name) { $0.serverCPUShare },
                    loadgenCPUShare: median(peer.name) { $0.loadgenCPUShare },
                    serverResidentBytes: median(peer.name) { $0.serverResidentBytes },
                    p50Microseconds: median(peer.name) { $0.load["p50_us"] },
                    p99Microseconds: median(peer.name) { $0.load["p99_us"] },
                    lostDatagrams: median(peer.name) { $0.load["lost"] }))
            }
        }
        return rows
    }

    /// Whether this row is `scenario` over its transport.
    func isRow(of scenario: Scenario) -> Bool {
        self.scenario == scenario.name && transport == scenario.transport
    }

    /// The ratio turned so that above 1 always means better than the reference.
    func goodness(_ ratio: Double?) -> Double? {
        guard let ratio, ratio > 0 else { return nil }
        return higherIsBetter ? ratio : 1 / ratio
    }
}
