# SPDX-License-Identifier: BSD-3-Clause
#
# cap_lib.sh - helpers of the packet-capture tests (cap_*.sh), sourced
# after lib.sh.  tshark judges every file; tcpdump (libpcap) judges
# filters.
#
#   cap_quiet_net S,IP,MAC...: no ARP (permanent neighbours), so a
#                            capture holds exactly the frames a test sends
#   cap_start ARGS...      : synthctl capture start ARGS; the id on stdout
#   cap_show ID PATH       : one value of `capture show ID --json`
#   cap_stop ID            : capture stop ID (quiet)
#   cap_wait_state ID STATE TIMEOUT_S
#   cap_tshark_ok FILE     : one check: tshark reads FILE (exit 0, nothing
#                            "damaged or corrupt")
#   cap_count FILE [DISPLAY_FILTER] : frames in FILE
#   cap_fields FILE FILTER FIELD... : tshark -T fields over FILE

command -v tshark >/dev/null || sn_fatal "tshark not installed"

# cap_quiet_net SHORT,IP,MAC[,DEV]...: permanent neighbour entries
# between every pair (DEV default eth0), IPv6 already off
# (sn_netns_noipv6): no ARP or ND during a test.
cap_quiet_net()
{
	local a b sa ia ma da sb ib mb db

	for a in "$@"; do
		IFS=, read -r sa ia ma da <<<"$a"
		for b in "$@"; do
			[ "$a" == "$b" ] && continue
			IFS=, read -r sb ib mb db <<<"$b"
			[ "$sa" == "$sb" ] && continue
			ip -n "$(sn_ns "$sa")" neigh replace "$ib" lladdr \
				"$mb" dev "${da:-eth0}" nud permanent ||
				sn_fatal "static neighbour $ib in $sa"
		done
	done
}

# cap_start ARGS...: start a capture (synthctl opens -w FILE itself); the
# id on stdout; exit status of synthctl.
cap_start()
{
	sn_ctl capture start "$@"
}

# cap_show ID PATH: one value of `capture show ID --json`.
cap_show()
{
	sn_ctl_json capture show "$1" | sn_json "$2"
}

# cap_stop ID: stop a capture (its file is complete when this returns).
cap_stop()
{
	sn_ctl capture stop "$1" >/dev/null
}

# cap_wait_state ID STATE TIMEOUT_S: poll until the capture's state is
# STATE ("running", "stopped").
cap_wait_state()
{
	sn_wait_until "$3" eval '[ "$(cap_show '"$1"' state)" == '"$2"' ]'
}

# cap_tshark_ok FILE [DESC]: one check that tshark reads FILE without
# error: exit status 0 and no "appears to be damaged or corrupt".
cap_tshark_ok()
{
	local f=$1 desc=${2:-$1} out rc

	out=$(tshark -n -r "$f" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 0 ] && ! grep -qi "damaged or corrupt" <<<"$out" &&
	   ! grep -qi "isn't a capture file\|unknown file format" <<<"$out"
	then
		sn_ok "tshark reads $desc ($(cap_count "$f") frames)"
		return 0
	fi
	sn_not_ok "tshark reads $desc (exit $rc)"
	sed 's/^/#   tshark: /' <<<"$out"
	return 1
}

# cap_count FILE [DISPLAY_FILTER]: number of frames.
cap_count()
{
	if [ $# -gt 1 ]; then
		tshark -n -r "$1" -Y "$2" 2>/dev/null | wc -l
	else
		tshark -n -r "$1" 2>/dev/null | wc -l
	fi
}

# cap_fields FILE DISPLAY_FILTER FIELD...: one tab-separated line per
# frame ("" as filter: every frame).
cap_fields()
{
	local f=$1 y=$2 a=() x
	shift 2
	for x in "$@"; do
		a+=(-e "$x")
	done
	if [ -n "$y" ]; then
		tshark -n -r "$f" -Y "$y" -T fields "${a[@]}" 2>/dev/null
	else
		tshark -n -r "$f" -T fields "${a[@]}" 2>/dev/null
	fi
}
