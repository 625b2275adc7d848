# SPDX-License-Identifier: BSD-3-Clause
#
# lib.sh - shared helpers of the integration tests (sourced, not run).
#
# A test script does:
#
#   . "$(dirname "$0")/lib.sh"
#   sn_init e2e_example          # temp dir, unique names, cleanup trap
#   sn_daemon_start              # synthnetd, waits for the control socket
#   sn_ctl switch create sw1 --type private
#   sn_ctl adapter add vm1 --switch sw1
#   sn_guest_netns vm1 a 10.77.0.1/24     # synthguest + netns "a"
#   sn_check "something works" some_command args
#   sn_done                      # exit 0 only if every check passed
#
# Everything a test starts is recorded and torn down by the EXIT trap, also
# when the test fails, times out (own watchdog) or is interrupted:
# processes are killed by PID (never by name: other synthnetd instances may
# run on this machine), then the network namespaces, the DPDK runtime
# directory of our --file-prefix and the temp dir are removed.
#
# Binaries: $SN_SYNTHNETD, $SN_SYNTHCTL, $SN_SYNTHGUEST, $SN_PROTO_GUEST
# (meson passes them), else taken from $SN_BUILD (default <repo>/build).
#
# Output: "ok N - ..." / "not ok N - ..." per check, "# ..." diagnostics.
#
# Helpers (details above each function):
#   checks      sn_check sn_expect_eq sn_expect_ge sn_ok sn_not_ok sn_fatal
#               sn_diag sn_done
#   processes   sn_spawn sn_stop sn_timeout sn_wait_until sn_alive
#   daemon      sn_daemon_start sn_daemon_stop sn_daemon_alive sn_ctl
#               sn_ctl_json sn_status_field sn_adapter_state sn_adapter_mac
#               sn_resources sn_check_baseline
#   JSON        sn_json sn_jpy sn_json_find
#   guests      sn_netns sn_ns sn_nsx sn_guest_netns sn_guest_stop
#   traffic     sn_ping sn_ping_retry sn_ping_bg_start sn_ping_bg_stop
#               sn_tcp_recv sn_tcp_send_bg sn_tcp_listening ($SN_PY_SEND)
#
# Test scripts stay below SN_TEST_TIMEOUT (240 s) and meson's 300 s.

set -u
set -o pipefail

SN_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SN_BUILD=${SN_BUILD:-$(cd "$SN_LIB_DIR/../.." && pwd)/build}
SN_SYNTHNETD=${SN_SYNTHNETD:-$SN_BUILD/daemon/synthnetd}
SN_SYNTHCTL=${SN_SYNTHCTL:-$SN_BUILD/tools/synthctl}
SN_SYNTHGUEST=${SN_SYNTHGUEST:-$SN_BUILD/tools/synthguest}
SN_PROTO_GUEST=${SN_PROTO_GUEST:-$SN_BUILD/tests/integration/proto_guest}

# Whole-test budget in seconds; below meson's timeout so that our own
# cleanup runs (meson SIGKILLs the process group 0.5 s after its SIGTERM).
SN_TEST_TIMEOUT=${SN_TEST_TIMEOUT:-240}

SN_NAME=""		# test name
SN_ID="snt$$x"		# unique tag: netns prefix and DPDK --file-prefix
SN_TMP=""		# temp dir
SN_PIDS=()		# every background process we started
SN_NETNS=()		# every network namespace we created
SN_DAEMON_PID=""
SN_CTL_SOCK=""
SN_VMBUS_SOCK=""
SN_LAST_PID=""		# pid of the last sn_spawn
SN_WATCHDOG=""
SN_NCHECK=0
SN_NFAIL=0
SN_T0=0
SN_CLEANED=0
declare -A SN_GUEST_PID=()	# VM name -> synthguest pid
declare -A SN_NS=()		# short name -> netns name

# --- output ------------------------------------------------------------------

sn_diag()
{
	printf '# %s\n' "$*"
}

sn_ok()
{
	SN_NCHECK=$((SN_NCHECK + 1))
	printf 'ok %d - %s\n' "$SN_NCHECK" "$*"
}

