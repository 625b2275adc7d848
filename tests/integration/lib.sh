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
#   checks      sn_check sn_quiet sn_expect_eq sn_expect_ge sn_ok sn_not_ok
#               sn_fatal sn_diag sn_done
#   processes   sn_spawn sn_stop sn_timeout sn_wait_until sn_alive
#   daemon      sn_daemon_cmd sn_daemon_start sn_daemon_stop sn_daemon_alive
#               sn_ctl sn_ctl_json sn_status_field sn_adapter_state
#               sn_adapter_mac sn_resources sn_check_baseline
#   JSON        sn_json sn_jpy sn_json_find
#   guests      sn_netns sn_ns sn_nsx sn_netns_noipv6 sn_guest_netns
#               sn_guest_stop
#   links       sn_veth (veth pair: test namespace <-> a netns, removed
#               at exit) sn_tx_csum
#   capture     sn_capture_start sn_capture_stop sn_capture_fields
#   frames      sn_raw_icmp ($SN_PY_RAW: 802.1Q-tagged or plain ICMP)
#   counters    sn_stat sn_stats_quiet
#   traffic     sn_ping sn_ping_retry sn_ping_bg_start sn_ping_bg_stop
#               sn_tcp_recv sn_tcp_send_bg sn_tcp_listening ($SN_PY_SEND)
#               sn_tcp_data sn_tcp_transfer
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
SN_LINKS=()		# links we created in the test's own namespace
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

# sn_quiet CMD [ARGS...]: CMD with its stdout thrown away (for sn_check
# of a command whose answer is not needed: redirecting sn_check's own
# output would hide the check line).
sn_quiet()
{
	"$@" >/dev/null
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
	sn_links_del
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
	sn_links_del
	rm -rf "/var/run/dpdk/$SN_ID"
	sn_dump_logs
	[ -n "$SN_TMP" ] && rm -rf "$SN_TMP"
}

# Our links in the test's namespace (a veth whose peer's namespace was
# deleted is gone already; the name is ours: it carries $SN_ID).
sn_links_del()
{
	local l

	for l in "${SN_LINKS[@]}"; do
		[[ "$l" == "$SN_ID"* ]] || continue
		ip link show dev "$l" >/dev/null 2>&1 &&
			ip link del dev "$l" 2>/dev/null
	done
}

