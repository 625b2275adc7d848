#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_vlan: 802.1Q on an external switch (uplink: net_af_packet on a veth
# whose other end, lan0, is in a "LAN" namespace).  One IPv4 subnet for
# everyone, IPv6 off everywhere, so that any leak between VLANs would be
# an answer or a counted frame.
#
#   vm1 access 10 (10.10.0.1)   vm2 access 10 (10.10.0.2)
#   vm3 access 20 (10.10.0.3)   vm4 trunk 10,20 native 0 (no address:
#                                raw frames, tagged in software)
#   LAN: lan0, 10.10.0.100 (sends tagged frames with a raw socket)
#
# The kernel has no 8021q module here, so tagged frames are written and
# read with AF_PACKET (python3) and tshark (libpcap restores the tag the
# kernel moved out of a received frame).
#
#   - vm1 and vm2 talk; vm3 cannot reach them, and while VLAN 10 talks,
#     vm3's adapter receives nothing and tshark in its netns sees nothing;
#   - the trunk receives VLAN 10 and VLAN 20 broadcasts tagged 10 and 20,
#     never untagged;
#   - frames the trunk tags 10 reach vm1 (it answers, tagged 10 back to
#     the trunk), tagged 20 reach vm3; a frame tagged 20 addressed to
#     vm1 does not reach vm1;
#   - untagged frames from the trunk (native 0) and tagged frames from an
#     access port are dropped and counted ('vlan');
#   - the uplink carries the tags: the LAN sees vm1's broadcasts tagged
#     10 and vm3's tagged 20 (none untagged); frames the LAN tags 10 reach
#     vm1, which answers tagged 10; tagged 20 for vm1 does not reach it.

. "$(dirname "$0")/lib.sh"
sn_init sw_vlan
sn_daemon_start

sn_netns_noipv6 lan
sn_veth u0 lan lan0
ip -n "$(sn_ns lan)" addr add 10.10.0.100/24 dev lan0 || sn_fatal "LAN addr"
lan_mac=$(ip -n "$(sn_ns lan)" -o link show dev lan0 |
	grep -o 'link/ether [^ ]*' | cut -d' ' -f2)
sn_ctl switch create ext --type external \
	--uplink "net_af_packet43,iface=$SN_LAST_LINK" >/dev/null ||
	sn_fatal "switch create ext"

declare -A NSOF=([vm1]=a [vm2]=b [vm3]=c [vm4]=d)
declare -A IP=([vm1]=10.10.0.1 [vm2]=10.10.0.2 [vm3]=10.10.0.3)
declare -A MAC
for vm in vm1 vm2 vm3 vm4; do
	sn_ctl adapter add $vm --switch ext >/dev/null ||
		sn_fatal "adapter add $vm"
	MAC[$vm]=$(sn_adapter_mac $vm) || sn_fatal "MAC of $vm"
done
sn_check "vm1: --vlan-access 10" \
	sn_quiet sn_ctl adapter set vm1 --vlan-access 10
sn_check "vm2: --vlan-access 10" \
	sn_quiet sn_ctl adapter set vm2 --vlan-access 10
sn_check "vm3: --vlan-access 20" \
	sn_quiet sn_ctl adapter set vm3 --vlan-access 20
sn_check "vm4: --vlan-trunk 10,20 --native 0" \
	sn_quiet sn_ctl adapter set vm4 --vlan-trunk 10,20 --native 0
pol()
{
	sn_ctl_json adapter show "$1" | sn_jpy '"%s %d %d %s" % (
		j["policy"]["vlan_mode"], j["policy"]["access_vlan"],
		j["policy"]["native_vlan"], j["policy"]["trunk_vlans"] or "-")'
}
sn_expect_eq "vm1 policy" "$(pol vm1)" "access 10 0 -"
sn_expect_eq "vm3 policy" "$(pol vm3)" "access 20 0 -"
sn_expect_eq "vm4 policy" "$(pol vm4)" "trunk 0 0 10,20"

for vm in vm1 vm2 vm3 vm4; do
	sn_netns_noipv6 "${NSOF[$vm]}"
	ipa=()
	[ -n "${IP[$vm]:-}" ] && ipa=("${IP[$vm]}/24")
	sn_check "$vm attaches in netns ${NSOF[$vm]}" \
		sn_guest_netns $vm "${NSOF[$vm]}" "${ipa[@]}" ||
		sn_fatal "$vm attach"
done
# Static neighbours for the raw senders' addresses (no ARP needed for
# the answers): the trunk is 10.10.0.4, the LAN 10.10.0.100.
for vm in vm1 vm3; do
	ip -n "$(sn_ns "${NSOF[$vm]}")" neigh replace 10.10.0.4 \
		lladdr "${MAC[vm4]}" dev eth0 nud permanent &&
	ip -n "$(sn_ns "${NSOF[$vm]}")" neigh replace 10.10.0.100 \
		lladdr "$lan_mac" dev eth0 nud permanent ||
		sn_fatal "static neighbours in ${NSOF[$vm]}"
