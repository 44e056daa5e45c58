#!/usr/bin/env python3
"""Python Twisted's side of Twist's netstring wire-compatibility tests (NetstringInteropTests).

  twisted_netstring_peer.py echo-client PORT|DESCRIPTION COUNT SEED MAXLEN
      Connects to a netstring echo server on 127.0.0.1:PORT (or at a client endpoint DESCRIPTION,
      such as unix:path=/tmp/x.sock, through Twisted's clientFromString), sends COUNT netstrings of random
      bytes (seeded) with up to 16 in flight, and checks every echo byte for byte and in order.
      Sizes run from 0 to MAXLEN, skewed toward small ones, and always include an empty netstring
      and one of exactly MAXLEN bytes. Exit 0 when all came back.
  twisted_netstring_peer.py echo-server MAXLEN [DESCRIPTION]
      Serves netstring echo (Twisted's NetstringReceiver, MAX_LENGTH=MAXLEN) on 127.0.0.1, port 0,
      and prints "PORT <n>" — or on a server endpoint DESCRIPTION (serverFromString), and prints
      "LISTENING" — and exits after its first client disconnects.
  twisted_netstring_peer.py malformed PORT
      Sends each malformed input of Twisted's own NetstringReceiver tests, on a connection of its
      own, to the echo server at PORT and to a Twisted echo server started here; prints what each
      answered (bytes, and how it closed) and exits 0 only if every answer is the same.

Every run is bounded: it gives up with exit status 3 after 60 seconds.
"""

import random
import sys

from twisted.internet import protocol, reactor
from twisted.internet.error import ConnectionDone
from twisted.protocols.basic import NetstringReceiver

TIME_LIMIT = 60
status = {"code": 3}


def finish(code):
    status["code"] = code
    if reactor.running:
        reactor.stop()


class EchoClient(NetstringReceiver):
    def __init__(self, messages, maxlen):
        self.messages = messages
        self.MAX_LENGTH = maxlen
        self.sent = 0
        self.received = 0

    def connectionMade(self):
        for _ in range(16):
            self.sendNext()

    def sendNext(self):
        if self.sent < len(self.messages):
            self.sendString(self.messages[self.sent])
            self.sent += 1

    def stringReceived(self, string):
        expected = self.messages[self.received]
        if string != expected:
            print(f"echo {self.received} differs: {len(string)} bytes, expected {len(expected)}", file=sys.stderr)
            finish(1)
            return
        self.received += 1
        if self.received == len(self.messages):
            print(f"echoed {self.received} netstrings")
            self.transport.loseConnection()
            finish(0)
        else:
            self.sendNext()

    def connectionLost(self, reason):
        if self.received != len(self.messages):
            print(f"lost after {self.received} echoes: {reason.getErrorMessage()}", file=sys.stderr)
            finish(1)


class EchoServer(NetstringReceiver):
    def stringReceived(self, string):
        self.sendString(string)

    def connectionLost(self, reason):
        if self.factory.stopAfterFirst:
            reactor.callLater(0, finish, 0)


class Probe(protocol.Protocol):
    """Sends one input, records what comes back and how the connection ends."""

    def __init__(self, payload, done):
        self.payload = payload
        self.done = done
        self.received = b""

    def connectionMade(self):
        self.transport.write(self.payload)

    def dataReceived(self, data):
        self.received += data

    def connectionLost(self, reason):
        how = "clean close" if reason.check(ConnectionDone) else f"lost: {reason.type.__name__}"
        self.done((self.received, how))


# Twisted's own malformed cases (NetstringReceiverTests and LPTestCaseMixin.test_illegal), plus a
# leading zero and a length one above the limit. Twisted's "12\n" regex quirk is left out: Twist
# refuses that input at once, by design.
MALFORMED = [
    b":aaa,", b"aaa,", b"aaa", b"3aaa,", b"01:a,", b"4:abcde", b"2:aaa,", b"0:a,",
    b"9999999999999999999999", b"100000:", b"3:abc,x", b"1:a,2:bb,3:cc,4:dddd,",
]


def probe(port, payload):
    from twisted.internet.defer import Deferred
    done = Deferred()
    protocol.ClientCreator(reactor, Probe, payload, done.callback).connectTCP("127.0.0.1", port) \
        .addErrback(done.errback)
    reactor.callLater(10, lambda: done.called or done.callback((b"", "no close within 10 s")))
    return done


async def compare(twist_port, twisted_port):
    from twisted.internet.defer import Deferred
    different = 0
    for payload in MALFORMED:
        twist = await probe(twist_port, payload)
        twisted = await probe(twisted_port, payload)
        same = twist == twisted
        different += not same
        print(f"{payload!r:32} Twist: {twist!r:36} Twisted: {twisted!r}{'' if same else '   <-- differs'}")
    return different


def main(argv):
    reactor.callLater(TIME_LIMIT, lambda: (print("time limit reached", file=sys.stderr), finish(3)))
    mode = argv[1]
    if mode == "echo-client":
        target = argv[2]
        port = int(target) if target.isdigit() else 0
        count, seed, maxlen = (int(x) for x in argv[3:6])
        rng = random.Random(seed)
        messages = [rng.randbytes(min(maxlen, int(maxlen * rng.random() ** 8))) for _ in range(count - 2)] + [b"", rng.randbytes(maxlen)]
        rng.shuffle(messages)
        factory = protocol.ClientFactory()
        factory.protocol = lambda: EchoClient(messages, maxlen)
        factory.clientConnectionFailed = lambda c, reason: (print(reason, file=sys.stderr), finish(1))
        if target.isdigit():
            reactor.connectTCP("127.0.0.1", port, factory)
        else:
            from twisted.internet.endpoints import clientFromString
            clientFromString(reactor, target).connect(factory).addErrback(
                lambda reason: (print(reason, file=sys.stderr), finish(1)))
    elif mode == "echo-server":
        factory = protocol.ServerFactory()
        maxlen = int(argv[2])

        def build():
            server = EchoServer()
            server.MAX_LENGTH = maxlen
            return server
        factory.protocol = build
        factory.stopAfterFirst = True
        if len(argv) > 3:
            from twisted.internet.endpoints import serverFromString
            serverFromString(reactor, argv[3]).listen(factory).addCallbacks(
                lambda port: print("LISTENING", flush=True),
                lambda reason: (print(reason, file=sys.stderr), finish(1)))
        else:
            port = reactor.listenTCP(0, factory, interface="127.0.0.1")
            print(f"PORT {port.getHost().port}", flush=True)
    elif mode == "malformed":
        from twisted.internet.defer import ensureDeferred
        twist_port = int(argv[2])
        factory = protocol.ServerFactory()
        factory.protocol = EchoServer
        factory.stopAfterFirst = False
        twisted_port = reactor.listenTCP(0, factory, interface="127.0.0.1").getHost().port
        ensureDeferred(compare(twist_port, twisted_port)).addCallbacks(
            lambda different: finish(1 if different else 0),
            lambda failure: (failure.printTraceback(), finish(1)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    reactor.run()
    return status["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
