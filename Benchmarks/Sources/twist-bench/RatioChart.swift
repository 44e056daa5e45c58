import Foundation

/// An SVG bar chart of every peer's standing against the raw C server and against SwiftNIO, turned
/// so that a longer bar is always better (for lower-is-better figures the ratio is inverted).
enum RatioChart {
    static let colors = ["twist": "#e4572e", "swiftnio": "#17bebb", "libev-c": "#4b4b4b", "twisted": "#76b041"]

    static func render(_ rows: [Summary], scenarios: [Scenario], peers: [Peer]) -> String {
        let barHeight = 13.0, gap = 10.0, labelWidth = 150.0, panelWidth = 330.0, top = 56.0
        let groupHeight = Double(peers.count) * barHeight + gap
        let height = top + Double(scenarios.count) * groupHeight + 40
        let width = labelWidth + 2 * panelWidth + 60
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">twist-bench: each peer relative to raw C libev and to SwiftNIO (longer is better; 1.0 = equal)</text>",
        ]
        for (index, peer) in peers.enumerated() {
            let x = 10 + Double(index) * 110
            svg.append("<rect x=\"\(x)\" y=\"28\" width=\"10\" height=\"10\" fill=\"\(colors[peer.name] ?? "#999")\"/>")
            svg.append("<text x=\"\(x + 14)\" y=\"37\">\(peer.name)</text>")
        }
        for (panel, (title, pick)) in [("vs raw C libev", \Summary.ratioToRawC), ("vs SwiftNIO", \Summary.ratioToNIO)].enumerated() {
            let left = labelWidth + Double(panel) * (panelWidth + 30)
            let values = rows.compactMap { $0.goodness($0[keyPath: pick]) }
            let scaleMax = min(max(1.5, (values.max() ?? 1) * 1.1), 4)
            func x(_ value: Double) -> Double { left + min(value, scaleMax) / scaleMax * panelWidth }
            svg.append("<text x=\"\(left)\" y=\"\(top - 6)\" font-weight=\"bold\">\(title)</text>")
            let bottom = top + Double(scenarios.count) * groupHeight
            svg.append("<line x1=\"\(x(1))\" y1=\"\(top)\" x2=\"\(x(1))\" y2=\"\(bottom)\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>")
            svg.append("<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" stroke=\"#333\"/>")
            svg.append("<text x=\"\(x(1) - 8)\" y=\"\(bottom + 14)\">1.0</text>")
            svg.append("<text x=\"\(left + panelWidth - 20)\" y=\"\(bottom + 14)\">\(String(format: "%.1f", scaleMax))</text>")
            for (group, scenario) in scenarios.enumerated() {
                let groupTop = top + Double(group) * groupHeight
                if panel == 0 {
                    svg.append("<text x=\"10\" y=\"\(groupTop + groupHeight / 2)\">\(scenario.label)</text>")
                }
                for (index, peer) in peers.enumerated() {
                    guard let row = rows.first(where: { $0.isRow(of: scenario) && $0.peer == peer.name }),
                        let value = row.goodness(row[keyPath: pick])
                    else { continue }
                    let y = groupTop + Double(index) * barHeight
                    svg.append("<rect x=\"\(left)\" y=\"\(y)\" width=\"\(max(x(value) - left, 1))\" height=\"\(barHeight - 2)\" fill=\"\(colors[peer.name] ?? "#999")\"/>")
                    svg.append("<text x=\"\(x(value) + 3)\" y=\"\(y + barHeight - 3)\" font-size=\"9\">\(String(format: "%.2f", value))</text>")
                }
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }
}