sn_not_ok()
{
	SN_NCHECK=$((SN_NCHECK + 1))
	SN_NFAIL=$((SN_NFAIL + 1))
	printf 'not ok %d - %s\n' "$SN_NCHECK" "$*"
}

# sn_check DESC CMD [ARGS...]: one check, ok when CMD exits 0.
sn_check()
{
	local desc=$1
	shift
	if "$@"; then
		sn_ok "$desc"
		return 0
	fi
	sn_not_ok "$desc"
	return 1
}

# sn_expect_eq DESC GOT WANT
sn_expect_eq()
{
	if [ "$2" == "$3" ]; then
		sn_ok "$1 ($2)"
		return 0
	fi
	sn_not_ok "$1 (got '$2', want '$3')"
	return 1
}

# sn_expect_ge DESC GOT MIN (integers)
sn_expect_ge()
{
	if [[ "$2" =~ ^-?[0-9]+$ ]] && [ "$2" -ge "$3" ]; then
		sn_ok "$1 ($2 >= $3)"
		return 0
	fi
	sn_not_ok "$1 (got '$2', want >= $3)"
	return 1
}

# sn_fatal MSG: a failed check after which the test cannot go on.
sn_fatal()
{
	sn_not_ok "$*"
	sn_diag "fatal: stopping $SN_NAME after $((SECONDS - SN_T0)) s"
	exit 1
}