done

# --- access ports ------------------------------------------------------------
sn_check "first ping vm1 -> vm2 (VLAN 10)" sn_ping_retry a 10.10.0.2 ||
	sn_fatal "VLAN 10 does not work"
sn_stats_quiet vm1 vm2 vm3 vm4
rx3=$(sn_stat vm3 eth0 to_vm.packets)
sn_capture_start c eth0 ""
cap=$SN_LAST_PID
sn_check "vm1 -> vm2: 20 pings, 0% loss" sn_ping a 10.10.0.2 20
sn_check "vm2 -> vm1: 20 pings, 0% loss" sn_ping b 10.10.0.1 20
# Broadcasts too: ARP for an address nobody has.
ip netns exec "$(sn_ns a)" ping -n -q -c 3 -i 0.3 -W 1 10.10.0.99 \
	>/dev/null 2>&1
sn_capture_stop "$cap"
sn_stats_quiet vm1 vm2 vm3 vm4
sn_expect_eq "vm3 (VLAN 20) adapter received nothing of VLAN 10" \
	"$(( $(sn_stat vm3 eth0 to_vm.packets) - rx3 ))" 0
sn_expect_eq "tshark in vm3's netns saw no frame at all" \
	"$(sn_capture_fields "$SN_CAP_FILE" frame.number | wc -l)" 0
sn_check "vm3 (VLAN 20) -> vm1 (VLAN 10) fails" \
	eval '! ip netns exec "$(sn_ns c)" ping -n -q -c 3 -i 0.3 -W 1 \
		10.10.0.1 >/dev/null 2>&1'

# --- trunk: receives both VLANs tagged ---------------------------------------
sn_capture_start d eth0 "arp or vlan"
cap=$SN_LAST_PID
ip netns exec "$(sn_ns a)" ping -n -q -c 2 -i 0.3 -W 1 10.10.0.98 \
	>/dev/null 2>&1
ip netns exec "$(sn_ns c)" ping -n -q -c 2 -i 0.3 -W 1 10.10.0.97 \
	>/dev/null 2>&1
sn_capture_stop "$cap"
f=$(sn_capture_fields "$SN_CAP_FILE" vlan.id arp.src.proto_ipv4 \
	arp.dst.proto_ipv4)
sn_diag "trunk saw: $(sort <<<"$f" | uniq -c | tr '\n\t' '; ')"
sn_check "trunk received vm1's ARP (who-has .98) tagged 10" \
	grep -qP '^10\t10\.10\.0\.1\t10\.10\.0\.98$' <<<"$f"
sn_check "trunk received vm3's ARP (who-has .97) tagged 20" \
	grep -qP '^20\t10\.10\.0\.3\t10\.10\.0\.97$' <<<"$f"
sn_expect_eq "trunk received no untagged ARP" \
	"$(grep -cP '^\t' <<<"$f")" 0

# --- trunk: sends tagged -----------------------------------------------------
sn_stats_quiet vm1 vm3 vm4
rx1=$(sn_stat vm1 eth0 to_vm.packets)
rx3=$(sn_stat vm3 eth0 to_vm.packets)
sn_capture_start d eth0 "icmp or vlan"
cap=$SN_LAST_PID
sn_raw_icmp d eth0 "${MAC[vm1]}" "${MAC[vm4]}" 10 10.10.0.4 10.10.0.1 5 \
	0x1010 || sn_fatal "raw send (vm4, VLAN 10)"
sn_raw_icmp d eth0 "${MAC[vm3]}" "${MAC[vm4]}" 20 10.10.0.4 10.10.0.3 5 \
	0x2020 || sn_fatal "raw send (vm4, VLAN 20)"
sleep 0.5
sn_capture_stop "$cap"
f=$(sn_capture_fields "$SN_CAP_FILE" vlan.id ip.src ip.dst icmp.type \
	icmp.ident)
sn_expect_eq "vm1 answered the trunk's 5 echo requests of VLAN 10, tagged 10" \
	"$(grep -cP '^10\t10\.10\.0\.1\t10\.10\.0\.4\t0\t4112$' <<<"$f")" 5
sn_expect_eq "vm3 answered the trunk's 5 echo requests of VLAN 20, tagged 20" \
	"$(grep -cP '^20\t10\.10\.0\.3\t10\.10\.0\.4\t0\t8224$' <<<"$f")" 5
sn_stats_quiet vm1 vm3 vm4
rx1b=$(sn_stat vm1 eth0 to_vm.packets)
rx3b=$(sn_stat vm3 eth0 to_vm.packets)
sn_expect_eq "vm1 received exactly the 5 frames of VLAN 10" \
	"$((rx1b - rx1))" 5
sn_expect_eq "vm3 received exactly the 5 frames of VLAN 20" \
	"$((rx3b - rx3))" 5

