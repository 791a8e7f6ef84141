#!/usr/bin/env bash
# Whole-process comparison of `ethcfg` with `ethtool`: wall time and peak
# RSS, in a private network namespace with N veth interfaces.
#
#   sudo benches/compare.sh [N]        # N interfaces, default 1000
#
# Environment:
#   ETHCFG_BENCH_N    interface count when no argument is given (default 1000)
#   ETHCFG_BIN        ethcfg binary to use; skips `cargo build --release`
#   RUNS              runs per single-process measurement (default 200)
#   LOOP_RUNS         runs of each N-process ethtool loop (default 3)
#   HYPERFINE=0       time with the shell loop even if hyperfine is installed
#
# Uses hyperfine when it is installed (median of its runs), else a shell
# loop timed with `date +%s%N` (mean). Peak RSS needs GNU time at /usr/bin/time
# (Debian/Ubuntu package `time`); without it that part is skipped.
# Needs root: unshare(CLONE_NEWNET) and veth creation. Nothing outside the
# private namespace is touched; the namespace and its veths go away on exit.
set -euo pipefail

N=${1:-${ETHCFG_BENCH_N:-1000}}
RUNS=${RUNS:-200}
LOOP_RUNS=${LOOP_RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "compare.sh: $*" >&2; exit 1; }

[[ $N =~ ^[0-9]+$ && $N -ge 2 ]] || die "N must be a number >= 2, not '$N'"
[[ $EUID -eq 0 ]] || die "needs root (unshare -n, ip link add): run it with sudo"
command -v ethtool >/dev/null || die "ethtool is not installed"
command -v ip >/dev/null || die "ip (iproute2) is not installed"
command -v unshare >/dev/null || die "unshare (util-linux) is not installed"

# Stage 1, in the caller's namespace (cargo may need the network): build,
# then re-exec inside a fresh network namespace.
if [[ -z ${ETHCFG_COMPARE_IN_NETNS:-} ]]; then
    if [[ -z ${ETHCFG_BIN:-} ]]; then
        command -v cargo >/dev/null ||
            die "cargo not found (sudo resets PATH): build first with 'cargo build --release' and pass ETHCFG_BIN=target/release/ethcfg"
        # the binary ethcfg installs: release, statically linked
        ETHCFG_BIN=$("$ROOT/scripts/build-release")
    fi
    ETHCFG_BIN=$(realpath "$ETHCFG_BIN")
    [[ -x $ETHCFG_BIN ]] || die "no ethcfg binary at $ETHCFG_BIN"
    export ETHCFG_BIN ETHCFG_COMPARE_IN_NETNS=1
    exec unshare -n -- "$0" "$N"
fi

# Stage 2, inside the private namespace.
B=$ETHCFG_BIN
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

PAIRS=$(((N + 1) / 2))
for ((p = 0; p < PAIRS; p++)); do
    printf 'link add vb%04da type veth peer name vb%04db\n' "$p" "$p"
done >"$TMP/batch"
ip -batch "$TMP/batch"
ip -o link show | awk -F': ' '$2 ~ /^vb/ { sub(/@.*/, "", $2); print $2 }' >"$TMP/ifaces"
COUNT=$(wc -l <"$TMP/ifaces")
((COUNT == 2 * PAIRS)) || die "created $COUNT interfaces, expected $((2 * PAIRS))"
IF=vb0000a

# The N-process ethtool loop, as one script so both timers run the same thing.
cat >"$TMP/ethtool_loop.sh" <<EOF
while read -r i; do ethtool --json -k "\$i" >/dev/null; done <"$TMP/ifaces"
EOF

HAVE_HF=0
if [[ ${HYPERFINE:-1} != 0 ]] && command -v hyperfine >/dev/null; then
    HAVE_HF=1
    TIMER="hyperfine $(hyperfine --version | awk '{print $2}') (median)"
    AVG=median
    HF_OPTS=()
    if hyperfine --help | grep -q -- '--shell'; then HF_OPTS=(-N); fi
else
    AVG=mean
    TIMER="shell loop, date +%s%N (mean)"
fi

# mean_us RUNS 'COMMAND': typical (hyperfine: median; loop: mean) wall time of COMMAND (a shell command line,
# stdout to /dev/null) in microseconds, after one warm-up run.
mean_us() {
    local runs=$1 cmd=$2
    if ((HAVE_HF)); then
        # -N: no intermediate shell (the commands are plain words), so
        # there is no shell start-up to subtract from millisecond runs.
        hyperfine "${HF_OPTS[@]}" --style none --warmup 1 --runs "$runs" \
            --export-csv "$TMP/h.csv" -- "$cmd" >/dev/null 2>"$TMP/h.err" ||
            { cat "$TMP/h.err" >&2; die "hyperfine failed: $cmd"; }
        # Columns: command,mean,stddev,median,...: the median resists
        # outliers from whatever else runs on the machine.
        awk -F, 'NR == 2 { printf "%.0f\n", $4 * 1e6 }' "$TMP/h.csv"
    else
        eval "$cmd" >/dev/null
        local s e i
        s=$(date +%s%N)
        for ((i = 0; i < runs; i++)); do eval "$cmd" >/dev/null; done
        e=$(date +%s%N)
        echo $(((e - s) / runs / 1000))
    fi
}

