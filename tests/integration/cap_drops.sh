#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cap_drops: --drops captures the frames the switch dropped, each with its
# drop reason as the packet comment.  vm1's guest changes its MAC (MAC
# spoofing stays off, the default) and pings vm2: every echo request is
# dropped on vm1's port as "mac-spoofing".
#   - --adapter vm1 --drops: each request twice, as received (inbound,
#     no comment) and as dropped (inbound, comment "mac-spoofing");
#   - --adapter vm1 --direction out --drops: the drops alone (drops are
#     captured whatever --direction says);
#   - --adapter vm1 (no --drops): the requests as received, no drop;
#   - the counts agree with the adapter's mac-spoofing counter, and
#     tshark reads every file.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cap_lib.sh"
sn_init cap_drops
sn_daemon_start

N=10
SPOOF=02:00:5e:00:00:99

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
sn_expect_eq "MAC spoofing is off on vm1" \
	"$(sn_ctl_json adapter show vm1 | sn_json policy.mac_spoofing)" false
sn_stats_quiet vm1 vm2
spoof0=$(sn_stat vm1 eth0 drops.mac-spoofing) || sn_fatal "stats"

# The guest takes another MAC (the switch still knows vm1 by mac1); the
# change flushed the neighbour table: vm2's entry again, so no ARP.
ip -n "$(sn_ns a)" link set dev eth0 address "$SPOOF" ||
	sn_fatal "cannot change the MAC in netns a"
cap_quiet_net "a,10.77.0.1,$SPOOF" "b,10.77.0.2,$mac2"

D=$SN_TMP/drops.pcapng
O=$SN_TMP/out-drops.pcapng
P=$SN_TMP/plain.pcapng
idd=$(cap_start --adapter vm1 --drops -w "$D") || sn_fatal "capture (drops)"
ido=$(cap_start --adapter vm1 --direction out --drops -w "$O") ||
	sn_fatal "capture (out, drops)"
idp=$(cap_start --adapter vm1 -w "$P") || sn_fatal "capture (plain)"

sn_timeout 30 ip netns exec "$(sn_ns a)" ping -n -q -c $N -i 0.05 -W 1 \
	10.77.0.2 >/dev/null 2>&1
sn_stats_quiet vm1 vm2
spoof=$(( $(sn_stat vm1 eth0 drops.mac-spoofing) - spoof0 ))
sn_expect_eq "the switch dropped the $N requests as mac-spoofing" \
	"$spoof" $N
for id in "$idd" "$ido" "$idp"; do
	sn_check "capture stop $id" cap_stop "$id"
done
cap_tshark_ok "$D" "the --drops capture"
cap_tshark_ok "$O" "the --direction out --drops capture"
cap_tshark_ok "$P" "the capture without --drops"

# direction, comment, source MAC, ICMP type per frame
summary()
{
	cap_fields "$1" "" frame.packet_flags_direction frame.comment \
		eth.src icmp.type | sort | uniq -c | sed 's/^ *//' |
		awk -F'\t' '{ printf "%s|%s|%s|%s;", $1, $2, $3, $4 }'
}
sn_expect_eq "--drops: each request as received and as dropped" \
	"$(summary "$D")" \
	"$N 0x00000001||$SPOOF|8;$N 0x00000001|mac-spoofing|$SPOOF|8;"
sn_expect_eq "--direction out --drops: only the drops" \
	"$(summary "$O")" "$N 0x00000001|mac-spoofing|$SPOOF|8;"
sn_expect_eq "without --drops: the requests as received, no drop" \
	"$(summary "$P")" "$N 0x00000001||$SPOOF|8;"
sn_expect_eq "the received copy precedes its drop (frame order)" \
	"$(cap_fields "$D" "" frame.comment | head -2 | tr '\n' ',')" \
	",mac-spoofing,"
sn_expect_eq "capture show counts the drops as captured frames" \
	"$(cap_show "$ido" packets)" $N
sn_done
