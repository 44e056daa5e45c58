/// The paragraph printed under the table when TLS scenarios ran: what was negotiated and how the
/// load generator behaves, so the TLS rows can be read correctly.
enum TLSNote {
    /// nil when no TLS sample is among `samples`.
    static func render(_ samples: [Sample], peers: [Peer]) -> String? {
        let tls = samples.filter { $0.tlsNegotiated != nil }
        guard !tls.isEmpty else { return nil }
        let negotiated = Set(tls.compactMap(\.tlsNegotiated)).sorted().joined(separator: "; ")
        // Session tickets the server sent per connection (the load generator never resumes one).
        let tickets = peers.compactMap { peer -> String? in
            let mine = tls.filter { $0.peer == peer.name }
            let sent = mine.compactMap { $0.load["tls_session_tickets"] }.reduce(0, +)
            let connections = mine.compactMap { $0.load["total_connections"] ?? $0.load["conns"] }.reduce(0, +)
            guard connections > 0 else { return nil }
            return "\(peer.name) \(MarkdownTable.number(sent / connections))"
        }
        // A TLS client costs about what the server does, so the load generator (one core) can be
        // the limit of a rate; the server's CPU per operation is then the figure to compare.
        let saturated = Set(
            tls.filter { ($0.loadgenCPUShare ?? 0) >= saturation }.map { "\($0.scenario) \($0.peer)" }
        ).sorted()
        let limit = saturated.isEmpty ? "" : """
             The load generator used ≥ \(Int(saturation * 100))% of its CPU in \(saturated.joined(separator: ", ")): \
            there the rate is the load generator's limit; compare server CPU per op.
            """
        return """
            TLS rows: negotiated \(negotiated). twist-loadgen offers only TLS 1.3, one cipher suite and one \
            group, does not verify certificates, never resumes a session (every connection is a full \
            handshake) and closes with close_notify without waiting for the server's. Session tickets \
            sent per connection: \(tickets.joined(separator: ", ")).\(limit)
            """
    }

    /// The load generator's CPU share above which a run counts as limited by it.
    static let saturation = 0.9
}
