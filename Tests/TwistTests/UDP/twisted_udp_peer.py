#!/usr/bin/env python3
"""Python Twisted's side of Twist's UDP wire-compatibility tests (TwistedUDPInteropTests).

  twisted_udp_peer.py echo-server [INTERFACE]
      A DatagramProtocol on listenUDP(0, interface=INTERFACE or "127.0.0.1") that writes every
      datagram back to its sender, empty ones included. Prints "PORT <n>" first; prints "ECHOED <count>" and
      exits 0 when it receives the datagram b"twisted-udp-peer: stop" (which it does not echo).
  twisted_udp_peer.py client PORT COUNT [connected] [HOST]
      A DatagramProtocol on listenUDP(0, interface=HOST) that sends COUNT datagrams to HOST:PORT
      (HOST is 127.0.0.1 unless given; ::1, say) one at a time, and checks that each comes back
      byte for byte, from that address, before sending the next. Sizes cycle through SIZES (0 and 1,200 bytes among
      them); the bytes depend on the datagram's index, so a stray or stale echo differs. With
      "connected", the port first calls transport.connect(HOST, PORT) and writes with no
      address. Prints "ECHOED <count>" and exits 0 when all came back; prints why and exits 1
      when one differs, 2 when one gets no echo within 10 seconds or the peer refused.
  twisted_udp_peer.py oversize PORT SIZE
      Sends one datagram of SIZE bytes (byte i is i % 251) to 127.0.0.1:PORT and prints
      "ECHO <length> <prefix>" for the answer, where prefix is "prefix" when the answer is the
      datagram's start and "differs" otherwise; exits 0 on an answer, 2 with none in 10 seconds.
  twisted_udp_peer.py multicast-member GROUP PORT
      listenMulticast(PORT, listenMultiple=True) on every interface, joins GROUP on 127.0.0.1 and
      sends from 127.0.0.1, then prints "JOINED". On the first datagram that is not its own
      (not b"hello from twisted") it prints "HEARD <text>", sends b"hello from twisted" to
      GROUP:PORT, and exits 0 a moment later.

Every run is bounded: it gives up with exit status 3 after 30 seconds.
"""

import sys

from twisted.internet import reactor
from twisted.internet.protocol import DatagramProtocol

TIME_LIMIT = 30
ECHO_TIMEOUT = 10
SIZES = [0, 1, 13, 64, 512, 1200, 1472, 4096, 8192]
STOP = b"twisted-udp-peer: stop"
status = {"code": 3}


def finish(code, message=None):
    if message is not None:
        print(message, flush=True)
    status["code"] = code
    if reactor.running:
        reactor.stop()


def datagram(index):
    size = SIZES[index % len(SIZES)]
    return bytes((index * 7 + offset) % 251 for offset in range(size))


class Echo(DatagramProtocol):
    def __init__(self):
        self.echoed = 0

    def datagramReceived(self, data, address):
        if data == STOP:
            finish(0, f"ECHOED {self.echoed}")
            return
        self.transport.write(data, address)
        self.echoed += 1


class EchoChecker(DatagramProtocol):
    def __init__(self, host, port, count, connected):
        self.server = (host, port)
        self.count = count
        self.connected = connected
        self.index = 0
        self.timer = None

    def startProtocol(self):
        if self.connected:
            self.transport.connect(*self.server)
        self.sendCurrent()

    def sendCurrent(self):
        data = datagram(self.index)
        if self.connected:
            self.transport.write(data)
        else:
            self.transport.write(data, self.server)
        self.timer = reactor.callLater(
            ECHO_TIMEOUT, finish, 2, f"TIMEOUT no echo for datagram {self.index} ({len(data)} bytes)"
        )

    def datagramReceived(self, data, address):
        self.timer.cancel()
        expected = datagram(self.index)
        if address[:2] != self.server:  # an IPv6 sender also carries flow info and scope
            return finish(1, f"DIFFERS datagram {self.index} came from {address}")
        if data != expected:
            return finish(1, f"DIFFERS datagram {self.index}: {len(data)} bytes, expected {len(expected)}")
        self.index += 1
        if self.index == self.count:
            return finish(0, f"ECHOED {self.count}")
        self.sendCurrent()

    def connectionRefused(self):
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        finish(2, f"REFUSED at datagram {self.index}")


class Oversize(DatagramProtocol):
    def __init__(self, port, size):
        self.server = ("127.0.0.1", port)
        self.data = bytes(offset % 251 for offset in range(size))

    def startProtocol(self):
        self.transport.write(self.data, self.server)
        self.timer = reactor.callLater(ECHO_TIMEOUT, finish, 2, "TIMEOUT no answer")

    def datagramReceived(self, data, address):
        self.timer.cancel()
        verdict = "prefix" if self.data.startswith(data) else "differs"
        finish(0, f"ECHO {len(data)} {verdict}")


class MulticastMember(DatagramProtocol):
    OWN = b"hello from twisted"

    def __init__(self, group, port):
        self.group = group
        self.port = port
        self.heard = False

    def startProtocol(self):
        self.transport.setOutgoingInterface("127.0.0.1")
        self.transport.joinGroup(self.group, "127.0.0.1").addCallbacks(
            lambda _: print("JOINED", flush=True),
            lambda failure: finish(1, f"JOIN FAILED {failure.value}"),
        )

    def datagramReceived(self, data, address):
        if data == self.OWN or self.heard:
            return
        self.heard = True
        print("HEARD", data.decode(errors="replace"), flush=True)
        self.transport.write(self.OWN, (self.group, self.port))
        reactor.callLater(0.2, finish, 0)


def main(mode, *args):
    reactor.callLater(TIME_LIMIT, finish, 3, "TIME LIMIT")
    if mode == "echo-server":
        port = reactor.listenUDP(0, Echo(), interface=args[0] if args else "127.0.0.1")
        print("PORT", port.getHost().port, flush=True)
    elif mode == "client":
        port, count = int(args[0]), int(args[1])
        connected = "connected" in args[2:]
        host = next((arg for arg in args[2:] if arg != "connected"), "127.0.0.1")
        reactor.listenUDP(0, EchoChecker(host, port, count, connected), interface=host)
    elif mode == "oversize":
        reactor.listenUDP(0, Oversize(int(args[0]), int(args[1])), interface="127.0.0.1")
    elif mode == "multicast-member":
        group, port = args[0], int(args[1])
        reactor.listenMulticast(port, MulticastMember(group, port), listenMultiple=True)
    else:
        sys.exit(f"unknown mode {mode}")
    reactor.run()
    sys.exit(status["code"])


if __name__ == "__main__":
    main(*sys.argv[1:])
