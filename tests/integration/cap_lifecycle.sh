#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cap_lifecycle: how captures start, are refused and end.
#   - refused before anything starts: an unwritable path (missing
#     directory, a directory; as an unprivileged user, a directory it may
#     not write: synthctl opens the file with the user's own rights), an
#     adapter whose channel is not open, a switch without ports, --uplink
#     on a private switch;
#   - files the user's synthctl creates belong to the user; ring files
#     the daemon creates are given to the user too;
#   - --count N ends with exactly N frames, --duration S after S seconds;
#   - --ring 3 --size 1 rotates: the last three files exist, each a
#     complete pcapng file tshark reads, none above 1 MB;
#   - a capture whose guest exits ends "port removed" with a valid file;
#     moving the adapter to another switch ends its capture the same way;
#     deleting the switch ends a --switch capture;
#   - stop twice is fine, show of an unknown id is an error;
#   - mbufs and fds come back once the captures have ended; a daemon
#     stopped during a capture leaves a valid file.
# Ended captures are kept for `capture show` (and counted in the list).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cap_lib.sh"
sn_init cap_lifecycle
sn_daemon_start

sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl switch create sw2 --type private >/dev/null ||
	sn_fatal "switch create sw2"
for vm in vm1 vm2 vm3; do
	sn_ctl adapter add $vm --switch sw1 >/dev/null ||
		sn_fatal "adapter add $vm"
done
mac1=$(sn_adapter_mac vm1) || sn_fatal "MAC of vm1"
mac2=$(sn_adapter_mac vm2) || sn_fatal "MAC of vm2"
sn_netns_noipv6 a
sn_netns_noipv6 b
sn_check "vm1 attaches" sn_guest_netns vm1 a 10.77.0.1/24 || sn_fatal "vm1"
sn_check "vm2 attaches" sn_guest_netns vm2 b 10.77.0.2/24 || sn_fatal "vm2"
cap_quiet_net "a,10.77.0.1,$mac1" "b,10.77.0.2,$mac2"
sn_check "first ping a -> b" sn_ping_retry a 10.77.0.2 || sn_fatal "no path"
sn_stats_quiet vm1 vm2
base=$(sn_resources) || sn_fatal "status"