# A frame tagged 20 for vm1's MAC: vm1 is in VLAN 10, it must not get it.
d4=$(sn_stat vm4 eth0 drops.vlan)
sn_raw_icmp d eth0 "${MAC[vm1]}" "${MAC[vm4]}" 20 10.10.0.4 10.10.0.1 5 \
	0x3030 || sn_fatal "raw send (vm4, VLAN 20 to vm1)"
# Untagged from the trunk: native 0 drops them.
sn_raw_icmp d eth0 "${MAC[vm1]}" "${MAC[vm4]}" 0 10.10.0.4 10.10.0.1 5 \
	0x4040 || sn_fatal "raw send (vm4, untagged)"
sn_stats_quiet vm1 vm4
sn_expect_eq "vm1 received nothing tagged 20 or untagged from the trunk" \
	"$(( $(sn_stat vm1 eth0 to_vm.packets) - rx1b ))" 0
sn_expect_ge "trunk: untagged frames dropped as 'vlan' (native 0)" \
	"$(( $(sn_stat vm4 eth0 drops.vlan) - d4 ))" 5

# An access port that tags in software cannot hop into another VLAN.
d1=$(sn_stat vm1 eth0 drops.vlan)
sn_raw_icmp a eth0 "${MAC[vm3]}" "${MAC[vm1]}" 20 10.10.0.1 10.10.0.3 5 \
	0x5050 || sn_fatal "raw send (vm1, tagged 20)"
sn_stats_quiet vm1 vm3
sn_expect_eq "vm3 received nothing of vm1's self-tagged frames" \
	"$(( $(sn_stat vm3 eth0 to_vm.packets) - rx3b ))" 0
sn_expect_eq "access port vm1: 5 tagged frames dropped as 'vlan'" \
	"$(( $(sn_stat vm1 eth0 drops.vlan) - d1 ))" 5

# --- the uplink carries the tags ---------------------------------------------
sn_capture_start lan lan0 "vlan or arp or icmp"
cap=$SN_LAST_PID
ip netns exec "$(sn_ns a)" ping -n -q -c 2 -i 0.3 -W 1 10.10.0.96 \
	>/dev/null 2>&1
ip netns exec "$(sn_ns c)" ping -n -q -c 2 -i 0.3 -W 1 10.10.0.95 \
	>/dev/null 2>&1
rx1=$(sn_stat vm1 eth0 to_vm.packets)
sn_raw_icmp lan lan0 "${MAC[vm1]}" "$lan_mac" 10 10.10.0.100 10.10.0.1 5 \
	0x6060 || sn_fatal "raw send (LAN, VLAN 10)"
sleep 0.5
sn_capture_stop "$cap"
f=$(sn_capture_fields "$SN_CAP_FILE" vlan.id eth.src arp.src.proto_ipv4 \
	arp.dst.proto_ipv4 ip.src ip.dst icmp.type icmp.ident)
sn_diag "LAN saw: $(cut -f1,2,3,4,5,7 <<<"$f" | sort | uniq -c |
	tr '\n\t' '; ')"
sn_check "uplink: vm1's ARP (who-has .96) tagged 10" \
	grep -qP "^10\t${MAC[vm1]}\t10\.10\.0\.1\t10\.10\.0\.96\t" <<<"$f"
sn_check "uplink: vm3's ARP (who-has .95) tagged 20" \
	grep -qP "^20\t${MAC[vm3]}\t10\.10\.0\.3\t10\.10\.0\.95\t" <<<"$f"
sn_expect_eq "uplink: no untagged frame from vm1 or vm3" \
	"$(grep -cP "^\t(${MAC[vm1]}|${MAC[vm3]})\t" <<<"$f")" 0
re="^10\t${MAC[vm1]}\t\t\t10\.10\.0\.1\t10\.10\.0\.100\t0\t24672$"
sn_expect_eq "uplink: vm1 answered the LAN's 5 requests tagged 10" \
	"$(grep -cP "$re" <<<"$f")" 5
sn_stats_quiet vm1
rx1=$(sn_stat vm1 eth0 to_vm.packets)
sn_raw_icmp lan lan0 "${MAC[vm1]}" "$lan_mac" 20 10.10.0.100 10.10.0.1 5 \
	0x7070 || sn_fatal "raw send (LAN, VLAN 20)"
sn_stats_quiet vm1
sn_expect_eq "vm1 received nothing the LAN tagged 20" \
	"$(( $(sn_stat vm1 eth0 to_vm.packets) - rx1 ))" 0
fdb=$(sn_ctl_json fdb show ext) || sn_fatal "fdb show ext"
vlans_of()
{
	sn_jpy "sorted(e['vlan'] for e in j if e['mac'] == '$1')" <<<"$fdb"
}
sn_expect_eq "fdb: vm1's MAC in VLAN 10" "$(vlans_of "${MAC[vm1]}")" "[10]"
sn_expect_eq "fdb: vm3's MAC in VLAN 20" "$(vlans_of "${MAC[vm3]}")" "[20]"

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
