#!/usr/bin/env bash
# ethcfg against an `ethtool` loop, and against the floor, for N veth
# interfaces in a private network namespace (N = 10, 100, 1000 by default):
#
#   (a)  a loop of `ethtool -K IFACE gso off gro off tso off tx off rx off rxvlan off txvlan off sg off`
#   (b)  one `ethcfg apply e1000e-hang-safe --force IFACE...` over all N, every interface changing
#   (b') the same again, when the profile is already in effect
#   (c)  the floor: examples/features_set_floor, the same FEATURES_SET requests on one socket,
#        no reads, no planning, no records
#   (c') the floor for a tool that plans: the same program with FLOOR_PLAN=1 FLOOR_BATCH=16, one
#        FEATURES_GET dump of all interfaces (compact bitsets, decoded enough to plan) plus the
#        same FEATURES_SETs pipelined 16 per datagram; no records, no output
#   (d)  one `ethcfg show --json` of all N against a loop of `ethtool --json -k IFACE`
#   (e)  one `ethcfg show IFACE` process against one `ethtool -k IFACE` process
#   (f)  peak RSS of one ethcfg run against ethtool
#
# Run as root: sudo benches/bulk.sh [N...]. Times are medians of RUNS runs (default 5;
# (e): of 300).
# The binary measured is the one ethcfg installs: scripts/build-release (static).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$#" -gt 0 ] && SIZES=("$@") || SIZES=(10 100 1000)

if [ -z "${ETHCFG_BULK_IN_NETNS:-}" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "bulk.sh: run as root (network namespace, veths, FEATURES_SET)" >&2; exit 1; }
    ETHCFG_BIN=${ETHCFG_BIN:-$("$ROOT/scripts/build-release")}
    (cd "$ROOT" && cargo build --release --example features_set_floor >&2)
    FLOOR=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/features_set_floor
    export ETHCFG_BIN FLOOR ETHCFG_BULK_IN_NETNS=1
    exec unshare -n "$0" "${SIZES[@]}"
fi

STATE=$(mktemp -d /run/ethcfg-bulk.XXXXXX)
trap 'rm -rf "$STATE"' EXIT
export ETHCFG_STATE_DIR=$STATE ETHCFG_PROFILE_DIR=$STATE/no-profiles
HANG_SAFE="gso off gro off tso off tx off rx off rxvlan off txvlan off sg off"
RUNS=${RUNS:-5}

# median of the arguments
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# N fresh interfaces (N/2 veth pairs), in their default state.
fresh() {
    local n=$1
    ip -o link show | awk -F': ' '$2 ~ /^bk/ {sub(/@.*/, "", $2); print "link del " $2}' | grep 'a$' | ip -batch - 2>/dev/null || true
    for ((i = 0; i < n / 2; i++)); do printf 'link add bk%05da type veth peer name bk%05db\n' "$i" "$i"; done | ip -batch -
    IFACES=()
    for ((i = 0; i < n / 2; i++)); do IFACES+=("$(printf 'bk%05da' "$i")" "$(printf 'bk%05db' "$i")"); done
    # Let the kernel finish the deferred work of deleting and creating a
    # thousand devices (RCU, netdev and linkwatch work), which otherwise
    # lands in whichever measurement comes first.
    sleep 1
}

