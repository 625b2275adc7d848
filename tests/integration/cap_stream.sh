#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cap_stream: captures in the foreground.
#   - `synthctl capture start ... -w - | tshark -r -` shows the pings
#     while the capture runs (read live, before the capture is stopped);
#     SIGINT (Ctrl-C) to synthctl stops the capture: exit 0, a summary on
#     stderr, tshark sees the end of the stream and every packet;
#   - --follow -w FILE stays in the foreground the same way, and the file
#     is complete when synthctl exits;
#   - a reader that goes away ends the capture ("reader went away"),
#     synthctl exits 0;
#   - the guest exits during a `-w -` capture: it ends by itself ("port
#     removed"), synthctl exits 0, tshark reads a valid stream;
#   - -w - to a terminal is refused.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cap_lib.sh"
sn_init cap_stream
sn_daemon_start

sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl adapter add vm1 --switch sw1 >/dev/null || sn_fatal "adapter add vm1"
sn_ctl adapter add vm2 --switch sw1 >/dev/null || sn_fatal "adapter add vm2"
mac1=$(sn_adapter_mac vm1) || sn_fatal "MAC of vm1"
mac2=$(sn_adapter_mac vm2) || sn_fatal "MAC of vm2"
sn_netns_noipv6 a
sn_netns_noipv6 b
sn_check "vm1 attaches" sn_guest_netns vm1 a 10.77.0.1/24 || sn_fatal "vm1"
sn_check "vm2 attaches" sn_guest_netns vm2 b 10.77.0.2/24 || sn_fatal "vm2"
cap_quiet_net "a,10.77.0.1,$mac1" "b,10.77.0.2,$mac2"
sn_check "first ping a -> b" sn_ping_retry a 10.77.0.2 || sn_fatal "no path"
sn_stats_quiet vm1 vm2

# the id of the (only) running capture
running_id()
{
	sn_ctl_json capture list |
		sn_jpy '[c["id"] for c in j if c["state"] == "running"][0]'
}

# start_stream NAME ARGS...: synthctl capture start ARGS -w - into a FIFO
# read by tshark -l (fields: icmp.seq); pids in SPID (synthctl), TPID.
start_stream()
{
	local name=$1
	shift
	mkfifo "$SN_TMP/$name.fifo" || sn_fatal "mkfifo"
	tshark -l -n -r "$SN_TMP/$name.fifo" -T fields -e icmp.seq \
		>"$SN_TMP/$name.txt" 2>"$SN_TMP/$name-tshark.log" &
	TPID=$!
	SN_PIDS+=("$TPID")
	"$SN_SYNTHCTL" --socket "$SN_CTL_SOCK" capture start "$@" -w - \
		>"$SN_TMP/$name.fifo" 2>"$SN_TMP/$name.err" </dev/null &
	SPID=$!
	SN_PIDS+=("$SPID")
}

# lines NAME: lines tshark printed so far
lines()
{
	wc -l <"$SN_TMP/$1.txt"
}

# --- live: pings appear while the capture runs; Ctrl-C ends it ------------
start_stream live --adapter vm1
sn_check "the streaming capture is running" \
	sn_wait_until 10 eval '[ -n "$(running_id 2>/dev/null)" ]'
id=$(running_id)
sn_ping_bg_start a 10.77.0.2
sn_check "tshark shows pings while the capture runs (>= 10 lines)" \
	sn_wait_until 15 eval '[ "$(lines live)" -ge 10 ]'
sn_expect_eq "... and the capture is still running" \
	"$(cap_show "$id" state)" running
sn_ping_bg_stop
sn_stop "$SPID" INT 10
sn_expect_eq "Ctrl-C: synthctl exits 0" "$?" 0
sn_check "Ctrl-C: the summary on stderr" \
	grep -q "^capture $id stopped: by user: [0-9]* packets" \
	"$SN_TMP/live.err"
sn_expect_eq "Ctrl-C: the capture is stopped by user" \
	"$(cap_show "$id" status)" "stopped: by user"
sn_stop "$TPID" TERM 10
sn_expect_eq "tshark saw the end of the stream (exit 0)" "$?" 0
sn_check "tshark: no damaged or corrupt stream" \
	eval '! grep -qi "damaged\|corrupt" "$SN_TMP/live-tshark.log"'
sn_expect_eq "tshark got every packet the capture wrote" \
	"$(lines live)" "$(cap_show "$id" packets)"
