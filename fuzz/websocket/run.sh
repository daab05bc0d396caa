#!/bin/sh
# Builds and runs a libFuzzer target for the WebSocket module.
#   fuzz/websocket/run.sh [frames|http|all] [seconds]      (default: all 60)
# Crashes land in fuzz-artifacts/websocket/; copy them into fuzz/websocket/corpus/<target>/
# as regression inputs (they are replayed at the start of every run).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:-all}
seconds=${2:-60}
src="$root/Sources/WebSocket"
# The decoder's and parsers' pure-Swift sources (no sockets, no OpenSSL).
pure="Frame.swift CloseCode.swift FrameDecoder.swift FrameEncoder.swift Masking.swift MessageAssembler.swift
      UTF8Validator.swift WebSocketMessage.swift HTTPHeaders.swift HTTPHead.swift Handshake.swift Base64.swift
      UpgradeRequest.swift WebSocketError.swift"
out="$root/.build/fuzz/websocket"
art="$root/fuzz-artifacts/websocket"
mkdir -p "$out" "$art"

run_one() {
    name=$1 file=$2 corpus="$here/corpus/$1"
    mkdir -p "$corpus" "$out/work-$name"
    files=""
    for f in $pure; do files="$files $src/$f"; done
    echo "building $name fuzzer..."
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name WebSocketFuzz \
        "$here/$file" $files -o "$out/$name"
    echo "fuzzing $name for $seconds s (corpus $corpus)"
    # New inputs go to a scratch dir; the checked-in corpus is read-only seed + regression set.
    "$out/$name" -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$art/$name-" -print_final_stats=1 "$out/work-$name" "$corpus"
}

case $target in
    frames) run_one frames FrameDecoderFuzz.swift ;;
    http) run_one http HTTPUpgradeFuzz.swift ;;
    all) run_one frames FrameDecoderFuzz.swift; run_one http HTTPUpgradeFuzz.swift ;;
    *) echo "usage: $0 [frames|http|all] [seconds]" >&2; exit 2 ;;
esac
