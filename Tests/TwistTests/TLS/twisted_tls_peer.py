"""Python Twisted's side of Twist's TLS wire-compatibility tests (TwistedTLSInteropTests).

Modes (every run bounds itself to 30 seconds):
  echo-server CERT KEY       an ssl: server that echoes; prints "PORT <n>", serves one connection,
                             prints "LOST <reason>" and exits
  client PORT CADIR          a tls: client verifying 127.0.0.1 against the CAs in CADIR: sends a
                             line, prints "ECHO <line> <negotiated version>" and "LOST <reason>"
  starttls-server CERT KEY   a line server: answers "STARTTLS" with "GO" and switches to TLS,
                             then answers each line with "ECHO <line>"; prints "PORT <n>" first
"""
import sys

from twisted.internet import endpoints, protocol, reactor, ssl
from twisted.protocols.basic import LineReceiver


def finish(reason):
    print("LOST", reason.type.__name__, flush=True)
    reactor.callLater(0, reactor.stop)


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)

    def connectionLost(self, reason):
        finish(reason)


class LineClient(protocol.Protocol):
    def connectionMade(self):
        self.buffer = b""
        self.transport.write(b"hello from twisted\n")

    def dataReceived(self, data):
        self.buffer += data
        if b"\n" in self.buffer:
            line = self.buffer.split(b"\n", 1)[0].decode()
            version = self.transport.getHandle().get_protocol_version_name()
            print("ECHO", line, version, flush=True)
            self.transport.loseConnection()

    def connectionLost(self, reason):
        finish(reason)


class StartTLSServer(LineReceiver):
    delimiter = b"\n"

    def __init__(self, options):
        self.options = options

    def lineReceived(self, line):
        if line == b"STARTTLS":
            self.sendLine(b"GO")
            self.transport.startTLS(self.options)
        else:
            self.sendLine(b"ECHO " + line)

    def connectionLost(self, reason):
        finish(reason)


def server_options(cert, key):
    with open(cert, "rb") as c, open(key, "rb") as k:
        return ssl.PrivateCertificate.loadPEM(k.read() + c.read()).options()


def main(mode, *args):
    reactor.callLater(30, reactor.stop)
    if mode == "echo-server":
        factory = protocol.Factory.forProtocol(Echo)
        port = reactor.listenSSL(0, factory, server_options(*args), interface="127.0.0.1")
        print("PORT", port.getHost().port, flush=True)
    elif mode == "client":
        port, cadir = args
        endpoint = endpoints.clientFromString(reactor, f"tls:127.0.0.1:{port}:trustRoots={cadir}:timeout=5")
        endpoint.connect(protocol.Factory.forProtocol(LineClient)).addErrback(lambda f: (print("FAILED", f.value, flush=True), reactor.stop()))
    elif mode == "starttls-server":
        options = server_options(*args)
        factory = protocol.Factory.forProtocol(lambda: StartTLSServer(options))
        port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        print("PORT", port.getHost().port, flush=True)
    else:
        sys.exit(f"unknown mode {mode}")
    reactor.run()


if __name__ == "__main__":
    main(*sys.argv[1:])
