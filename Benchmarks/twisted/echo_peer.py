#!/usr/bin/env python3
"""twist-bench's Python Twisted peer: a netstring (or raw byte) echo server.

Usage: python3 echo_peer.py [--port N | --unix PATH] [--mode netstring|raw]
                            [--tls-cert PEM --tls-key PEM]
       python3 echo_peer.py --udp [--port N]

Netstring mode is Twisted's own `NetstringReceiver`, whose `stringReceived` sends the string
back with `sendString`; raw mode is a `Protocol` whose `dataReceived` writes the bytes back.
Runs on Twisted's default reactor (epoll on Linux), listens on 127.0.0.1, prints "PORT <n>" as
its first line, and stops on SIGTERM or SIGINT (Twisted's own signal handling, exit status 0).
Every accepted connection sets TCP_NODELAY, as every twist-bench peer does. With --unix PATH it
listens on that UNIX socket instead (a stale file there is removed first), prints "UNIX <path>",
and sets no TCP option. With --tls-cert and --tls-key it serves TLS on its TCP port:
`reactor.listenSSL` with one `CertificateOptions` (Twisted's defaults, pyOpenSSL underneath)
made from the PEM files at start. With --udp it is a UDP echo server instead:
`reactor.listenUDP` on 127.0.0.1 with a `DatagramProtocol` whose `datagramReceived` writes each
datagram back to its sender (Twisted's own echo example), printing "PORT <n>".
"""

import argparse
import os
import resource
import sys

from twisted.internet import address, protocol, reactor
from twisted.protocols.basic import NetstringReceiver


def set_no_delay(transport):
    """TCP_NODELAY on a TCP connection; a UNIX socket has no Nagle to turn off."""
    if isinstance(transport.getHost(), (address.IPv4Address, address.IPv6Address)):
        transport.setTcpNoDelay(True)


class NetstringEcho(NetstringReceiver):
    def connectionMade(self):
        set_no_delay(self.transport)

    def stringReceived(self, string):
        self.sendString(string)


class RawEcho(protocol.Protocol):
    def connectionMade(self):
        set_no_delay(self.transport)

    def dataReceived(self, data):
        self.transport.write(data)


class UDPEcho(protocol.DatagramProtocol):
    def datagramReceived(self, data, addr):
        self.transport.write(data, addr)


def tls_options(cert_path, key_path):
    """One `CertificateOptions` for every connection, from a PEM certificate and a PEM key."""
    from twisted.internet import ssl

    with open(cert_path) as cert, open(key_path) as key:
        return ssl.PrivateCertificate.loadPEM(cert.read() + key.read()).options()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--unix", metavar="PATH")
    parser.add_argument("--mode", choices=["netstring", "raw"], default="netstring")
    parser.add_argument("--tls-cert", metavar="PEM")
    parser.add_argument("--tls-key", metavar="PEM")
    parser.add_argument("--udp", action="store_true")
    args = parser.parse_args()
    if args.udp and (args.unix or args.tls_cert):
        parser.error("--udp listens on a UDP port only")
    if (args.tls_cert is None) != (args.tls_key is None) or (args.tls_cert and args.unix):
        parser.error("--tls-cert and --tls-key go together, over TCP only")

    # The idle scenario holds 10,000 connections.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    if args.udp:
        port = reactor.listenUDP(args.port, UDPEcho(), interface="127.0.0.1")
        sys.stdout.write("PORT %d\n" % port.getHost().port)
        sys.stdout.flush()
        reactor.run()
        return

    factory = protocol.Factory.forProtocol(RawEcho if args.mode == "raw" else NetstringEcho)
    if args.unix:
        if os.path.exists(args.unix):
            os.unlink(args.unix)
        reactor.listenUNIX(args.unix, factory, backlog=1024)
        sys.stdout.write("UNIX %s\n" % args.unix)
    elif args.tls_cert:
        port = reactor.listenSSL(
            args.port, factory, tls_options(args.tls_cert, args.tls_key), backlog=1024, interface="127.0.0.1"
        )
        sys.stdout.write("PORT %d\n" % port.getHost().port)
    else:
        port = reactor.listenTCP(args.port, factory, backlog=1024, interface="127.0.0.1")
        sys.stdout.write("PORT %d\n" % port.getHost().port)
    sys.stdout.flush()
    reactor.run()


if __name__ == "__main__":
    main()