# refused DESC MESSAGE [AS_USER] ARGS...: capture start fails with status
# 1 and exactly MESSAGE on stderr; no capture starts.
refused()
{
	local desc=$1 msg=$2 before err rc pre=()
	shift 2
	if [ "$1" == --as-nobody ]; then
		pre=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		shift
	fi
	before=$(sn_ctl_json capture list | sn_jpy 'len(j)')
	err=$(cd "$SN_TMP" && sn_timeout 10 "${pre[@]}" "$SN_SYNTHCTL" \
		--socket "$SN_CTL_SOCK" capture start "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 1 ] && [ "$err" == "synthctl: $msg" ] &&
	   [ "$(sn_ctl_json capture list | sn_jpy 'len(j)')" == "$before" ]
	then
		sn_ok "$desc: refused ($msg)"
		return 0
	fi
	sn_not_ok "$desc: status $rc, '$err' (want 1, 'synthctl: $msg')"
	return 1
}

# --- refusals --------------------------------------------------------------
refused "missing directory" \
	"cannot write /nonexistent/x.pcapng: No such file or directory" \
	--adapter vm1 -w /nonexistent/x.pcapng
refused "a directory" "cannot write $SN_TMP: Is a directory" \
	--adapter vm1 -w "$SN_TMP"
refused "ring files in a missing directory" \
	"cannot write ring files in /nonexistent: No such file or directory" \
	--adapter vm1 --ring 2 --size 1 -w /nonexistent/r.pcapng
refused "adapter without an open channel" \
	"adapter vm3/eth0 has no open channel (its guest is not running or has not attached it): start the guest, then the capture" \
	--adapter vm3 -w "$SN_TMP/x.pcapng"
refused "switch without ports" \
	"switch sw2 has no ports to capture yet (no guest has its adapter's channel open, no uplink, no host vNIC): start a guest first" \
	--switch sw2 -w "$SN_TMP/x.pcapng"
refused "--uplink of a private switch" \
	"switch 'sw1' has no uplink (it is private): --uplink needs an external switch" \
	--uplink sw1 -w "$SN_TMP/x.pcapng"
sn_check "nothing left behind by the refusals" test ! -e "$SN_TMP/x.pcapng"

# An unprivileged user (allowed on the control socket for this test):
# synthctl opens the file with the user's rights.
chmod 0666 "$SN_CTL_SOCK"
chmod 0755 "$SN_TMP"
mkdir -m 0755 "$SN_TMP/rootonly"
mkdir -m 0777 "$SN_TMP/open"
refused "nobody, a directory only root may write" \
	"cannot write $SN_TMP/rootonly/x.pcapng: Permission denied" \
	--as-nobody --adapter vm1 -w "$SN_TMP/rootonly/x.pcapng"
refused "nobody, ring files where only root may write" \
	"cannot write ring files in $SN_TMP/rootonly: Permission denied" \
	--as-nobody --adapter vm1 --ring 2 --size 1 \
	-w "$SN_TMP/rootonly/r.pcapng"
sn_check "nothing was created there" \
	eval '[ -z "$(ls -A "$SN_TMP/rootonly")" ]'
id=$(cd "$SN_TMP/open" && sn_timeout 10 setpriv --reuid=nobody \
	--regid=nogroup --clear-groups "$SN_SYNTHCTL" --socket \
	"$SN_CTL_SOCK" capture start --adapter vm1 --count 4 -w n.pcapng)
sn_expect_eq "nobody starts a capture to a relative path" "$?" 0
sn_check "4 pings" sn_ping a 10.77.0.2 4 0.02
sn_check "... it ends after 4 frames" cap_wait_state "$id" stopped 10
sn_expect_eq "... as 'packet count reached'" "$(cap_show "$id" status)" \
	"stopped: packet count reached"
sn_expect_eq "... the path shown is absolute" "$(cap_show "$id" output)" \
	"$SN_TMP/open/n.pcapng"
sn_expect_eq "... the file belongs to nobody" \
	"$(stat -c %U "$SN_TMP/open/n.pcapng")" nobody
cap_tshark_ok "$SN_TMP/open/n.pcapng" "nobody's file"
sn_expect_eq "... with exactly 4 frames" \
	"$(cap_count "$SN_TMP/open/n.pcapng")" 4

# --- count, duration ----------------------------------------------------------
C=$SN_TMP/count.pcapng
id=$(cap_start --adapter vm1 --count 10 -w "$C") || sn_fatal "capture (count)"
sn_check "20 pings" sn_ping a 10.77.0.2 20 0.01
sn_check "--count 10: ends by itself" cap_wait_state "$id" stopped 10
sn_expect_eq "--count 10: status" "$(cap_show "$id" status)" \
	"stopped: packet count reached"
cap_tshark_ok "$C" "the --count file"
sn_expect_eq "--count 10: exactly 10 frames" "$(cap_count "$C")" 10
t0=$SECONDS
id=$(cap_start --adapter vm1 --duration 2 -w "$SN_TMP/dur.pcapng") ||
	sn_fatal "capture (duration)"
sn_check "--duration 2: ends by itself" cap_wait_state "$id" stopped 10
sn_expect_ge "--duration 2: after 2 s at least" $((SECONDS - t0)) 2
sn_expect_eq "--duration 2: status" "$(cap_show "$id" status)" \
	"stopped: duration reached"
cap_tshark_ok "$SN_TMP/dur.pcapng" "the --duration file"

# --- ring files ----------------------------------------------------------------
R=$SN_TMP/open/ring.pcapng
id=$(cd "$SN_TMP/open" && sn_timeout 10 setpriv --reuid=nobody \
	--regid=nogroup --clear-groups "$SN_SYNTHCTL" --socket \
	"$SN_CTL_SOCK" capture start --adapter vm1 --ring 3 --size 1 \
	-w ring.pcapng)
sn_expect_eq "nobody starts ring files (3 x 1 MB)" "$?" 0
sn_timeout 60 ip netns exec "$(sn_ns a)" ping -n -q -c 2000 -i 0.002 \
	-s 1400 10.77.0.2 >/dev/null 2>&1
sn_stats_quiet vm1 vm2
sn_check "ring capture stop" cap_stop "$id"
started=$(cap_show "$id" files_started)
sn_expect_ge "about 5.7 MB of frames: 6 files or more started" "$started" 6
mapfile -t files < <(sn_ctl_json capture show "$id" | sn_jpy \
	'"\n".join(j["files"])')
sn_expect_eq "show lists the last 3 files" "${#files[@]}" 3
sn_expect_eq "... ${files[0]##*/} .. ${files[2]##*/}" \
	"${files[2]}" "$(printf '%s_%05d.pcapng' "${R%.pcapng}" "$started")"
sn_expect_eq "exactly those exist" \
	"$(ls "$SN_TMP"/open/ring_*.pcapng | tr '\n' ' ')" \
	"$(printf '%s ' "${files[@]}")"
total=0
for f in "${files[@]}"; do
	cap_tshark_ok "$f" "${f##*/}"
	sn_expect_ge "${f##*/} is at most 1 MB" \
		$((1000000 - $(stat -c %s "$f"))) 0
	sn_expect_eq "${f##*/} belongs to nobody" "$(stat -c %U "$f")" nobody
done
# ten captures started and ended so far: nothing kept (descriptors, mbufs)
sn_check_baseline "after the ended captures" "$base"

# --- ports that go away -----------------------------------------------------------
G=$SN_TMP/guest.pcapng
idg=$(cap_start --adapter vm2 -w "$G") || sn_fatal "capture (vm2)"
S=$SN_TMP/switch.pcapng
ids=$(cap_start --switch sw1 -w "$S") || sn_fatal "capture (switch)"
sn_check "5 pings" sn_ping a 10.77.0.2 5 0.02
sn_guest_stop vm2
sn_check "vm2's guest exits: its capture ends" cap_wait_state "$idg" \
	stopped 10
sn_expect_eq "... as 'port removed'" "$(cap_show "$idg" status)" \
	"stopped: port removed"
cap_tshark_ok "$G" "the file of the capture whose guest exited"
sn_expect_eq "... with the 10 frames" "$(cap_count "$G")" 10
sn_expect_eq "the switch capture goes on with vm1" \
	"$(cap_show "$ids" state)" running
M=$SN_TMP/moved.pcapng
idm=$(cap_start --adapter vm1 -w "$M") || sn_fatal "capture (vm1)"
sn_check "vm1 moves to sw2" \
	sn_quiet sn_ctl adapter connect vm1 --switch sw2
sn_check "the move ends vm1's capture" cap_wait_state "$idm" stopped 10
sn_expect_eq "... as 'port removed'" "$(cap_show "$idm" status)" \
	"stopped: port removed"
cap_tshark_ok "$M" "the moved adapter's file"
sn_check "... and the switch capture (its last port left)" \
	cap_wait_state "$ids" stopped 10
cap_tshark_ok "$S" "the switch capture's file"
sn_check "vm1 back to sw1" sn_quiet sn_ctl adapter connect vm1 --switch sw1
ids=$(cap_start --switch sw1 -w "$S") || sn_fatal "capture (switch 2)"
sn_check "switch delete --force" sn_quiet sn_ctl switch delete sw1 --force
sn_check "deleting the switch ends its capture" cap_wait_state "$ids" \
	stopped 10
sn_expect_eq "... as 'port removed'" "$(cap_show "$ids" status)" \
	"stopped: port removed"
cap_tshark_ok "$S" "the deleted switch's file"

# --- stop, show, list ----------------------------------------------------------------
sn_check "stop of an ended capture is fine" cap_stop "$ids"
err=$(sn_ctl capture show 999 2>&1)
sn_expect_eq "show of an unknown id" "$?:$err" \
	"1:synthctl: no capture 999 (synthctl capture list shows the captures)"
sn_expect_eq "every capture has ended" \
	"$(sn_ctl_json capture list | sn_jpy \
	   'sorted(set(c["state"] for c in j))')" '["stopped"]'
sn_expect_eq "status: none running" "$(sn_status_field captures_running)" 0

# --- resources, shutdown ----------------------------------------------------------------
sn_ctl switch create sw3 --type private >/dev/null || sn_fatal "sw3"
sn_ctl adapter add vm4 --switch sw3 >/dev/null || sn_fatal "vm4"
sn_check "vm4 attaches" sn_guest_netns vm4 c 10.77.0.4/24 || sn_fatal "vm4"
Z=$SN_TMP/shutdown.pcapng
cap_start --adapter vm4 -w "$Z" >/dev/null || sn_fatal "capture (vm4)"
sn_check "synthnetd stops cleanly during a capture" sn_daemon_stop
cap_tshark_ok "$Z" "the file of a capture the daemon's exit ended"
sn_done