# peak_kb 'COMMAND...': median peak RSS (KiB) of 5 runs.
peak_kb() {
    local i
    for ((i = 0; i < 5; i++)); do
        /usr/bin/time -f %M -o "$TMP/rss" "$@" >/dev/null
        cat "$TMP/rss"
    done | sort -n | sed -n 3p
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

ROWS=()
row() { ROWS+=("$(printf '%-44s %12s %12s %9s' "$@")"); }

echo "ethcfg vs ethtool, whole processes, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "  kernel $(uname -r), $(nproc) CPUs, $(ethtool --version), timer: $TIMER"
echo "  $COUNT veth interfaces in a private network namespace; ethcfg: $B"
echo

# 1. All interfaces: one ethcfg process against N ethtool processes.
echo "timing: show all $COUNT interfaces ..." >&2
t_et=$(mean_us "$LOOP_RUNS" "bash $TMP/ethtool_loop.sh")
t_ec=$(mean_us 10 "$B show --json")
row "show all $COUNT ifaces (--json), ms" \
    "$(awk -v t="$t_et" 'BEGIN{printf "%.1f", t/1000}')" \
    "$(awk -v t="$t_ec" 'BEGIN{printf "%.1f", t/1000}')" "$(ratio "$t_et" "$t_ec")x"
row "  per interface, us" \
    "$(awk -v t="$t_et" -v n="$COUNT" 'BEGIN{printf "%.1f", t/n}')" \
    "$(awk -v t="$t_ec" -v n="$COUNT" 'BEGIN{printf "%.1f", t/n}')" ""

# 2. One interface: one process each, averaged.
echo "timing: one interface, $RUNS runs each ..." >&2
t_et=$(mean_us "$RUNS" "ethtool -k $IF")
t_ec=$(mean_us "$RUNS" "$B show $IF")
row "show $IF (text), us per process" "$t_et" "$t_ec" "$(ratio "$t_et" "$t_ec")x"
t_et=$(mean_us "$RUNS" "ethtool --json -k $IF")
t_ec=$(mean_us "$RUNS" "$B show --json $IF")
row "show --json $IF, us per process" "$t_et" "$t_ec" "$(ratio "$t_et" "$t_ec")x"
t_et=$(mean_us "$RUNS" "ethtool --version")
t_ec=$(mean_us "$RUNS" "$B --version")
row "--version (start-up only), us" "$t_et" "$t_ec" "$(ratio "$t_et" "$t_ec")x"

# 3. Peak RSS.
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o "$TMP/rss" true 2>/dev/null; then
    echo "measuring: peak RSS ..." >&2
    m_et=$(peak_kb ethtool -k "$IF")
    m_ec=$(peak_kb "$B" show "$IF")
    row "peak RSS, show $IF, KiB" "$m_et" "$m_ec" "$(ratio "$m_ec" "$m_et")"
    m_et=$(peak_kb ethtool --json -k "$IF")
    m_ec=$(peak_kb "$B" show --json)
    row "peak RSS, --json of all ifaces, KiB (*)" "$m_et" "$m_ec" "$(ratio "$m_ec" "$m_et")"
    RSS_NOTE="RSS ratio = ethcfg / ethtool (<1: ethcfg uses less); RSS is the median of 5 runs.
(*) ethtool: one 'ethtool --json -k IFACE' (each of its $COUNT processes is alike);
    ethcfg: the one 'ethcfg show --json' process that holds all $COUNT."
else
    RSS_NOTE="peak RSS skipped: GNU time (/usr/bin/time, package 'time') is not installed."
fi

printf '%-44s %12s %12s %9s\n' "comparison" "ethtool" "ethcfg" "ratio"
printf '%s\n' "$(printf '%80s' '' | tr ' ' -)"
printf '%s\n' "${ROWS[@]}"
echo
echo "time ratio = ethtool / ethcfg (>1: ethcfg is faster)."
echo "'show all' is one 'ethcfg show --json' process (10 runs) against"
echo "  '$COUNT x ethtool --json -k IFACE' ($LOOP_RUNS runs of the whole loop)."
echo "Single-process rows: $RUNS runs each; times are the $AVG of the runs."
echo "$RSS_NOTE"
