#!/usr/bin/env bash
# ethcfg watch against the udev path, in a private network namespace:
#  - reaction time from the request creating a new interface (the
#    kernel's creating it included) to its features applied, over N
#    creations one at a time (examples/watch_reaction.rs),
#    with `ethcfg watch` running, then with a fresh `ethcfg apply --config
#    IFACE` process per event (what the udev rule runs);
#  - watch's resident memory after about 10,000 events;
#  - watch's voluntary context switches over 10 s idle (none expected).
# Usage: sudo benches/watch.sh [N]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
bin=$(scripts/build-release)
cargo build --release --example watch_reaction >&2
ex=target/release/examples/watch_reaction
# The state directory on tmpfs, as /run/ethcfg is where ethcfg is installed.
tmp=$(mktemp -d /run/ethcfg-bench-watch.XXXXXX)
chmod 755 "$tmp"
ns=ethcfg-bench-watch-$$
cleanup() { [ -n "${wp:-}" ] && kill "$wp" 2>/dev/null; ip netns del "$ns" 2>/dev/null || :; rm -rf "$tmp"; }
trap cleanup EXIT
printf '[[bind]]\nmatch = { name = "wb*" }\n[bind.features]\ntso = "off"\n' > "$tmp/ethcfg.toml"
export ETHCFG_CONFIG=$tmp/ethcfg.toml ETHCFG_STATE_DIR=$tmp/state

ip netns add "$ns"
ip netns exec "$ns" "$bin" watch 2> "$tmp/watch.log" &
wp=$!
sleep 0.5
ip netns exec "$ns" "$ex" watch "$n" "$bin"
echo "watch RSS after $n creations: $(grep VmRSS /proc/$wp/status)"
# About 10,000 events: feature flips on an interface no binding matches.
ip netns exec "$ns" ip link add zz0 type veth peer name zz1
for _ in $(seq 1 $(( (10000 - 4 * n) / 2 > 0 ? (10000 - 4 * n) / 2 : 0 ))); do
    echo "-K zz0 gro off"; echo "-K zz0 gro on"
done | ip netns exec "$ns" sh -c 'while read -r a b c d; do ethtool $a $b $c $d; done'
sleep 0.5
echo "watch RSS after ~10,000 events: $(grep VmRSS /proc/$wp/status)"
before=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$wp/status)
sleep 10
after=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$wp/status)
echo "watch voluntary context switches over 10 s idle: $((after - before))"
kill "$wp"; wait "$wp" || :; wp=
ip netns del "$ns"

ip netns add "$ns"
ip netns exec "$ns" "$ex" udev "$n" "$bin"