# Leftovers of earlier runs that were SIGKILLed (their trap never ran):
# only our own naming scheme, and only when that test's shell is gone.
sn_reap_stale()
{
	local ns d pid l

	for l in $(ip -o link show 2>/dev/null |
		   awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
		[[ "$l" =~ ^snt([0-9]+)x ]] || continue
		pid=${BASH_REMATCH[1]}
		[ -e "/proc/$pid" ] && continue
		sn_diag "removing stale link $l"
		ip link del dev "$l" 2>/dev/null
	done
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

# sn_daemon_cmd [EXTRA EAL ARGS]: the synthnetd command line of this test
# (our sockets, pidfile, state directory $SN_TMP/state and EAL file
# prefix) in the array SN_DAEMON_CMD.
SN_DAEMON_CMD=()
sn_daemon_cmd()
{
	SN_DAEMON_CMD=("$SN_SYNTHNETD" \
		--vmbus-socket "$SN_VMBUS_SOCK" --ctl-socket "$SN_CTL_SOCK" \
		--pidfile "$SN_TMP/synthnetd.pid" --state-dir "$SN_TMP/state" \
		-- --file-prefix "$SN_ID" --no-huge -m 512 --no-telemetry "$@")
}

# sn_daemon_start [EXTRA EAL ARGS]: start synthnetd, wait (bounded) until
# the control socket answers `status`.
sn_daemon_start()
{
	local i

	sn_daemon_cmd "$@"
	sn_spawn "$SN_TMP/synthnetd.log" "${SN_DAEMON_CMD[@]}"
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

# sn_netns_noipv6 SHORT: create netns SHORT if needed and switch IPv6 off
# in it (interfaces created later included): no DAD, MLD or RS frames, so
# that frame counts and captures see only what a test sends.
sn_netns_noipv6()
{
	sn_netns "$1"
	ip netns exec "${SN_NS[$1]}" sysctl -qw \
		net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 ||
		sn_fatal "cannot switch IPv6 off in netns $1"
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

# sn_tcp_data MIB: random test data for sn_tcp_transfer (MIB MiB).
SN_TCP_DATA=""
SN_TCP_SHA=""
sn_tcp_data()
{
	SN_TCP_DATA=$SN_TMP/tcp-data
	head -c $(($1 << 20)) /dev/urandom >"$SN_TCP_DATA" ||
		sn_fatal "test data"
	SN_TCP_SHA=$(sha256sum <"$SN_TCP_DATA" | cut -d' ' -f1)
}

# sn_tcp_transfer FROM TO TO_IP PORT: send the sn_tcp_data file from
# netns FROM to a receiver on TO_IP:PORT in netns TO (60 s at most); 0
# when it arrived whole (sha256), else diagnostics.
sn_tcp_transfer()
{
	local from=$1 to=$2 to_ip=$3 port=$4 rx rpid spid got

	rx=$SN_TMP/tcp-rx-$port
	rm -f "$rx"
	sn_tcp_recv "$to" "$to_ip" "$port" "$rx" "$SN_TMP/recv-$port.log"
	rpid=$SN_LAST_PID
	sn_wait_until 10 sn_tcp_listening "$to" "$port" || return 1
	sn_tcp_send_bg "$from" "$to_ip" "$port" "$SN_TCP_DATA" \
		"$SN_TMP/send-$port.log"
	spid=$SN_LAST_PID
	sn_wait_until 60 eval '! sn_alive '"$spid"
	sn_wait_until 10 eval '! sn_alive '"$rpid"
	sn_stop "$spid" TERM 2
	sn_stop "$rpid" TERM 2
	got=$(sha256sum <"$rx" 2>/dev/null | cut -d' ' -f1)
	[ "$got" == "$SN_TCP_SHA" ] && return 0
	sn_diag "received $(stat -c %s "$rx" 2>/dev/null || echo no) bytes," \
		"sha256 '$got'"
	sed 's/^/#   sender: /' "$SN_TMP/send-$port.log"
	sed 's/^/#   receiver: /' "$SN_TMP/recv-$port.log"
	return 1
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

# --- veth pairs --------------------------------------------------------------

# sn_veth SUFFIX SHORT PEER: a veth pair "$SN_ID$SUFFIX" (in the test's
# namespace, where synthnetd runs: an uplink for net_af_packet) <-> PEER
# in netns SHORT (created if needed).  Both ends up; IPv6 off on our end
# (no DAD/MLD/RS from the machine's stack into the switch).  The name is
# left in SN_LAST_LINK; SUFFIX keeps it within 15 characters (4 at most).
# Removed at exit (also on failure: deleting the netns or the link).
SN_LAST_LINK=""
sn_veth()
{
	local l=$SN_ID$1 short=$2 peer=$3

	[ "${#l}" -le 15 ] || sn_fatal "link name $l longer than 15"
	sn_netns "$short"
	ip link add "$l" type veth peer name "$peer" \
		netns "${SN_NS[$short]}" || sn_fatal "ip link add $l"
	SN_LINKS+=("$l")
	SN_LAST_LINK=$l
	sysctl -qw "net.ipv6.conf.$l.disable_ipv6=1" 2>/dev/null
	ip link set dev "$l" up || sn_fatal "ip link set $l up"
	ip -n "${SN_NS[$short]}" link set dev "$peer" up ||
		sn_fatal "ip link set $peer up in netns $short"
}

# sn_tx_csum SHORT IF on|off: transmit checksum offload of IF in netns
# SHORT (ethtool -K IF tx on|off without ethtool: the legacy
# ETHTOOL_STXCSUM ioctl; TSO follows, as it needs checksum offload).  A
# veth with it on hands its peer frames whose TCP/UDP checksum is not
# filled in yet (CHECKSUM_PARTIAL), as no wire ever does.
SN_PY_TXCSUM='
import ctypes, fcntl, socket, struct, sys
class EthtoolValue(ctypes.Structure):
    _fields_ = [("cmd", ctypes.c_uint32), ("data", ctypes.c_uint32)]
ev = EthtoolValue(0x17, 1 if sys.argv[2] == "on" else 0)  # ETHTOOL_STXCSUM
ifr = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(ev))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(s.fileno(), 0x8946, ifr.ljust(40, b"\0"))      # SIOCETHTOOL
'
sn_tx_csum()
{
	ip netns exec "${SN_NS[$1]}" python3 -c "$SN_PY_TXCSUM" "$2" "$3"
}

# --- captures (tshark) -------------------------------------------------------

# sn_capture_start SHORT IF FILTER: tshark on IF in netns SHORT with the
# capture (BPF) FILTER, writing a pcap file; returns once tshark captures
# (15 s at most).  Pid in SN_LAST_PID, file in SN_CAP_FILE.  libpcap
# shows the 802.1Q tag the kernel took out of a received frame again, so
# "vlan 10" filters and vlan.id fields work on veths and TAPs.
SN_CAP_N=0
SN_CAP_FILE=""
sn_capture_start()
{
	local short=$1 ifc=$2 filter=$3 log

	command -v tshark >/dev/null || sn_fatal "tshark not installed"
	SN_CAP_N=$((SN_CAP_N + 1))
	SN_CAP_FILE=$SN_TMP/cap-$SN_CAP_N.pcap
	log=$SN_TMP/tshark-$SN_CAP_N.log
	sn_spawn "$log" ip netns exec "${SN_NS[$short]}" tshark -n -q \
		-i "$ifc" -f "$filter" -F pcap -w "$SN_CAP_FILE"
	if ! sn_wait_until 15 grep -q "^Capturing on" "$log"; then
		sed 's/^/#   tshark: /' "$log"
		sn_fatal "tshark on $ifc in netns $short did not start"
	fi
}

# sn_capture_stop PID: stop a capture (SIGINT: tshark finishes the file).
sn_capture_stop()
{
	sleep 0.3
	sn_stop "$1" INT 5 >/dev/null
}

# sn_capture_fields FILE FIELD...: one line per frame of FILE, the fields
# tab-separated (tshark -T fields).
sn_capture_fields()
{
	local f=$1 a=() x
	shift
	for x in "$@"; do
		a+=(-e "$x")
	done
	tshark -n -r "$f" -T fields "${a[@]}" 2>/dev/null
}

# --- raw frames --------------------------------------------------------------

# ICMP echo requests as raw Ethernet frames on an interface (AF_PACKET),
# optionally with an 802.1Q tag written into the frame itself (a guest
# that tags in software).  Arguments: IF DST_MAC SRC_MAC VLAN (0 = none)
# SRC_IP DST_IP COUNT [ICMP_ID].  Prints the number of frames sent.
SN_PY_RAW='
import socket, struct, sys, time
ifc, dmac, smac = sys.argv[1], sys.argv[2], sys.argv[3]
vlan, sip, dip = int(sys.argv[4]), sys.argv[5], sys.argv[6]
count = int(sys.argv[7])
ident = int(sys.argv[8], 0) if len(sys.argv) > 8 else 0x5e5e
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifc, 0))
for seq in range(1, count + 1):
    payload = b"synthnet-raw-%05d" % seq + bytes(30)
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64,
                     1, 0, socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = mac(dmac) + mac(smac)
    if vlan:
        eth += struct.pack("!HH", 0x8100, vlan)
    s.send(eth + b"\x08\x00" + ip + icmp)
    time.sleep(0.02)
print(count)
'

# sn_raw_icmp SHORT IF DST_MAC SRC_MAC VLAN SRC_IP DST_IP COUNT [ID]
sn_raw_icmp()
{
	local short=$1
	shift
	sn_timeout 20 ip netns exec "${SN_NS[$short]}" python3 -c \
		"$SN_PY_RAW" "$@" >/dev/null
}

# --- adapter counters --------------------------------------------------------

# sn_stat VM NIC PATH: one number of `adapter stats VM --name NIC`, PATH
# as for sn_json inside the adapter ("to_vm.packets", "drops.vlan").
sn_stat()
{
	sn_ctl_json adapter stats "$1" --name "$2" | sn_json "0.$3"
}

# sn_stats_quiet VM...: wait (5 s at most) until the adapter stats of
# every VM given agree in two readings 0.3 s apart (no frame in flight).
sn_stats_quiet()
{
	local i vm a b

	for ((i = 0; i < 15; i++)); do
		a="" b=""
		for vm in "$@"; do
			a+=$(sn_ctl_json adapter stats "$vm") || return 1
		done
		sleep 0.3
		for vm in "$@"; do
			b+=$(sn_ctl_json adapter stats "$vm") || return 1
		done
		[ "$a" == "$b" ] && return 0
	done
	sn_diag "adapter stats of $* never quiet for 0.3 s"
	return 0
}
