#!/usr/bin/env bash
# Runs the churn scenario against a twist-soak-server built with AddressSanitizer, whose
# LeakSanitizer checks the heap when the server exits (gracefully, on the runner's SIGTERM).
# Passes when LeakSanitizer reports no leak at all; a report is kept in the log directory.
#   Tests/Soak/leak-check.sh [--full]      --full: 100,000 connections (default: 10,000, --quick)
set -euo pipefail
cd "$(dirname "$0")"
mode=--quick
[ "${1:-}" = "--full" ] && mode=

bash ../../.ci/install-deps
echo "== building the runner (release) and an AddressSanitizer server (release, scratch .build-asan)"
swift build -c release --product twist-soak
swift build -c release --product twist-soak-server -Xswiftc -sanitize=address --scratch-path .build-asan
runner=$(swift build -c release --show-bin-path)/twist-soak
server=$(swift build -c release --scratch-path .build-asan -Xswiftc -sanitize=address --show-bin-path)/twist-soak-server

logs=$(mktemp -d /tmp/twist-leak-check.XXXXXX)
echo "== churn ${mode:-(full)} against the ASan server; LeakSanitizer reports go to $logs"
# The runner is not instrumented; only the server reads these options. exitcode=23: a leak fails its
# exit. ASan's quarantine keeps freed memory, so the churn's RSS bound is off here.
status=0
ASAN_OPTIONS="detect_leaks=1:exitcode=23:log_path=$logs/lsan" "$runner" $mode --only churn --no-rss-bound --server "$server" || status=$?

if ls "$logs"/lsan* >/dev/null 2>&1; then
    echo "== LeakSanitizer reported:"
    grep -hE "^(Direct|Indirect) leak|^SUMMARY" "$logs"/lsan* || true
    grep -hE "^    #[0-9]+ .* in " "$logs"/lsan* | sed -E 's/ \(.*//' | sort | uniq -c | sort -rn | head -20
    echo "leak-check: FAIL (full reports in $logs)" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "leak-check: FAIL (the runner exited $status)" >&2
    exit 1
fi
echo "leak-check: PASS — LeakSanitizer found no leak in the server after the churn"
rm -rf "$logs"
