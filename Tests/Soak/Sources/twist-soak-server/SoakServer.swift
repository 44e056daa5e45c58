import ArgumentParser
import CSoakSupport
import Glibc
import Logging
import Twist

/// The server the soak runner drives: a netstring echo, the poetry transform server and a stats
/// port, all on 127.0.0.1, on one reactor.
@main
struct SoakServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twist-soak-server",
        abstract: "Netstring echo + poetry transform server with a stats port, for twist-soak.",
        discussion: """
            Listens on free ports of 127.0.0.1 and prints one line \
            'ports echo=N transform=N stats=N pid=N'. The stats port answers the lines 'stats' and \
            'conn PORT'. On SIGTERM or SIGINT a shutdown trigger closes every echo connection \
            gracefully (queued data is flushed), bounded by --drain-timeout; then it exits 0.
            """
    )

    @Option(help: "Set the soft descriptor limit (RLIMIT_NOFILE) to this; default: raise it to the hard limit.")
    var maxFiles: Int?

    @Option(help: "Seconds the shutdown trigger waits for queued data to flush before aborting.")
    var drainTimeout: Double = 10

    @Option(help: "The echo's netstring maxLength.")
    var maxLength: Int = NetstringReceiver.defaultMaxLength

    @Option(help: "SO_SNDBUF of the echo's accepted sockets (default: the kernel's, autotuned), so that writes queue in Twist sooner.")
    var sendBuffer: Int?

    @Option(help: "The listen backlog of each port.")
    var backlog: Int = 1_024

    func run() throws {
        let limit = maxFiles.map { soak_set_nofile($0) == 0 ? $0 : -1 } ?? soak_raise_nofile(1 << 20)
        var logger = Logger(label: "twist-soak-server")
        logger.logLevel = .warning
        let reactor = Reactor(logger: logger)
        let stats = ServerStats()
        let echoFactory = SoakEchoFactory(stats: stats, maxLength: maxLength)
        echoFactory.logger = logger
        let transformFactory = try CountingTransformFactory(stats: stats)
        transformFactory.logger = logger
        let statsFactory = Factory { StatsProtocol(stats: stats) }
        statsFactory.logger = logger
        let echo = try reactor.listenTCP(0, echoFactory, backlog: backlog, interface: "127.0.0.1")
        let transform = try reactor.listenTCP(0, transformFactory, backlog: backlog, interface: "127.0.0.1")
        let statsPort = try reactor.listenTCP(0, statsFactory, backlog: backlog, interface: "127.0.0.1")
        if let sendBuffer, soak_set_listener_send_buffer(Int32(echo.address.port!), Int32(sendBuffer)) < 0 {
            throw ValidationError("cannot set SO_SNDBUF on the echo listener")
        }
        let drain = GracefulDrain(reactor: reactor, stats: stats, timeout: drainTimeout)
        reactor.addSystemEventTrigger(.before, .shutdown, waitingFor: { drain.start() })
        reactor.addSystemEventTrigger(.after, .shutdown) { say("shutdown: after-trigger ran") }
        say("ports echo=\(echo.address.port!) transform=\(transform.address.port!) stats=\(statsPort.address.port!) pid=\(getpid()) nofile=\(limit)")
        try reactor.run(installSignalHandlers: true)
        say("exit: reactor stopped (signal \(reactor.receivedSignal.map(String.init) ?? "none"))")
    }
}
