#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cap_filter: capture filters mean what they mean to tcpdump.  Four
# captures of vm1's adapter run at once over the same traffic: one
# unfiltered, and `icmp`, `tcp port 5201`, `vlan 10`.  For each filter the
# filtered file holds exactly the frames libpcap selects with the same
# expression from the unfiltered file (tcpdump -r all.pcapng EXPR, frame
# bytes compared in order), at least one, and capture show accounts for
# the rest as filtered out.  An invalid expression is refused with
# libpcap's own message and starts nothing.
#
#   vm1 trunk 1,10,20 native 1 (10.1.0.1)   vm2 access 1 (10.1.0.2)
#   vm3 trunk 10,20 native 0 (no address: raw frames tagged in software)
#
# Traffic: pings vm1 <-> vm2 (untagged), TCP to ports 5201 and 5202, raw
# ICMP frames vm1 sends tagged 10 and 20, and frames vm3 sends to vm1
# tagged 10 and 20 (the switch delivers them to vm1 with the tag in
# metadata: the capture writes it back into the frame).  IPv6 off and
# static neighbours: nothing else on the wire.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cap_lib.sh"
sn_init cap_filter
command -v tcpdump >/dev/null || sn_fatal "tcpdump not installed"
sn_daemon_start

sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
for vm in vm1 vm2 vm3; do
	sn_ctl adapter add $vm --switch sw1 >/dev/null ||
		sn_fatal "adapter add $vm"
done
sn_check "vm1: trunk 1,10,20 native 1" \
	sn_quiet sn_ctl adapter set vm1 --vlan-trunk 1,10,20 --native 1
sn_check "vm2: access 1" sn_quiet sn_ctl adapter set vm2 --vlan-access 1
sn_check "vm3: trunk 10,20 native 0" \
	sn_quiet sn_ctl adapter set vm3 --vlan-trunk 10,20 --native 0
mac1=$(sn_adapter_mac vm1) || sn_fatal "MAC of vm1"
mac2=$(sn_adapter_mac vm2) || sn_fatal "MAC of vm2"
mac3=$(sn_adapter_mac vm3) || sn_fatal "MAC of vm3"
sn_netns_noipv6 a
sn_netns_noipv6 b
sn_netns_noipv6 c
sn_check "vm1 attaches" sn_guest_netns vm1 a 10.1.0.1/24 || sn_fatal "vm1"
sn_check "vm2 attaches" sn_guest_netns vm2 b 10.1.0.2/24 || sn_fatal "vm2"
sn_check "vm3 attaches" sn_guest_netns vm3 c || sn_fatal "vm3"
cap_quiet_net "a,10.1.0.1,$mac1" "b,10.1.0.2,$mac2"
sn_check "first ping a -> b" sn_ping_retry a 10.1.0.2 || sn_fatal "no path"
sn_stats_quiet vm1 vm2 vm3

# Bad input first: libpcap's own text, status 1, nothing started.
before=$(sn_ctl_json capture list)
err=$(sn_ctl capture start --adapter vm1 --filter "tcp port" \
	-w "$SN_TMP/bad.pcapng" 2>&1 >/dev/null)
rc=$?
sn_expect_eq "invalid filter: status 1" "$rc" 1
sn_expect_eq "invalid filter: libpcap's message" "$err" \
	"synthctl: can't parse filter expression: syntax error"
err=$(sn_ctl capture start --adapter vm1 --filter "ether proto nosuch" \
	-w "$SN_TMP/bad.pcapng" 2>&1 >/dev/null)
sn_expect_eq "unknown protocol name: libpcap's message" "$err" \
	"synthctl: unknown ether proto 'nosuch'"
sn_check "invalid filter: no file left behind" \
	test ! -e "$SN_TMP/bad.pcapng"
sn_expect_eq "invalid filter: no capture started" \
	"$(sn_ctl_json capture list)" "$before"

declare -A EXPR=([icmp]="icmp" [tcp5201]="tcp port 5201" [vlan10]="vlan 10")
declare -A ID
ID[all]=$(cap_start --adapter vm1 -w "$SN_TMP/all.pcapng") ||
	sn_fatal "capture start (all)"