sn_expect_eq "... the $((SN_PING_TX + SN_PING_RX)) requests and replies" \
	"$(lines live)" $((SN_PING_TX + SN_PING_RX))

# --- --follow -w FILE --------------------------------------------------------
F=$SN_TMP/follow.pcapng
"$SN_SYNTHCTL" --socket "$SN_CTL_SOCK" capture start --adapter vm2 --follow \
	-w "$F" >"$SN_TMP/follow.out" 2>"$SN_TMP/follow.err" </dev/null &
fpid=$!
SN_PIDS+=("$fpid")
sn_check "--follow: the capture is running" \
	sn_wait_until 10 eval '[ -n "$(running_id 2>/dev/null)" ]'
id=$(running_id)
sn_check "10 pings b -> a" sn_ping b 10.77.0.1 10 0.02
sn_stats_quiet vm1 vm2
sn_check "--follow: synthctl stays in the foreground" sn_alive "$fpid"
sn_stop "$fpid" INT 10
sn_expect_eq "--follow, Ctrl-C: exit 0" "$?" 0
sn_check "--follow: the summary on stderr" \
	grep -q "^capture $id stopped: by user: 20 packets" \
	"$SN_TMP/follow.err"
cap_tshark_ok "$F" "the --follow file"
sn_expect_eq "--follow: the file holds the 20 frames" "$(cap_count "$F")" 20

# --- a reader that goes away -------------------------------------------------
mkfifo "$SN_TMP/head.fifo" || sn_fatal "mkfifo"
head -c 200 <"$SN_TMP/head.fifo" >/dev/null &
SN_PIDS+=("$!")
"$SN_SYNTHCTL" --socket "$SN_CTL_SOCK" capture start --adapter vm1 -w - \
	>"$SN_TMP/head.fifo" 2>"$SN_TMP/head.err" </dev/null &
hpid=$!
SN_PIDS+=("$hpid")
sn_check "head's capture is running" \
	sn_wait_until 10 eval '[ -n "$(running_id 2>/dev/null)" ]'
id=$(running_id)
sn_check "20 pings a -> b" sn_ping a 10.77.0.2 20 0.02
sn_check "the reader went away: the capture ends" cap_wait_state "$id" \
	stopped 10
sn_expect_eq "... because the reader went away" \
	"$(cap_show "$id" status)" "stopped: reader went away (Broken pipe)"
sn_check "... and synthctl exits" sn_wait_until 10 eval '! sn_alive '"$hpid"
wait "$hpid"
sn_expect_eq "... with status 0" "$?" 0
sn_check "... after its summary" \
	grep -q "^capture $id stopped: reader went away" "$SN_TMP/head.err"

# --- the guest exits during a stream ------------------------------------------
start_stream gone --adapter vm2
sn_check "vm2's streaming capture is running" \
	sn_wait_until 10 eval '[ -n "$(running_id 2>/dev/null)" ]'
id=$(running_id)
sn_check "5 pings a -> b" sn_ping a 10.77.0.2 5 0.02
sn_wait_until 10 eval '[ "$(lines gone)" -ge 10 ]'
sn_guest_stop vm2
sn_check "vm2 gone: the capture ends by itself" cap_wait_state "$id" \
	stopped 10
sn_expect_eq "... as 'port removed'" "$(cap_show "$id" status)" \
	"stopped: port removed"
sn_check "... synthctl exits by itself" \
	sn_wait_until 10 eval '! sn_alive '"$SPID"
wait "$SPID"
sn_expect_eq "... with status 0" "$?" 0
sn_check "... tshark too" sn_wait_until 10 eval '! sn_alive '"$TPID"
wait "$TPID"
sn_expect_eq "... with status 0" "$?" 0
sn_expect_eq "tshark read the 10 frames" "$(lines gone)" 10

# --- -w - to a terminal ----------------------------------------------------------
out=$(sn_timeout 10 script -qec "$SN_SYNTHCTL --socket $SN_CTL_SOCK capture \
	start --adapter vm1 -w -; echo rc=\$?" /dev/null | tr -d '\r')
sn_check "-w - to a terminal is refused" \
	grep -q "synthctl: refusing to write pcapng to a terminal" <<<"$out"
sn_check "... with status 1" grep -q "^rc=1\$" <<<"$out"
sn_expect_eq "... and nothing runs" \
	"$(sn_ctl_json capture list | sn_jpy \
	   'sum(1 for c in j if c["state"] == "running")')" 0
sn_done
