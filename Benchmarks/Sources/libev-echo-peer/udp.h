/* libev-echo-peer's UDP echo (udp.c). */
#ifndef LIBEV_ECHO_PEER_UDP_H
#define LIBEV_ECHO_PEER_UDP_H

struct ev_loop;

/* Binds 127.0.0.1:port (0: any free port), prints "PORT <n>", and echoes datagrams on `loop`
 * until it stops; 0 then, -1 when the socket cannot be made or bound. */
int serve_udp(struct ev_loop *loop, int port);

#endif
