#!/usr/bin/env python3
"""twist-bench's Python Twisted peer: a netstring (or raw byte) echo server.

Usage: python3 echo_peer.py [--port N] [--mode netstring|raw]

Netstring mode is Twisted's own `NetstringReceiver`, whose `stringReceived` sends the string
back with `sendString`; raw mode is a `Protocol` whose `dataReceived` writes the bytes back.
Runs on Twisted's default reactor (epoll on Linux), listens on 127.0.0.1, prints "PORT <n>" as
its first line, and stops on SIGTERM or SIGINT (Twisted's own signal handling, exit status 0).
Every accepted connection sets TCP_NODELAY, as every twist-bench peer does.
"""

import argparse
import resource
import sys

from twisted.internet import protocol, reactor
from twisted.protocols.basic import NetstringReceiver


class NetstringEcho(NetstringReceiver):
    def connectionMade(self):
        self.transport.setTcpNoDelay(True)

    def stringReceived(self, string):
        self.sendString(string)


class RawEcho(protocol.Protocol):
    def connectionMade(self):
        self.transport.setTcpNoDelay(True)

    def dataReceived(self, data):
        self.transport.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=["netstring", "raw"], default="netstring")
    args = parser.parse_args()

    # The idle scenario holds 10,000 connections.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    factory = protocol.Factory.forProtocol(RawEcho if args.mode == "raw" else NetstringEcho)
    port = reactor.listenTCP(args.port, factory, backlog=1024, interface="127.0.0.1")
    sys.stdout.write("PORT %d\n" % port.getHost().port)
    sys.stdout.flush()
    reactor.run()


if __name__ == "__main__":
    main()
