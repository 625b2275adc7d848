#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# demo.sh - the `make demo` walk-through: two guests on a synthnetd private
# switch, each a network namespace behind a synthetic NIC, then ping and
# iperf3 between them and the switch's own view of the traffic.
#
#   bash tools/demo.sh [BUILD_DIR]      (default: build)
#
# Needs root (network namespaces, TAP devices).  Everything it creates
# carries a unique name (this shell's pid) and is removed on every exit
# path, ^C included: the processes by pid, the two namespaces, the DPDK
# runtime directory of its own --file-prefix and its temporary directory.

set -eu -o pipefail

BUILD=${1:-build}
SWITCH=demo
VM1=demo-vm1
VM2=demo-vm2
IP1=10.99.0.1
IP2=10.99.0.2
TAG=$$
NS1=sndemo-$TAG-1
NS2=sndemo-$TAG-2
PREFIX=sndemo-$TAG
IPERF_SECONDS=5
TMP=
DAEMON=
NS_MADE=()
PIDS=()
GUEST_PIDS=()

die() {
	echo "demo: $*" >&2
	exit 1
}

step() {
	echo
	echo "== $* =="
}

# ---- cleanup ---------------------------------------------------------------

# Stop one of our children by pid: TERM, then KILL after 5 s.  A pid that
# is no longer our child (exited, maybe reused) is left alone.
stop_pid() {
	local pid=$1 i
	[ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$$" ] ||
		return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$? i ns
	trap - EXIT INT TERM
	set +e
	if [ -z "$TMP" ]; then
		exit "$rc"		# failed before creating anything
	fi
	echo
	echo "== cleaning up =="
	# Newest first: iperf3, guests, then the daemon.
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${PIDS[i]}"
	done
	for ns in "${NS_MADE[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	# EAL leaves its runtime directory behind; ours has a unique name.
	[ -n "$DAEMON" ] && rm -rf "/var/run/dpdk/$PREFIX"
	rm -rf "$TMP"
	echo "stopped pids ${PIDS[*]:-none}; removed namespaces" \
		"${NS_MADE[*]:-none}, ${DAEMON:+/var/run/dpdk/$PREFIX, }$TMP"
	exit "$rc"
}

trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT
trap 'echo "demo: terminated"; exit 143' TERM

# ---- checks ----------------------------------------------------------------

[ "$(id -u)" = 0 ] ||
	die "needs root (network namespaces and TAP devices): sudo make demo"
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || die "no build directory '$1'"
SYNTHNETD=$BUILD/daemon/synthnetd
SYNTHCTL=$BUILD/tools/synthctl
SYNTHGUEST=$BUILD/tools/synthguest
for b in "$SYNTHNETD" "$SYNTHCTL" "$SYNTHGUEST"; do
	[ -x "$b" ] || die "$b is missing: run make build"
done
for c in ip ping iperf3 python3; do
	command -v "$c" >/dev/null || die "$c is missing: run make deps"
done

TMP=$(mktemp -d /tmp/synthnet-demo.XXXXXX)
CTL=$TMP/ctl.sock
VMBUS=$TMP/vmbus.sock

ctl() {
	"$SYNTHCTL" --socket "$CTL" "$@"
}

# Run "$@" every 0.1 s until it succeeds; give up after $1 seconds, or
# as soon as process $2 (when not "-") has exited.
wait_for() {
	local secs=$1 pid=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		[ "$pid" = - ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---- 1. daemon ---------------------------------------------------------------

step "1/7 starting synthnetd"
EAL=(--file-prefix "$PREFIX" --no-telemetry)
if [ "$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)" = 0 ]; then
	EAL+=(--no-huge -m 512)
	mem="no hugepages, 512 MB"
else
	mem="hugepages"
fi
"$SYNTHNETD" --vmbus-socket "$VMBUS" --ctl-socket "$CTL" \
	--pidfile "$TMP/synthnetd.pid" --state-dir none -- "${EAL[@]}" \
	>"$TMP/synthnetd.log" 2>&1 &
DAEMON=$!
PIDS+=("$DAEMON")
if ! wait_for 20 "$DAEMON" ctl status; then
	tail -n 5 "$TMP/synthnetd.log" >&2
	die "synthnetd did not answer on $CTL"
fi
echo "synthnetd pid $DAEMON ($mem, file prefix $PREFIX)"

# ---- 2. switch and adapters ------------------------------------------------------

step "2/7 private switch '$SWITCH' with adapters for $VM1 and $VM2"
ctl switch create "$SWITCH" --type private --notes "make demo" >/dev/null
ctl adapter add "$VM1" --switch "$SWITCH" >/dev/null
ctl adapter add "$VM2" --switch "$SWITCH" >/dev/null
ctl switch list

# ---- 3. namespaces -----------------------------------------------------------------

step "3/7 network namespaces $NS1 and $NS2"
for ns in "$NS1" "$NS2"; do
	ip netns add "$ns"
	NS_MADE+=("$ns")
	ip -n "$ns" link set lo up
done
echo "created"

# ---- 4. guests -------------------------------------------------------------------

step "4/7 guests: $VM1 = $IP1 in $NS1, $VM2 = $IP2 in $NS2"
start_guest() {
	local vm=$1 ns=$2 ip=$3
	"$SYNTHGUEST" --vm "$vm" --socket "$VMBUS" --netns "$ns" \
		--ip "$ip/24" >"$TMP/$vm.log" 2>&1 &
	PIDS+=("$!")
	GUEST_PIDS+=("$!")
}

# The guest's TAP exists, has carrier and its address.
link_ready() {
	local ns=$1 ip=$2
	ip -n "$ns" -o link show eth0 | grep -q LOWER_UP &&
		ip -n "$ns" -o addr show eth0 | grep -q "inet $ip/"
}

start_guest "$VM1" "$NS1" "$IP1"
start_guest "$VM2" "$NS2" "$IP2"
for g in "$VM1:$NS1:$IP1:${GUEST_PIDS[0]}" "$VM2:$NS2:$IP2:${GUEST_PIDS[1]}"; do
	IFS=: read -r vm ns ip pid <<<"$g"
	if ! wait_for 20 "$pid" link_ready "$ns" "$ip"; then
		cat "$TMP/$vm.log" >&2
		die "the synthetic NIC of $vm did not come up in $ns"
	fi
	grep -E "MAC|ready" "$TMP/$vm.log" || true
done

# ---- 5. ping ------------------------------------------------------------------------

step "5/7 ping $IP2 from $NS1 (10 pings)"
ip netns exec "$NS1" ping -c 10 -i 0.2 -W 2 "$IP2" >"$TMP/ping.txt" 2>&1 ||
	{ cat "$TMP/ping.txt" >&2; die "ping from $NS1 to $IP2 failed"; }
tail -n 2 "$TMP/ping.txt"
LOSS=$(sed -n 's/.* \([0-9.]*%\) packet loss.*/\1/p' "$TMP/ping.txt")
RTT=$(sed -n 's|^rtt [^=]*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|\1 \2 \3|p' \
	"$TMP/ping.txt")
read -r RTT_MIN RTT_AVG RTT_MAX <<<"${RTT:-- - -}"

# ---- 6. iperf3 --------------------------------------------------------------------

step "6/7 iperf3 TCP, $NS1 -> $NS2, ${IPERF_SECONDS} s"
ip netns exec "$NS2" iperf3 -s -1 -B "$IP2" >"$TMP/iperf3-server.txt" 2>&1 &
PIDS+=("$!")
# Listening on 5201 in NS2?
iperf_listening() {
	ip netns exec "$NS2" ss -Hltn "sport = :5201" | grep -q LISTEN
}
wait_for 10 "${PIDS[-1]}" iperf_listening ||
	{ cat "$TMP/iperf3-server.txt" >&2; die "the iperf3 server did not start"; }
ip netns exec "$NS1" timeout $((IPERF_SECONDS + 30)) \
	iperf3 -c "$IP2" -t "$IPERF_SECONDS" -J >"$TMP/iperf3.json" ||
	{ tail -n 20 "$TMP/iperf3.json" >&2; die "iperf3 failed"; }
IPERF=$(python3 - "$TMP/iperf3.json" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))["end"]
s, r = e["sum_sent"], e["sum_received"]
print("%.2f %.2f %d" % (s["bits_per_second"] / 1e9,
                        r["bits_per_second"] / 1e9, s.get("retransmits", 0)))
EOF
) || die "cannot read iperf3's JSON output ($TMP/iperf3.json)"
read -r GB_TX GB_RX RETR <<<"$IPERF"
echo "sender $GB_TX Gb/s, receiver $GB_RX Gb/s, $RETR retransmits"

# ---- 7. the switch's view ------------------------------------------------------------

step "7/7 synthctl adapter list / adapter stats"
ctl adapter list
echo
ctl adapter stats "$VM1"
echo
ctl adapter stats "$VM2"

# ---- summary ------------------------------------------------------------------------------

step "stopping the guests (their own counters)"
for pid in "${GUEST_PIDS[@]}"; do
	stop_pid "$pid"
done
grep -h "synthguest: tap:" "$TMP/$VM1.log" "$TMP/$VM2.log" || true

step "summary"
printf '%-22s %s\n' \
	"ping rtt min/avg/max" "$RTT_MIN / $RTT_AVG / $RTT_MAX ms" \
	"ping loss" "$LOSS" \
	"iperf3 sender" "$GB_TX Gb/s" \
	"iperf3 receiver" "$GB_RX Gb/s" \
	"iperf3 retransmits" "$RETR"
