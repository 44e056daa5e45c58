#!/usr/bin/env bash
# A/B of echo servers under one load, alternated round by round so that both see the same
# machine: each round starts every server in turn (pinned to CPU 0), drives it with twist-loadgen
# (pinned to CPU 1), and prints its rate and its CPU per message; then the medians. The server
# CPU per message is the server's utime + stime over every message the load generator completed,
# warm-up included, as in twist-bench.
#
#   Benchmarks/ab.sh [--rounds N] [--duration S] [--load small|bulk|udp-64|udp-1200] [--unix | --tls] NAME=BINARY...
#
# A BINARY is any echo peer of this package taking `--port 0 --mode netstring` and printing
# `PORT n` (or, with --unix, `--unix PATH` and printing `UNIX PATH`: the run is then over a UNIX
# socket in a temporary directory; with --tls, `--tls-cert PEM --tls-key PEM` too: the servers
# then serve TLS with a throw-away ECDSA P-256 certificate and twist-loadgen runs with --tls)
# (twist-echo-peer, libev-echo-peer, nio-echo-peer, or a twist-echo-peer built from
# another commit). With --load udp-64 or udp-1200 the servers are started with `--udp --port 0`
# and twist-loadgen runs the twist-bench UDP scenario of that name (the rate is then datagrams/s).
# Example, a previous build against this one and raw C:
#
#   B=$(swift build -c release --package-path Benchmarks --show-bin-path)
#   Benchmarks/ab.sh --load small before=/tmp/old/twist-echo-peer after=$B/twist-echo-peer \
#       libev-c=$B/libev-echo-peer
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5 duration=4 load=small unix=0 tls=0 udp=0
while [ $# -gt 0 ]; do
    case $1 in
        --unix) unix=1; shift ;;
        --tls) tls=1; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --load) load=$2; shift 2 ;;
        *=*) break ;;
        *) echo "ab.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "ab.sh: name one or more NAME=BINARY" >&2; exit 2; }
[ "$unix$tls" != 11 ] || { echo "ab.sh: TLS runs over TCP only" >&2; exit 2; }
case $load in
    small) shape=(--conns 64 --inflight 16 --size 32) ;;
    bulk) shape=(--conns 16 --inflight 4 --size 16384) ;;
    # As twist-bench's udp-64 and udp-1200 (Scenario.udpScenarios).
    udp-64) shape=(--conns 64 --inflight 2 --size 64 --loss-timeout 0.25) udp=1 ;;
    udp-1200) shape=(--conns 64 --inflight 1 --size 1200 --loss-timeout 0.25) udp=1 ;;
    *) echo "ab.sh: --load small, bulk, udp-64 or udp-1200" >&2; exit 2 ;;
esac
[ "$udp" = 0 ] || [ "$unix$tls" = 00 ] || { echo "ab.sh: the UDP loads take neither --unix nor --tls" >&2; exit 2; }
mode=(--mode echo --framing netstring)
[ "$udp" = 0 ] || mode=(--mode udp)

bin=$(swift build -c release --package-path Benchmarks --show-bin-path)
loadgen=$bin/twist-loadgen
ticks=$(getconf CLK_TCK)
results=$(mktemp)
sockets=$(mktemp -d)
trap 'rm -f "$results"; rm -rf "$sockets"' EXIT
server_tls=() loadgen_tls=()
if [ "$tls" = 1 ]; then
    openssl req -x509 -nodes -days 2 -subj /CN=localhost -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
        -keyout "$sockets/key.pem" -out "$sockets/cert.pem" 2>/dev/null
    server_tls=(--tls-cert "$sockets/cert.pem" --tls-key "$sockets/key.pem") loadgen_tls=(--tls)
fi

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

servers=("$@")
for round in $(seq 1 "$rounds"); do
    # The order rotates from round to round, so no server always runs first (or right after
    # the same one).
    for index in $(seq 0 $(( ${#servers[@]} - 1 ))); do
        pair=${servers[$(( (index + round - 1) % ${#servers[@]} ))]}
        name=${pair%%=*} server=${pair#*=}
        out=$(mktemp)
        if [ "$unix" = 1 ]; then
            listen=(--unix "$sockets/echo.sock") ready='^UNIX'
        elif [ "$udp" = 1 ]; then
            listen=(--udp --port 0) ready='^PORT'
        else
            listen=(--port 0) ready='^PORT'
        fi
        taskset -c 0 "$server" "${listen[@]}" ${server_tls[@]+"${server_tls[@]}"} --mode netstring >"$out" 2>/dev/null &
        pid=$!
        for _ in $(seq 1 100); do grep -q "$ready" "$out" && break; sleep 0.05; done
        if [ "$unix" = 1 ]; then
            target=(--unix "$sockets/echo.sock")
        else
            target=(--port "$(awk '/^PORT/ {print $2}' "$out")")
        fi
        before=$(cpu_ticks "$pid")
        line=$(taskset -c 1 timeout 60 "$loadgen" "${target[@]}" "${mode[@]}" \
            --warmup 1 --duration "$duration" --timeout 50 "${shape[@]}" ${loadgen_tls[@]+"${loadgen_tls[@]}"} | tail -1)
        after=$(cpu_ticks "$pid")
        kill "$pid"; wait "$pid" 2>/dev/null || true; rm -f "$out"
        python3 - "$name" "$round" "$line" "$before" "$after" "$ticks" >>"$results" <<'EOF'
import json, sys
name, round_, line, before, after, ticks = sys.argv[1:]
result = json.loads(line)
messages = result.get("total_messages") or 0  # warm-up included, as the server worked for those too
rate = result.get("messages_per_s") or 0
cpu = (int(after) - int(before)) / int(ticks)
print(json.dumps({"name": name, "round": int(round_), "rate": rate,
                  "cpu_us_per_message": cpu / messages * 1e6 if messages else None, "raw": result}))
EOF
        tail -1 "$results" | python3 -c 'import json, sys
r = json.loads(sys.stdin.read())
print("round %d %10s: %12s/s  %.3f µs CPU per message" % (r["round"], r["name"], format(round(r["rate"]), ","), r["cpu_us_per_message"] or 0))'
    done
done

python3 - "$results" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
names = list(dict.fromkeys(r["name"] for r in rows))
print("\nmedians:")
for name in names:
    mine = [r for r in rows if r["name"] == name]
    rate = statistics.median(r["rate"] for r in mine)
    cpu = statistics.median(r["cpu_us_per_message"] for r in mine)
    spread = (min(r["rate"] for r in mine), max(r["rate"] for r in mine))
    print(f"  {name:>10}: {rate:>12,.0f}/s (range {spread[0]:,.0f}–{spread[1]:,.0f}), {cpu:.3f} µs CPU per message")
EOF