# The command's wall time in ns, read from bash's clock (no process of its own).
time_ns() {
    local t0=${EPOCHREALTIME/./} t1
    "$@" >/dev/null
    t1=${EPOCHREALTIME/./}
    echo $(((10#$t1 - 10#$t0) * 1000))
}

ethtool_loop_K() { for i in "${IFACES[@]}"; do ethtool -K "$i" $HANG_SAFE 2>/dev/null; done; }
ethtool_loop_k() { for i in "${IFACES[@]}"; do ethtool --json -k "$i"; done; }
apply() { "$ETHCFG_BIN" apply e1000e-hang-safe --force "${IFACES[@]}"; }
# A function, so that the knobs cost no process of their own.
floor_planned() { FLOOR_PLAN=1 FLOOR_BATCH=16 "$FLOOR" "$@"; }

printf '\n%s, %s cores, %s; ethcfg %s\n' "$(uname -r)" "$(nproc)" "$(ethtool --version)" "$ETHCFG_BIN"
printf '%-6s %11s %11s %11s %11s %7s %11s %7s %7s %8s %11s %11s %7s\n' N "(a)ethtool" "(b)apply" "(b')again" "(c)floor" "b/c" "(c')floor2" "b/c'" "a/b" "a/b'" "(d)show" "ethtool-k" "ratio"
printf '%-6s %11s %11s %11s %11s %7s %11s %7s %7s %8s %11s %11s %7s\n' "" "us/iface" "us/iface" "us/iface" "us/iface" "" "us/iface" "" "" "" "us/iface" "us/iface" ""
for n in "${SIZES[@]}"; do
    A=() B=() B2=() C=() C2=() D=() K=()
    for r in $(seq "$RUNS"); do
        fresh "$n"; A+=("$(time_ns ethtool_loop_K)")
        fresh "$n"; rm -f "$STATE"/records*; B+=("$(time_ns apply)"); B2+=("$(time_ns apply)")
        fresh "$n"
        # the kernel names ethcfg sends to a fresh interface
        names=$("$ETHCFG_BIN" apply e1000e-hang-safe --force --dry-run --json "${IFACES[0]}" 2>/dev/null |
            sed -n 's/.*"feature": "\(.*\)".*/\1/p' | paste -sd, -)
        [ -n "$names" ] || { echo "bulk.sh: no feature names from the dry run" >&2; exit 1; }
        C+=("$(time_ns "$FLOOR" "$names" "${IFACES[@]}")")
        fresh "$n"; C2+=("$(time_ns floor_planned "$names" "${IFACES[@]}")")
        D+=("$(time_ns "$ETHCFG_BIN" show --json)")
        K+=("$(time_ns ethtool_loop_k)")
    done
    a=$(median "${A[@]}"); b=$(median "${B[@]}"); b2=$(median "${B2[@]}"); c=$(median "${C[@]}"); c2=$(median "${C2[@]}"); d=$(median "${D[@]}"); k=$(median "${K[@]}")
    awk -v n="$n" -v a="$a" -v b="$b" -v b2="$b2" -v c="$c" -v c2="$c2" -v d="$d" -v k="$k" 'BEGIN {
        printf "%-6d %11.1f %11.1f %11.1f %11.1f %7.2f %11.1f %7.2f %7.1f %8.1f %11.1f %11.1f %7.1f\n",
            n, a/n/1000, b/n/1000, b2/n/1000, c/n/1000, b/c, c2/n/1000, b/c2, a/b, a/b2, d/n/1000, k/n/1000, k/d }'
done

# (e) one process each, and (f) peak RSS
fresh 2
one=${IFACES[0]}
if command -v hyperfine >/dev/null; then
    hyperfine -N -w 20 -r 300 --export-json "$STATE/e.json" "$ETHCFG_BIN show $one" "ethtool -k $one" >/dev/null
    e=$(sed -n 's/.*"median": \([0-9.e-]*\).*/\1/p' "$STATE/e.json" | sed -n 1p | awk '{printf "%d", $1 * 1e9}')
    t=$(sed -n 's/.*"median": \([0-9.e-]*\).*/\1/p' "$STATE/e.json" | sed -n 2p | awk '{printf "%d", $1 * 1e9}')
else
    E=() T=()
    for r in $(seq 300); do
        E+=("$(time_ns "$ETHCFG_BIN" show "$one")")
        T+=("$(time_ns ethtool -k "$one")")
    done
    e=$(median "${E[@]}"); t=$(median "${T[@]}")
fi
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
r1=$(rss "$ETHCFG_BIN" show "$one"); r2=$(rss ethtool -k "$one")
fresh 1000; rm -f "$STATE"/records*
r3=$(rss "$ETHCFG_BIN" apply e1000e-hang-safe --force "${IFACES[@]}")
printf '\n(e) one process: ethcfg show IFACE %.0f us, ethtool -k IFACE %.0f us: ethtool/ethcfg = %.2f\n' "$((e / 1000))" "$((t / 1000))" "$(awk -v e="$e" -v t="$t" 'BEGIN{print t/e}')"
printf '(f) peak RSS: ethcfg show IFACE %s KiB, ethtool -k IFACE %s KiB (%.2fx); ethcfg apply over 1000: %s KiB\n' "$r1" "$r2" "$(awk -v a="$r1" -v b="$r2" 'BEGIN{print a/b}')" "$r3"
echo "a/b, a/b': how many times faster than the ethtool loop; b/c: ethcfg apply against the floor (target <= 1.25);"
echo "b/c': against the floor of a tool that plans (one dump, sets 16 per datagram; target <= 1.15)."
