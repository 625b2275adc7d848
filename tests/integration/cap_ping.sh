#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cap_ping: 1,000 pings between two guests, captured by synthnetd while
# they run, three captures at once:
#   A  --adapter vm1 (both directions) to a file synthctl opens: exactly
#      the 1,000 echo requests, inbound (vm1 sent them into the switch),
#      and the 1,000 replies, outbound (delivered to vm1), once each, with
#      the payload ping sent (-p pattern, requests and replies alike), on
#      one interface named sw1/vm1/eth0;
#   S  --switch sw1: the same frames at both ports (4,000: each request IN
#      at vm1 and OUT at vm2, each reply IN at vm2 and OUT at vm1);
#   D  --adapter vm2 --direction in: only what vm2 sent (the replies).
# Every file opens in tshark; capture show's counters equal the frames
# in the files; nothing is lost; the daemon's mbufs and fds come back.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cap_lib.sh"
sn_init cap_ping
sn_daemon_start

N=1000
PATTERN=ff00a55a

sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl adapter add vm1 --switch sw1 >/dev/null || sn_fatal "adapter add vm1"
sn_ctl adapter add vm2 --switch sw1 >/dev/null || sn_fatal "adapter add vm2"
mac1=$(sn_adapter_mac vm1) || sn_fatal "MAC of vm1"
mac2=$(sn_adapter_mac vm2) || sn_fatal "MAC of vm2"
sn_netns_noipv6 a
sn_netns_noipv6 b
sn_check "vm1 attaches in netns a" sn_guest_netns vm1 a 10.77.0.1/24 ||
	sn_fatal "vm1 attach"
sn_check "vm2 attaches in netns b" sn_guest_netns vm2 b 10.77.0.2/24 ||
	sn_fatal "vm2 attach"
cap_quiet_net "a,10.77.0.1,$mac1" "b,10.77.0.2,$mac2"
sn_check "first ping a -> b" sn_ping_retry a 10.77.0.2 ||
	sn_fatal "no connectivity"
sn_stats_quiet vm1 vm2
base=$(sn_resources) || sn_fatal "status"

A=$SN_TMP/adapter.pcapng
S=$SN_TMP/switch.pcapng
D=$SN_TMP/vm2-in.pcapng
ida=$(cap_start --adapter vm1 -w "$A") || sn_fatal "capture start (adapter)"
ids=$(cap_start --switch sw1 -w "$S") || sn_fatal "capture start (switch)"
idd=$(cap_start --adapter vm2:eth0 --direction in -w "$D") ||
	sn_fatal "capture start (vm2, in)"
sn_diag "captures $ida (adapter), $ids (switch), $idd (vm2 in)"
sn_expect_eq "three captures running" \
	"$(sn_ctl_json capture list | sn_jpy \
	   'sum(1 for c in j if c["state"] == "running")')" 3
sn_expect_eq "status counts them" "$(sn_status_field captures_running)" 3

out=$(sn_timeout 60 ip netns exec "$(sn_ns a)" ping -n -q -c "$N" \
	-i 0.002 -W 2 -p "$PATTERN" 10.77.0.2 2>&1)
if grep -q " 0% packet loss" <<<"$out"; then
	sn_ok "$N pings a -> b, 0% loss"
else
	sn_not_ok "$N pings a -> b"
	sed 's/^/#   /' <<<"$out"
fi
sn_stats_quiet vm1 vm2
for id in "$ida" "$ids" "$idd"; do
	sn_check "capture stop $id" cap_stop "$id"
done
for id in "$ida" "$ids" "$idd"; do
	sn_expect_eq "capture $id status" "$(cap_show "$id" status)" \
		"stopped: by user"
	sn_expect_eq "capture $id lost nothing" "$(cap_show "$id" lost)" 0
done

cap_tshark_ok "$A" "the adapter capture"
cap_tshark_ok "$S" "the switch capture"
cap_tshark_ok "$D" "the vm2 inbound capture"

# --- A: exactly the requests inbound and the replies outbound -------------
sn_expect_eq "adapter capture: $((2 * N)) frames, nothing else" \
	"$(cap_count "$A")" $((2 * N))
sn_expect_eq "adapter capture: show's packets = frames in the file" \
	"$(cap_show "$ida" packets)" "$(cap_count "$A")"
