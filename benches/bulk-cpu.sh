#!/usr/bin/env bash
# The steadier view of bulk.sh's (b), (b') and (c'): CPU time, not wall
# time. On a shared machine the wall time of a 20 ms process moves by
# 30-100 % with the load (the process waits for a core); its CPU time
# (perf's task-clock) and page faults do not, or much less. N veths are
# created once in a private network namespace; then ROUNDS alternating
# rounds of
#   (b)  ethcfg apply e1000e-hang-safe --force IFACE...   (every interface changing)
#   (b') the same again                                    (nothing to send)
#   ethcfg revert IFACE...                                 (back to the default state)
#   (c') the floor of a tool that plans (FLOOR_PLAN=1 FLOOR_BATCH=16), then
#        the floor again with FLOOR_ON=1 to turn the features back on
# and the medians of task-clock (ms) and page faults are printed, with b/c'.
#
# Usage: sudo benches/bulk-cpu.sh [N] [ROUNDS]   (default 1000 15)
# Needs perf (Debian: linux-perf). ETHCFG_BIN picks the binary (default:
# scripts/build-release, the static binary ethcfg installs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000}
ROUNDS=${2:-15}

if [ -z "${ETHCFG_BULK_IN_NETNS:-}" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bulk-cpu.sh: run as root (network namespace, veths, FEATURES_SET)" >&2; exit 1; }
    command -v perf >/dev/null || { echo "bulk-cpu.sh: needs perf (apt-get install linux-perf)" >&2; exit 1; }
    ETHCFG_BIN=${ETHCFG_BIN:-$("$ROOT/scripts/build-release")}
    (cd "$ROOT" && cargo build --release --example features_set_floor >&2)
    FLOOR=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/features_set_floor
    export ETHCFG_BIN FLOOR ETHCFG_BULK_IN_NETNS=1
    exec unshare -n "$0" "$N" "$ROUNDS"
fi

STATE=$(mktemp -d /run/ethcfg-bulk-cpu.XXXXXX)
trap 'rm -rf "$STATE"' EXIT
export ETHCFG_STATE_DIR=$STATE ETHCFG_PROFILE_DIR=$STATE/no-profiles

for ((i = 0; i < N / 2; i++)); do printf 'link add bk%05da type veth peer name bk%05db\n' "$i" "$i"; done | ip -batch -
IFACES=()
for ((i = 0; i < N / 2; i++)); do IFACES+=("$(printf 'bk%05da' "$i")" "$(printf 'bk%05db' "$i")"); done
sleep 1
names=$("$ETHCFG_BIN" apply e1000e-hang-safe --force --dry-run --json "${IFACES[0]}" |
    sed -n 's/.*"feature": "\(.*\)".*/\1/p' | paste -sd, -)
[ -n "$names" ] || { echo "bulk-cpu.sh: no feature names from the dry run" >&2; exit 1; }

# "task-clock-ms page-faults" of one run of the command
cpu() {
    perf stat -x, -e task-clock,page-faults "$@" 2>&1 >/dev/null |
        awk -F, '/task-clock/ {t = $1} /page-faults/ {p = $1} END {printf "%.3f %d\n", t, p}'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}'; }

B=() B2=() C=() BF=() B2F=() CF=()
for _ in $(seq "$ROUNDS"); do
    read -r t f < <(cpu "$ETHCFG_BIN" apply e1000e-hang-safe --force "${IFACES[@]}"); B+=("$t"); BF+=("$f")
    read -r t f < <(cpu "$ETHCFG_BIN" apply e1000e-hang-safe --force "${IFACES[@]}"); B2+=("$t"); B2F+=("$f")
    "$ETHCFG_BIN" revert "${IFACES[@]}" >/dev/null
    read -r t f < <(FLOOR_PLAN=1 FLOOR_BATCH=16 cpu "$FLOOR" "$names" "${IFACES[@]}"); C+=("$t"); CF+=("$f")
    FLOOR_ON=1 "$FLOOR" "$names" "${IFACES[@]}" >/dev/null
done
b=$(median "${B[@]}") b2=$(median "${B2[@]}") c=$(median "${C[@]}")
printf '%s, %s cores, load %s; %s; N = %d, %d rounds, medians\n' "$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$ETHCFG_BIN" "$N" "$ROUNDS"
printf '%-34s %10s %12s\n' "" "task-clock" "page faults"
printf '%-34s %7.2f ms %12d\n' "(b) apply, every interface changing" "$b" "$(median "${BF[@]}")"
printf '%-34s %7.2f ms %12d\n' "(b') the same again" "$b2" "$(median "${B2F[@]}")"
printf '%-34s %7.2f ms %12d\n' "(c') floor: dump + SETs 16/datagram" "$c" "$(median "${CF[@]}")"
awk -v b="$b" -v c="$c" 'BEGIN {printf "b/c'"'"' = %.3f (target <= 1.15)\n", b / c}'
