import Foundation
import Glibc

/// One run of one scenario against one peer.
struct Sample: Codable {
    var scenario: String
    /// "tcp" or "unix".
    var transport: Transport
    var peer: String
    var run: Int
    /// The scenario's headline figure.
    var value: Double
    /// Server CPU time (user + system) per operation, µs; nil for the idle scenario.
    var serverCPUPerOperationMicroseconds: Double?
    /// Server CPU time ÷ wall time while the load generator ran (1.0 = one core busy).
    var serverCPUShare: Double?
    /// The load generator's own CPU time ÷ its wall time.
    var loadgenCPUShare: Double?
    /// Server VmRSS at the end (idle: while the connections were held), bytes.
    var serverResidentBytes: Double?
    /// TLS scenarios: what the load generator negotiated, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384
    /// X25519 ecdsa_secp256r1_sha256" (absent otherwise).
    var tlsNegotiated: String?
    /// Every number of the load generator's JSON line.
    var load: [String: Double]
}

/// Starts a peer, drives it with twist-loadgen, reads /proc, stops the peer by pid.
struct Measurement {
    let loadgen: String
    /// Pin the server to CPU 0 and the load generator to CPU 1 with taskset.
    let pin: Bool
    let logDirectory: String
    /// The temporary directory for the UNIX sockets (`<peer>.sock`); the runner removes it.
    let socketDirectory: String
    let warmup: Double
    let duration: Double
    let hold: Double
    /// The TLS scenarios' certificates (empty when none runs).
    var certificates = TLSCertificates()

    func run(_ scenario: Scenario, on peer: Peer, run: Int) throws -> Sample {
        let transport = scenario.transport
        let log = "\(logDirectory)/\(scenario.name)-\(transport == .unix ? "unix-" : "")\(peer.name)-\(run)"
        let socket = "\(socketDirectory)/\(peer.name).sock"
        // A UDP scenario's peer serves UDP on a port of 127.0.0.1 (and prints "PORT <n>" too).
        let listen = transport.listenArguments(socket: socket)
        let server = try Child(
            (pin ? ["taskset", "-c", "0"] : []) + peer.command(scenario.framing, listen + tlsArguments(scenario)),
            errorLog: "\(log).server.log")
        defer { server.stop() }
        // The ready line: "PORT <n>" over TCP and UDP, "UNIX <path>" (the path it was given) over UNIX.
        let ready = server.readLine(timeout: 20)
        let address = ready.flatMap { line in
            line.hasPrefix("\(transport.readyWord) ") ? String(line.dropFirst(transport.readyWord.count + 1)) : nil
        }
        let target: [String]
        switch transport {
        case .tcp, .udp:
            guard let port = address.flatMap({ Int($0) }) else {
                throw Child.Failure(description: "\(peer.name) did not print its port (see \(log).server.log)")
            }
            target = ["--port", "\(port)"]
        case .unix:
            guard address == socket else {
                throw Child.Failure(description: "\(peer.name) did not print 'UNIX \(socket)' (see \(log).server.log)")
            }
            target = ["--unix", socket]
        }
        usleep(100_000)
        let rssBefore = ProcessStats.residentBytes(server.pid)
        let cpuBefore = ProcessStats.cpuSeconds(server.pid)
        let startedAt = Clock.now

        let limit = scenario.kind == .idle ? 90 + hold : warmup + duration + 30
        var arguments = [loadgen] + target + ["--framing", scenario.framing, "--timeout", "\(limit)"]
        switch scenario.kind {
        case .echo: arguments += ["--mode", "echo", "--warmup", "\(warmup)", "--duration", "\(duration)"]
        case .connectionRate: arguments += ["--mode", "connrate", "--warmup", "\(warmup)", "--duration", "\(duration)"]
        case .idle: arguments += ["--mode", "idle", "--hold", "\(hold)"]
        case .udp: arguments += ["--mode", "udp", "--warmup", "\(warmup)", "--duration", "\(duration)"]
        }
        let generator = try Child((pin ? ["taskset", "-c", "1"] : []) + arguments + scenario.load, errorLog: "\(log).loadgen.log")
        defer { generator.stop() }

        var heldResident: Double?
        var result: String?
        let deadline = Clock.now + limit + 10
        while result == nil, let line = generator.readLine(timeout: max(deadline - Clock.now, 0)) {
            if line.hasPrefix("READY") {
                usleep(300_000)  // let the server finish any bookkeeping for the last connections
                heldResident = ProcessStats.residentBytes(server.pid)
            } else if line.hasPrefix("{") {
                result = line
            }
        }
        let status = generator.wait(timeout: 10)
        let cpuAfter = ProcessStats.cpuSeconds(server.pid)
        let wall = Clock.now - startedAt
        let rssAfter = heldResident ?? ProcessStats.residentBytes(server.pid)
        let serverStatus = server.stop()

        guard let result, let object = try JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any] else {
            throw Child.Failure(description: "twist-loadgen gave no result against \(peer.name) (see \(log).loadgen.log)")
        }
        if let error = object["error"] as? String {
            throw Child.Failure(description: "twist-loadgen against \(peer.name): \(error) (see \(log).loadgen.log)")
        }
        guard status == 0 else {
            throw Child.Failure(description: "twist-loadgen against \(peer.name) exited with \(status.map(String.init) ?? "no status")")
        }
        if serverStatus != 0 {
            FileHandle.standardError.write(Data("twist-bench: note: \(peer.name) exited with \(serverStatus.map(String.init) ?? "no status") on SIGTERM\n".utf8))
        }
        let load = object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        let negotiated = ["tls_version", "tls_cipher", "tls_group", "tls_peer_signature"].compactMap { object[$0] as? String }

        var sample = Sample(
            scenario: scenario.name, transport: transport, peer: peer.name, run: run, value: 0, serverResidentBytes: rssAfter, load: load)
        sample.loadgenCPUShare = load["loadgen_cpu_share"]
        if !negotiated.isEmpty { sample.tlsNegotiated = negotiated.joined(separator: " ") }
        if scenario.kind == .idle {
            guard let held = heldResident, let before = rssBefore, let conns = load["conns"], conns > 0 else {
                throw Child.Failure(description: "no resident memory reading for \(peer.name)")
            }
            sample.value = (held - before) / conns
        } else {
            guard let value = load[scenario.metric] else {
                throw Child.Failure(description: "twist-loadgen's result has no \(scenario.metric)")
            }
            sample.value = value
            let operations = load["total_messages"] ?? load["total_connections"] ?? 0
            if let before = cpuBefore, let after = cpuAfter {
                sample.serverCPUShare = (after - before) / wall
                if operations > 0 { sample.serverCPUPerOperationMicroseconds = (after - before) / operations * 1e6 }
            }
        }
        return sample
    }

    /// The peer's TLS arguments for a TLS scenario (none otherwise).
    private func tlsArguments(_ scenario: Scenario) -> [String] {
        scenario.tls.map(certificates.peerArguments) ?? []
    }
}