sn_expect_eq "adapter capture: one interface, named sw1/vm1/eth0" \
	"$(cap_fields "$A" "" frame.interface_name | sort -u)" "sw1/vm1/eth0"
# judge: seq ip.src type direction payload, one line per ICMP frame
cap_fields "$A" icmp icmp.seq ip.src icmp.type \
	frame.packet_flags_direction data.data >"$SN_TMP/a.txt"
python3 - "$SN_TMP/a.txt" "$N" "$PATTERN" <<'EOF' >"$SN_TMP/a.res"
import sys
path, n, pat = sys.argv[1], int(sys.argv[2]), sys.argv[3]
req, rep, bad = {}, {}, []
for line in open(path):
    f = line.rstrip("\n").split("\t")
    seq, src, typ, d, data = int(f[0]), f[1], f[2], int(f[3], 16), f[4]
    data = data.replace(":", "")
    tail = data[-80:]
    if tail != pat * 10:
        bad.append("seq %d: payload %s" % (seq, data))
    if typ == "8" and src == "10.77.0.1" and d == 1:
        req[seq] = req.get(seq, 0) + 1
    elif typ == "0" and src == "10.77.0.2" and d == 2:
        rep[seq] = rep.get(seq, 0) + 1
    else:
        bad.append("seq %d: type %s from %s direction %d" % (seq, typ, src, d))
ok_req = sorted(req) == list(range(1, n + 1)) and set(req.values()) == {1}
ok_rep = sorted(rep) == list(range(1, n + 1)) and set(rep.values()) == {1}
print("requests", "ok" if ok_req else "bad %d" % len(req))
print("replies", "ok" if ok_rep else "bad %d" % len(rep))
print("others", len(bad))
for b in bad[:5]:
    print("#", b)
EOF
sn_expect_eq "adapter capture: echo requests 1..$N once each, inbound" \
	"$(sed -n 1p "$SN_TMP/a.res")" "requests ok"
sn_expect_eq "adapter capture: echo replies 1..$N once each, outbound" \
	"$(sed -n 2p "$SN_TMP/a.res")" "replies ok"
sn_expect_eq "adapter capture: every payload is ping's -p $PATTERN" \
	"$(sed -n 3p "$SN_TMP/a.res")" "others 0"
grep '^#' "$SN_TMP/a.res"

# --- S: both ports -----------------------------------------------------------
sn_expect_eq "switch capture: $((4 * N)) frames" "$(cap_count "$S")" \
	$((4 * N))
cap_fields "$S" "" frame.interface_name frame.packet_flags_direction \
	icmp.type | sort | uniq -c | awk '{ print $2, $3, $4, $1 }' \
	>"$SN_TMP/s.txt"
sn_expect_eq "switch capture: per port and direction" \
	"$(tr '\n' ';' <"$SN_TMP/s.txt")" \
	"sw1/vm1/eth0 0x00000001 8 $N;sw1/vm1/eth0 0x00000002 0 $N;sw1/vm2/eth0 0x00000001 0 $N;sw1/vm2/eth0 0x00000002 8 $N;"
sn_expect_eq "switch capture: show's per-port packets" \
	"$(sn_ctl_json capture show "$ids" | sn_jpy \
	   '",".join("%s=%d" % (i["name"], i["packets"]) for i in j["interfaces"])')" \
	"sw1/vm1/eth0=$((2 * N)),sw1/vm2/eth0=$((2 * N))"

# --- D: --direction in ---------------------------------------------------------
sn_expect_eq "vm2 inbound capture: the $N replies, all inbound" \
	"$(cap_fields "$D" "" frame.packet_flags_direction icmp.type ip.src |
	   sort | uniq -c | awk '{ print $1, $2, $3, $4 }')" \
	"$N 0x00000001 0 10.77.0.2"

# --- the text forms ------------------------------------------------------------
show=$(sn_ctl capture show "$ida")
sn_check "capture show (text) names the target, file and counters" \
	grep -q "^Target      : adapter vm1/eth0" <<<"$show"
sn_check "capture show (text): packets" \
	grep -q "^Packets     : $((2 * N))\$" <<<"$show"
sn_check "capture show (text): file" grep -q "^File        : $A\$" <<<"$show"
sn_check "capture list (text) lists the three" \
	eval '[ "$(sn_ctl capture list | grep -c "stopped: by user")" == 3 ]'

sn_check_baseline "after the captures" "$base"
sn_done