# sn_done: summary; exit 0 only if every check passed (and there was one).
sn_done()
{
	sn_diag "$SN_NAME: $((SN_NCHECK - SN_NFAIL)) passed," \
		"$SN_NFAIL failed, $((SECONDS - SN_T0)) s"
	if [ "$SN_NFAIL" -ne 0 ] || [ "$SN_NCHECK" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

# --- processes ---------------------------------------------------------------

# sn_timeout SECONDS CMD [ARGS...]: CMD bounded; SIGKILL 5 s after the
# SIGTERM.  --foreground keeps CMD in our process group so that a SIGTERM
# to the group (meson's timeout, Ctrl-C) reaches it too.
sn_timeout()
{
	timeout --foreground -k 5 "$@"
}

# True when PID is alive and still our own child (guards against PID reuse).
sn_is_ours()
{
	local pid=$1 stat rest ppid

	[ -n "$pid" ] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	# Field 4 after the "(comm)" that may contain spaces.
	rest=${stat##*) }
	read -r _ ppid _ <<<"$rest"
	[ "$ppid" == "$$" ]
}

# sn_alive PID: the process exists (a zombie counts as dead).
sn_alive()
{
	local st

	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# sn_spawn LOG CMD [ARGS...]: start CMD in the background, stdout+stderr
# to LOG; its pid in SN_LAST_PID (do not call in $(...)).
sn_spawn()
{
	local log=$1
	shift
	"$@" >"$log" 2>&1 </dev/null &
	SN_LAST_PID=$!
	SN_PIDS+=("$SN_LAST_PID")
}

# sn_stop PID [SIGNAL] [WAIT_S]: signal one of our processes and reap it;
# SIGKILL when it has not gone after WAIT_S (default 5).  Returns the
# process's exit status (or 137 if it had to be killed).
sn_stop()
{
	local pid=$1 sig=${2:-TERM} wait_s=${3:-5} i rc=0

	if ! sn_is_ours "$pid"; then
		wait "$pid" 2>/dev/null
		return $?
	fi
	# stderr off: no "Killed" job notices from bash.
	{
		kill -s "$sig" "$pid"
		for ((i = 0; i < wait_s * 20; i++)); do
			sn_alive "$pid" || break
			sleep 0.05
		done
		if sn_alive "$pid" && sn_is_ours "$pid"; then
			sn_diag "pid $pid did not stop on SIG$sig in" \
				"${wait_s}s: SIGKILL"
			kill -s KILL "$pid"
		fi
		wait "$pid"
		rc=$?
	} 2>/dev/null
	return $rc
}

# sn_wait_until TIMEOUT_S CMD [ARGS...]: poll CMD every 0.1 s.
sn_wait_until()
{
	local timeout=$1 end
	shift
	end=$((SECONDS + timeout))
	while :; do
		"$@" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# --- cleanup -----------------------------------------------------------------

sn_dump_logs()
{
	local f n

	[ -n "$SN_TMP" ] && [ -d "$SN_TMP" ] || return 0
	for f in "$SN_TMP"/*.log; do
		[ -s "$f" ] || continue
		n=8
		[ "$(basename "$f")" == synthnetd.log ] && n=40
		sn_diag "---- last lines of $(basename "$f")"
		tail -n "$n" "$f" | sed 's/^/#   /'
	done
}

sn_cleanup()
{
	local rc=$? pid ns i

	[ "$SN_CLEANED" == 1 ] && return
	SN_CLEANED=1
	trap '' INT TERM HUP
	if [ -n "$SN_WATCHDOG" ] && sn_is_ours "$SN_WATCHDOG"; then
		kill "$SN_WATCHDOG" 2>/dev/null
		wait "$SN_WATCHDOG" 2>/dev/null
	fi
	if [ "$SN_FAST" == 1 ]; then
		sn_cleanup_fast
		exit "$rc"
	fi
	if [ "$rc" -ne 0 ] || [ "$SN_NFAIL" -ne 0 ]; then
		sn_dump_logs
	fi
	# Guests and helpers first (they detach from a live daemon), then
	# the daemon.  Only PIDs we started, and only while still ours.
	# stderr off: no "Terminated" job notices from bash.
	{
		for pid in "${SN_PIDS[@]}"; do
			[ "$pid" == "$SN_DAEMON_PID" ] && continue
			sn_is_ours "$pid" && kill -s TERM "$pid"
		done
		for pid in "${SN_PIDS[@]}"; do
			[ "$pid" == "$SN_DAEMON_PID" ] && continue
			for ((i = 0; i < 60; i++)); do
				sn_alive "$pid" && sn_is_ours "$pid" || break
				sleep 0.05
			done
			sn_is_ours "$pid" && sn_alive "$pid" &&
				kill -s KILL "$pid"
			wait "$pid"
		done
	} 2>/dev/null
	if [ -n "$SN_DAEMON_PID" ]; then
		sn_stop "$SN_DAEMON_PID" TERM 5
	fi
	# A daemon stopped earlier (sn_daemon_stop) is reaped already.
	for ns in "${SN_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	# DPDK leaves its runtime dir behind; ours only (exact prefix).
	rm -rf "/var/run/dpdk/$SN_ID"
	if [ -n "$SN_TMP" ] && [ -d "$SN_TMP" ]; then
		rm -rf "$SN_TMP"
	fi
	if [ "$rc" -ne 0 ]; then
		printf '# %s: exit status %d\n' "$SN_NAME" "$rc"
	fi
	exit "$rc"
}

# Interrupted: SIGKILL what is left of ours, remove namespaces and dirs at
# once; logs are dumped only after that (we may be killed any moment).
sn_cleanup_fast()
{
	local pid ns

	{
		for pid in "${SN_PIDS[@]}"; do
			sn_is_ours "$pid" && kill -s KILL "$pid"
		done
		for pid in "${SN_PIDS[@]}"; do
			wait "$pid"
		done
	} 2>/dev/null
	for ns in "${SN_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$SN_ID"
	sn_dump_logs
	[ -n "$SN_TMP" ] && rm -rf "$SN_TMP"
}

# Leftovers of earlier runs that were SIGKILLed (their trap never ran):
# only our own naming scheme, and only when that test's shell is gone.
sn_reap_stale()
{
	local ns d pid

	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		[[ "$ns" =~ ^snt([0-9]+)x ]] || continue
		pid=${BASH_REMATCH[1]}
		[ -e "/proc/$pid" ] && continue
		sn_diag "removing stale netns $ns"
		ip netns del "$ns" 2>/dev/null
	done
	for d in /var/run/dpdk/snt*x /tmp/snt*x.*; do
		[ -e "$d" ] || continue
		[[ "$(basename "$d")" =~ ^snt([0-9]+)x(\..*)?$ ]] || continue
		pid=${BASH_REMATCH[1]}
		[ -e "/proc/$pid" ] && continue
		sn_diag "removing stale $d"
		rm -rf "$d"
	done
}

# On a signal the cleanup hurries: meson's timeout and Ctrl-C send SIGTERM
# to the whole process group and SIGKILL 0.5 s later.
SN_FAST=0
sn_on_signal()
{
	SN_FAST=1
	if [ -e "$SN_TMP/timed-out" ]; then
		sn_not_ok "$SN_NAME timed out after $((SECONDS - SN_T0)) s" \
			"(watchdog, SN_TEST_TIMEOUT=$SN_TEST_TIMEOUT)"
	else
		sn_not_ok "$SN_NAME interrupted by SIG$1 after" \
			"$((SECONDS - SN_T0)) s"
	fi
	exit 1
}

# sn_init NAME: checks, temp dir, traps, watchdog.
sn_init()
{
	local b

	SN_NAME=$1
	SN_T0=$SECONDS
	trap sn_cleanup EXIT
	trap 'sn_on_signal INT' INT
	trap 'sn_on_signal TERM' TERM
	trap 'sn_on_signal HUP' HUP
	sn_diag "$SN_NAME: tag $SN_ID, build $SN_BUILD"
	if [ "$(id -u)" != 0 ]; then
		sn_fatal "$SN_NAME needs root (network namespaces, TAP)"
	fi
	for b in "$SN_SYNTHNETD" "$SN_SYNTHCTL" "$SN_SYNTHGUEST"; do
		[ -x "$b" ] || sn_fatal "binary $b not built"
	done
	for b in python3 ip ping ss ps awk timeout sha256sum; do
		command -v "$b" >/dev/null || sn_fatal "$b not installed"
	done
	sn_reap_stale
	SN_TMP=$(mktemp -d "/tmp/$SN_ID.XXXXXX") || sn_fatal "mktemp"
	SN_CTL_SOCK=$SN_TMP/ctl.sock
	SN_VMBUS_SOCK=$SN_TMP/vmbus.sock
	# Watchdog: SIGTERM to the test shell (whose trap cleans up) before
	# meson's own timeout; its output must not hold meson's pipes open.
	(
		trap - EXIT INT TERM HUP
		i=0
		while [ "$i" -lt "$SN_TEST_TIMEOUT" ]; do
			sleep 1
			kill -0 $$ 2>/dev/null || exit 0
			i=$((i + 1))
		done
		# The shell's trap runs once its foreground command ends:
		# stop that too (by PID: the direct children of the test).
		touch "$SN_TMP/timed-out"
		kill -s TERM $$
		for c in $(ps -o pid= --ppid $$); do
			[ "$c" == "$BASHPID" ] || kill -s TERM "$c"
		done
	) >/dev/null 2>&1 </dev/null &
	SN_WATCHDOG=$!
}

# --- daemon and control ------------------------------------------------------

# sn_daemon_start [EXTRA EAL ARGS]: start synthnetd, wait (bounded) until
# the control socket answers `status`.
sn_daemon_start()
{
	local i

	sn_spawn "$SN_TMP/synthnetd.log" "$SN_SYNTHNETD" \
		--vmbus-socket "$SN_VMBUS_SOCK" --ctl-socket "$SN_CTL_SOCK" \
		--pidfile "$SN_TMP/synthnetd.pid" --state-dir "$SN_TMP/state" \
		-- --file-prefix "$SN_ID" --no-huge -m 512 --no-telemetry "$@"
	SN_DAEMON_PID=$SN_LAST_PID
	for ((i = 0; i < 200; i++)); do
		if ! sn_alive "$SN_DAEMON_PID"; then
			wait "$SN_DAEMON_PID"
			sn_fatal "synthnetd exited during start-up (status $?)"
		fi
		if [ -S "$SN_CTL_SOCK" ] &&
		   sn_ctl status >/dev/null 2>&1; then
			sn_diag "synthnetd pid $SN_DAEMON_PID ready after" \
				"$((i / 10)).$((i % 10)) s"
			return 0
		fi
		sleep 0.1
	done
	sn_fatal "synthnetd control socket did not answer within 20 s"
}

# sn_ctl ARGS...: synthctl on our daemon (bounded).
sn_ctl()
{
	sn_timeout 10 "$SN_SYNTHCTL" --socket "$SN_CTL_SOCK" "$@"
}

# sn_ctl_json ARGS...: synthctl --json on our daemon.
sn_ctl_json()
{
	sn_timeout 10 "$SN_SYNTHCTL" --socket "$SN_CTL_SOCK" --json "$@"
}

# sn_daemon_alive: process alive and `status` answers with its pid.
sn_daemon_alive()
{
	local pid

	sn_alive "$SN_DAEMON_PID" || return 1
	pid=$(sn_ctl_json status 2>/dev/null | sn_json pid) || return 1
	[ "$pid" == "$SN_DAEMON_PID" ]
}

# --- JSON --------------------------------------------------------------------

# sn_json PATH < JSON: print one value.  PATH is dot-separated keys and
# list indices ("0.drops.bad-rndis", "mbufs_in_use"); "" for the root.
# Booleans print as true/false, null as null, containers as JSON.
# Exit 1 (message on stderr) when the path does not exist.
sn_json()
{
	python3 -c '
import json, sys
try:
    v = json.load(sys.stdin)
except ValueError as e:
    sys.exit("sn_json: not JSON: %s" % e)
for k in [p for p in sys.argv[1].split(".") if p != ""]:
    try:
        v = v[int(k)] if isinstance(v, list) else v[k]
    except (KeyError, IndexError, ValueError, TypeError):
        sys.exit("sn_json: no %r in path %r" % (k, sys.argv[1]))
if isinstance(v, bool):
    print("true" if v else "false")
elif v is None:
    print("null")
elif isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True))
else:
    print(v)
' "$1"
}

# sn_jpy EXPR < JSON: print the value of a Python expression over j
# (the parsed document), e.g. 'len(j)' or 'sorted(a["mac"] for a in j)'.
sn_jpy()
{
	python3 -c '
import json, sys
j = json.load(sys.stdin)
v = eval(sys.argv[1], {"j": j})
if isinstance(v, bool):
    print("true" if v else "false")
elif isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True))
else:
    print(v)
' "$1"
}

# sn_json_find KEY < JSON: sum of every number stored under KEY anywhere
# in the document; prints "missing" if KEY never occurs.
sn_json_find()
{
	python3 -c '
import json, sys
def walk(v, key, acc):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == key and isinstance(x, int) and not isinstance(x, bool):
                acc.append(x)
            walk(x, key, acc)
    elif isinstance(v, list):
        for x in v:
            walk(x, key, acc)
acc = []
walk(json.load(sys.stdin), sys.argv[1], acc)
print(sum(acc) if acc else "missing")
' "$1"
}

# sn_status_field FIELD: one field of `status --json`.
sn_status_field()
{
	sn_ctl_json status | sn_json "$1"
}

# sn_adapter_state VM: state of the VM's (first) adapter.
sn_adapter_state()
{
	sn_ctl_json adapter list --vm "$1" | sn_json 0.state
}

# sn_adapter_mac VM: MAC of the VM's (first) adapter.
sn_adapter_mac()
{
	sn_ctl_json adapter list --vm "$1" | sn_json 0.mac
}

# --- resources ---------------------------------------------------------------

# sn_resources: "mbufs_in_use open_fds" of the daemon.
sn_resources()
{
	sn_ctl_json status |
		sn_jpy '"%d %d" % (j["mbufs_in_use"], j["open_fds"])'
}

# sn_resources_back BASELINE [TIMEOUT_S]: poll until sn_resources equals
# BASELINE; leaves the last reading in SN_RES.
SN_RES=""
sn_resources_back()
{
	local want=$1 timeout=${2:-5} end

	end=$((SECONDS + timeout))
	while :; do
		SN_RES=$(sn_resources) || SN_RES="(status failed)"
		[ "$SN_RES" == "$want" ] && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# sn_check_baseline DESC BASELINE: one check that mbufs/fds are back.
sn_check_baseline()
{
	if sn_resources_back "$2" 5; then
		sn_ok "$1: mbufs_in_use/open_fds back to baseline ($2)"
		return 0
	fi
	sn_not_ok "$1: mbufs_in_use/open_fds '$SN_RES', baseline '$2'"
	return 1
}

# --- namespaces and guests ---------------------------------------------------

# sn_netns SHORT: create netns "$SN_ID$SHORT" (once); name in SN_NS[SHORT].
sn_netns()
{
	local ns=$SN_ID$1

	[ -n "${SN_NS[$1]:-}" ] && return 0
	ip netns add "$ns" || sn_fatal "ip netns add $ns"
	SN_NETNS+=("$ns")
	SN_NS[$1]=$ns
	ip -n "$ns" link set lo up
}

# sn_ns SHORT: print the netns name.
sn_ns()
{
	printf '%s\n' "${SN_NS[$1]}"
}

# sn_nsx SHORT CMD...: run CMD in netns SHORT.
sn_nsx()
{
	local ns=${SN_NS[$1]}
	shift
	ip netns exec "$ns" "$@"
}

# True when eth0 in NS is up and no address is still tentative (DAD).
sn_if_ready()
{
	local ns=$1 link

	link=$(ip -n "$ns" -o link show dev eth0 2>/dev/null) || return 1
	[[ "$link" == *"<"*UP*">"* ]] || return 1
	[ -z "$(ip -n "$ns" -6 addr show dev eth0 tentative 2>/dev/null)" ]
}

# sn_guest_netns VM SHORT [CIDR...]: create netns SHORT if needed, attach
# VM with synthguest bridging to eth0 in it, wait (bounded) until the guest
# says ready and the interface is up with its addresses.
sn_guest_netns()
{
	local vm=$1 short=$2 ns log pid i ip args=()
	shift 2

	sn_netns "$short"
	ns=${SN_NS[$short]}
	for ip in "$@"; do
		args+=(--ip "$ip")
	done
	log=$SN_TMP/guest-$vm.log
	# SN_GUEST_ARGS: extra synthguest options (e.g. --no-reconnect)
	# shellcheck disable=SC2086
	sn_spawn "$log" "$SN_SYNTHGUEST" --vm "$vm" --socket "$SN_VMBUS_SOCK" \
		--netns "$ns" ${SN_GUEST_ARGS:-} "${args[@]}"
	pid=$SN_LAST_PID
	SN_GUEST_PID[$vm]=$pid
	for ((i = 0; i < 150; i++)); do
		if ! sn_alive "$pid"; then
			wait "$pid"
			sn_diag "synthguest $vm exited with status $?:"
			sed 's/^/#   /' "$log"
			return 1
		fi
		if grep -q ' ready (MTU' "$log" && sn_if_ready "$ns"; then
			return 0
		fi
		sleep 0.1
	done
	sn_diag "synthguest $vm not ready within 15 s:"
	sed 's/^/#   /' "$log"
	return 1
}

# sn_guest_stop VM [SIGNAL]: stop VM's synthguest; returns its status.
sn_guest_stop()
{
	local pid=${SN_GUEST_PID[$1]}

	sn_stop "$pid" "${2:-TERM}" 5
}

# sn_ping SHORT DST COUNT [INTERVAL]: ping from netns SHORT; prints ping's
# output as diagnostics on failure; 0 only with 0% loss.
sn_ping()
{
	local short=$1 dst=$2 count=$3 interval=${4:-0.05} out rc

	out=$(sn_timeout $((count + 15)) ip netns exec "${SN_NS[$short]}" \
		ping -n -q -c "$count" -i "$interval" -W 2 \
		-w $((count + 10)) "$dst" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || ! grep -q " 0% packet loss" <<<"$out"; then
		sed 's/^/#   /' <<<"$out"
		return 1
	fi
	return 0
}

# sn_ping_retry SHORT DST: one ping, retried for up to 10 s (first
# neighbour resolution, slow start-up); 0 when one got through.
sn_ping_retry()
{
	local short=$1 dst=$2 i

	for ((i = 0; i < 10; i++)); do
		sn_timeout 5 ip netns exec "${SN_NS[$short]}" \
			ping -n -q -c 1 -W 1 "$dst" >/dev/null 2>&1 && return 0
	done
	return 1
}

# --- TCP transfers (python3, no nc needed) -----------------------------------

# Receiver: accept one connection on PORT, write everything to OUT, print
# the byte count; every wait bounded (60 s without data ends it).
SN_PY_RECV='
import socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
ls = socket.socket(socket.AF_INET6 if ":" in sys.argv[3] else socket.AF_INET)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[3], port))
ls.listen(1)
ls.settimeout(60)
c, _ = ls.accept()
c.settimeout(60)
n = 0
with open(out, "wb") as f:
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        f.write(b)
        n += len(b)
print(n, flush=True)
'

# Sender: connect to HOST:PORT (retried for 10 s while the receiver comes
# up), send FILE ("-": zeros until killed or the peer goes), close.
SN_PY_SEND='
import socket, sys, time
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
end = time.monotonic() + 10
while True:
    try:
        s = socket.create_connection((host, port), timeout=5)
        break
    except OSError:
        if time.monotonic() > end:
            raise
        time.sleep(0.1)
s.settimeout(60)
n = 0
if path == "-":
    buf = bytes(1 << 16)
    while True:
        s.sendall(buf)
        n += len(buf)
else:
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            s.sendall(b)
            n += len(b)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
print(n, flush=True)
'

# sn_tcp_recv SHORT BIND_ADDR PORT OUT LOG: start a receiver in netns SHORT
# (background; pid in SN_LAST_PID).
sn_tcp_recv()
{
	sn_spawn "$5" ip netns exec "${SN_NS[$1]}" python3 -c "$SN_PY_RECV" \
		"$3" "$4" "$2"
}

# sn_tcp_send_bg SHORT HOST PORT FILE LOG: start a sender (background).
sn_tcp_send_bg()
{
	sn_spawn "$5" ip netns exec "${SN_NS[$1]}" python3 -c "$SN_PY_SEND" \
		"$2" "$3" "$4"
}

# sn_tcp_listening SHORT PORT: true when something listens on PORT.
sn_tcp_listening()
{
	ip netns exec "${SN_NS[$1]}" ss -Hltn "sport = :$2" 2>/dev/null |
		grep -q LISTEN
}

# --- background ping ---------------------------------------------------------

# sn_ping_bg_start SHORT DST: ping DST from netns SHORT in batches of 10
# (interval 0.05 s) until sn_ping_bg_stop; each batch's summary is logged.
SN_PING_BG=""
SN_PING_BG_LOG=""
sn_ping_bg_start()
{
	local ns=${SN_NS[$1]} dst=$2

	SN_PING_BG_LOG=$SN_TMP/ping-bg-$1.log
	rm -f "$SN_TMP/ping-bg.stop"
	(
		trap - EXIT INT TERM HUP
		while [ ! -e "$SN_TMP/ping-bg.stop" ]; do
			sn_timeout 10 ip netns exec "$ns" ping -n -q -c 10 \
				-i 0.05 -W 2 "$dst" 2>&1 |
				grep 'packets transmitted'
		done
	) >"$SN_PING_BG_LOG" 2>&1 </dev/null &
	SN_PING_BG=$!
	SN_PIDS+=("$SN_PING_BG")
}

# sn_ping_bg_stop: finish the current batch; SN_PING_TX / SN_PING_RX get
# the totals, SN_PING_BATCHES the number of batches.
sn_ping_bg_stop()
{
	touch "$SN_TMP/ping-bg.stop"
	sn_wait_until 15 eval '! sn_alive $SN_PING_BG'
	sn_stop "$SN_PING_BG" TERM 2
	read -r SN_PING_TX SN_PING_RX SN_PING_BATCHES < <(awk '
		{ tx += $1; rx += $4; n++ }
		END { printf "%d %d %d\n", tx, rx, n }' "$SN_PING_BG_LOG")
}

# sn_daemon_stop: SIGTERM synthnetd and wait (10 s); 0 when it exited with
# status 0.  The cleanup then has no daemon left to stop.
sn_daemon_stop()
{
	local rc

	sn_stop "$SN_DAEMON_PID" TERM 10
	rc=$?
	SN_DAEMON_PID=""
	[ $rc -eq 0 ] || sn_diag "synthnetd exit status $rc"
	return $rc
}