for k in icmp tcp5201 vlan10; do
	ID[$k]=$(cap_start --adapter vm1 --filter "${EXPR[$k]}" \
		-w "$SN_TMP/$k.pcapng") || sn_fatal "capture start ($k)"
done

# --- traffic ---------------------------------------------------------------
sn_check "20 pings a -> b" sn_ping a 10.1.0.2 20 0.01
for port in 5201 5202; do
	head -c 200000 /dev/urandom >"$SN_TMP/data$port"
	sn_tcp_recv b 10.1.0.2 $port "$SN_TMP/got$port" \
		"$SN_TMP/recv$port.log"
	rpid=$SN_LAST_PID
	sn_wait_until 10 sn_tcp_listening b $port ||
		sn_fatal "receiver on $port not listening"
	sn_tcp_send_bg a 10.1.0.2 $port "$SN_TMP/data$port" \
		"$SN_TMP/send$port.log"
	spid=$SN_LAST_PID
	sn_wait_until 20 eval '! sn_alive '"$rpid"
	sn_stop "$spid" TERM 2
	sn_check "TCP to port $port delivered 200000 bytes" \
		cmp -s "$SN_TMP/data$port" "$SN_TMP/got$port"
done
# tagged frames from vm1 (IN) and to vm1 (OUT, tag restored from metadata)
for v in 10 20; do
	sn_check "vm1 sends 5 frames tagged $v" \
		sn_raw_icmp a eth0 "$mac3" "$mac1" $v 10.1.$v.1 10.1.$v.3 5
	sn_check "vm3 sends vm1 5 frames tagged $v" \
		sn_raw_icmp c eth0 "$mac1" "$mac3" $v 10.1.$v.3 10.1.$v.1 5
done
sn_stats_quiet vm1 vm2 vm3
for k in all icmp tcp5201 vlan10; do
	sn_check "capture stop ${ID[$k]} ($k)" cap_stop "${ID[$k]}"
done

# --- judge -----------------------------------------------------------------
for k in all icmp tcp5201 vlan10; do
	cap_tshark_ok "$SN_TMP/$k.pcapng" "the $k capture"
done
# frame bytes in order, without timestamps
dump()
{
	tcpdump -r "$1" -nn -t -xx "${@:2}" 2>/dev/null
}
total=$(cap_count "$SN_TMP/all.pcapng")
sn_diag "unfiltered capture: $total frames"
for k in icmp tcp5201 vlan10; do
	f=$SN_TMP/$k.pcapng
	want=$(dump "$SN_TMP/all.pcapng" "${EXPR[$k]}")
	got=$(dump "$f")
	n=$(cap_count "$f")
	sn_expect_ge "'${EXPR[$k]}' selected frames" "$n" 1
	if [ "$got" == "$want" ]; then
		sn_ok "'${EXPR[$k]}': exactly the frames tcpdump selects from" \
			"the unfiltered capture ($n of $total)"
	else
		sn_not_ok "'${EXPR[$k]}': differs from tcpdump's selection" \
			"($n frames; tcpdump: $(grep -c '^[^ \t]' <<<"$want"))"
		diff <(echo "$want") <(echo "$got") | head -20 |
			sed 's/^/#   /'
	fi
	sn_expect_eq "'${EXPR[$k]}': show: seen = all frames" \
		"$(cap_show "${ID[$k]}" seen)" "$total"
	sn_expect_eq "'${EXPR[$k]}': show: filtered out = the others" \
		"$(cap_show "${ID[$k]}" filtered_out)" $((total - n))
	sn_expect_eq "'${EXPR[$k]}': show: packets = frames in the file" \
		"$(cap_show "${ID[$k]}" packets)" "$n"
done
# the tagged frames, both ways, and nothing of VLAN 20 in 'vlan 10'
sn_expect_eq "'vlan 10': 5 frames from vm1 (in) and 5 to vm1 (out)" \
	"$(cap_fields "$SN_TMP/vlan10.pcapng" "" vlan.id \
	   frame.packet_flags_direction | sort | uniq -c |
	   awk '{ printf "%s %s %s;", $1, $2, $3 }')" \
	"5 10 0x00000001;5 10 0x00000002;"
sn_expect_eq "unfiltered capture: the VLAN 20 frames are there" \
	"$(cap_count "$SN_TMP/all.pcapng" "vlan.id == 20")" 10
sn_done
