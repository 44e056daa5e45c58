#!/usr/bin/env bash
# Builds the libFuzzer targets of the receivers, the PROXY header parser and the TLS engine's input (with AddressSanitizer) and runs each for SECONDS
# (default 60), one after the other, from its seed corpus. Findings (crashing inputs) land in
# Tests/Fuzz/findings/<target>/; the run fails if any target finds one.
#   Tests/Fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-netstring fuzz-line fuzz-lineonly fuzz-lengthprefixed fuzz-proxyheader fuzz-tls)

bash ../../.ci/install-deps
echo "== building fuzz targets (release, -sanitize=fuzzer,address, linked with lld)"
swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >build.log 2>&1 || { cat build.log >&2; exit 1; }
bin=$(swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --show-bin-path)

status=0
for target in "${targets[@]}"; do
    corpus=$(mktemp -d)
    cp corpus/"${target#fuzz-}"/* "$corpus"/
    mkdir -p findings/"$target"
    echo "== $target for ${seconds}s"
    if ! "$bin/$target" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -artifact_prefix=findings/"$target"/ -print_final_stats=1 2>fuzz-"$target".log; then
        status=1
        echo "$target: FOUND A PROBLEM (input saved in Tests/Fuzz/findings/$target/)" >&2
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" fuzz-"$target".log || tail -5 fuzz-"$target".log
    rm -rf "$corpus"
done
exit $status
