#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_guards: MAC spoofing, DHCP guard and router guard on a private
# switch, against real Linux stacks in the guests' namespaces.
#
#   - spoofing: vm1 changes its MAC (ip link set eth0 address ...); with
#     spoofing off (the default) its frames are dropped and counted
#     ('mac-spoofing') and vm2 receives none of them; with --mac-spoofing
#     on it talks again under the new MAC (learnt on its port);
#   - DHCP guard: vm3 runs dnsmasq as a DHCP server; with --dhcp-guard on
#     vm4 gets no lease although dnsmasq offered one, 'dhcp-guard' counts
#     the dropped offers; with the guard off vm4 gets its lease (and a
#     guarded client still gets one: only server messages are dropped);
#   - router guard (vm5 and vm6 on their own switch g6, IPv6 on): vm5
#     sends ICMPv6 router advertisements (python3 raw ICMPv6 socket);
#     with --router-guard on 'router-guard' counts them
#     and vm6 installs no default route; with the guard off vm6 has a
#     default route via vm5's link-local address.  Redirects count too.

. "$(dirname "$0")/lib.sh"
sn_init sw_guards

for b in dnsmasq busybox; do
	command -v "$b" >/dev/null || sn_fatal "$b not installed (make deps)"
done
busybox --list | grep -qx udhcpc || sn_fatal "busybox has no udhcpc"

sn_daemon_start
# g: IPv4 only, quiet; g6: the IPv6 pair (their ND/MLD stays there).
sn_ctl switch create g --type private >/dev/null || sn_fatal "switch create g"
sn_ctl switch create g6 --type private >/dev/null ||
	sn_fatal "switch create g6"
for vm in vm1 vm2 vm3 vm4 vm5 vm6; do
	sw=g
	[ $vm == vm5 ] || [ $vm == vm6 ] && sw=g6
	sn_ctl adapter add $vm --switch $sw >/dev/null ||
		sn_fatal "adapter add $vm"
done
pol()
{
	sn_ctl_json adapter show "$1" | sn_json "policy.$2"
}
sn_expect_eq "default: mac-spoofing off" "$(pol vm1 mac_spoofing)" false
sn_expect_eq "default: dhcp-guard off" "$(pol vm3 dhcp_guard)" false
sn_expect_eq "default: router-guard off" "$(pol vm5 router_guard)" false

for x in "vm1 a 10.94.1.1/24" "vm2 b 10.94.1.2/24" "vm3 c 10.94.0.1/24" \
	 "vm4 d"; do
	read -r vm short ip <<<"$x"
	sn_netns_noipv6 "$short"
	sn_check "$vm attaches in netns $short" \
		sn_guest_netns $vm "$short" $ip || sn_fatal "$vm attach"
done
# IPv6 on for the router guard pair.
sn_check "vm5 attaches in netns e" sn_guest_netns vm5 e || sn_fatal "vm5"
sn_check "vm6 attaches in netns f" sn_guest_netns vm6 f || sn_fatal "vm6"

# --- MAC spoofing ------------------------------------------------------------
mac1=$(sn_adapter_mac vm1)
spoof=00:15:5d:ee:00:01
sn_check "first ping vm1 -> vm2" sn_ping_retry a 10.94.1.2 ||
	sn_fatal "no connectivity vm1 -> vm2"
sn_check "vm1 changes its MAC to $spoof" \
	ip -n "$(sn_ns a)" link set dev eth0 address "$spoof"
ip -n "$(sn_ns a)" neigh flush dev eth0
ip -n "$(sn_ns b)" neigh flush dev eth0
sn_stats_quiet vm1 vm2
sp0=$(sn_stat vm1 eth0 drops.mac-spoofing)
rx2=$(sn_stat vm2 eth0 to_vm.packets)
sn_capture_start b eth0 "ether src $spoof"
cap=$SN_LAST_PID
sn_check "spoofing off: vm1 -> vm2 fails under the new MAC" \
	eval '! ip netns exec "$(sn_ns a)" ping -n -q -c 5 -i 0.2 -W 1 \
		10.94.1.2 >/dev/null 2>&1'
sn_capture_stop "$cap"
sn_stats_quiet vm1 vm2
sn_expect_ge "spoofing off: 'mac-spoofing' drops rose" \
	"$(( $(sn_stat vm1 eth0 drops.mac-spoofing) - sp0 ))" 2
sn_expect_eq "spoofing off: vm2's adapter received nothing" \
	"$(( $(sn_stat vm2 eth0 to_vm.packets) - rx2 ))" 0
sn_expect_eq "spoofing off: tshark in vm2's netns saw no frame from $spoof" \
	"$(sn_capture_fields "$SN_CAP_FILE" frame.number | wc -l)" 0
sn_check "adapter set vm1 --mac-spoofing on" \
	sn_quiet sn_ctl adapter set vm1 --mac-spoofing on
sn_expect_eq "policy: mac_spoofing" "$(pol vm1 mac_spoofing)" true
sn_stats_quiet vm1
sp1=$(sn_stat vm1 eth0 drops.mac-spoofing)
pf1=$(sn_stat vm1 eth0 drops.packet-filter)
sn_capture_start b eth0 "ether src $spoof"
cap=$SN_LAST_PID
ip netns exec "$(sn_ns a)" ping -n -q -c 5 -i 0.2 -W 1 10.94.1.2 \
	>/dev/null 2>&1
sn_capture_stop "$cap"
sn_expect_ge "spoofing on: vm2 receives vm1's frames from $spoof" \
	"$(sn_capture_fields "$SN_CAP_FILE" frame.number | wc -l)" 1
# Both ways: the answers go to the new MAC (as a Hyper-V port with MAC
# spoofing on delivers them: nested bridges, a MAC changed in the guest).
sn_check "spoofing on: first ping vm1 -> vm2 (answers to $spoof)" \
	sn_ping_retry a 10.94.1.2 ||
	sn_diag "vm1 drops since spoofing on: packet-filter" \
		"+$(( $(sn_stat vm1 eth0 drops.packet-filter) - pf1 ))"
sn_check "spoofing on: vm1 -> vm2: 20 pings, 0% loss" \
	sn_ping a 10.94.1.2 20
sn_expect_eq "spoofing on: no more 'mac-spoofing' drops" \
	"$(( $(sn_stat vm1 eth0 drops.mac-spoofing) - sp1 ))" 0
sn_expect_eq "fdb: the new MAC $spoof on vm1/eth0" \
	"$(sn_ctl_json fdb show g |
	   sn_jpy "[e['port'] for e in j if e['mac'] == '$spoof']")" \
	'["vm1/eth0"]'
sn_check "adapter set vm1 --mac-spoofing off" \
	sn_quiet sn_ctl adapter set vm1 --mac-spoofing off
ip -n "$(sn_ns a)" neigh flush dev eth0
sn_check "spoofing off again: vm1 -> vm2 fails" \
	eval '! ip netns exec "$(sn_ns a)" ping -n -q -c 5 -i 0.2 -W 1 \
		10.94.1.2 >/dev/null 2>&1'
sn_expect_ge "spoofing off again: 'mac-spoofing' drops rose" \
	"$(( $(sn_stat vm1 eth0 drops.mac-spoofing) - sp1 ))" 2
ip -n "$(sn_ns a)" link set dev eth0 address "$mac1"
sn_check "own MAC again: vm1 -> vm2" sn_ping_retry a 10.94.1.2

# --- DHCP guard --------------------------------------------------------------
sn_spawn "$SN_TMP/dnsmasq.log" ip netns exec "$(sn_ns c)" dnsmasq \
	--no-daemon --conf-file=/dev/null --port=0 --no-resolv --no-hosts \
	--interface=eth0 --bind-interfaces --dhcp-authoritative --log-dhcp \
	--dhcp-range=10.94.0.100,10.94.0.149,255.255.255.0,1h \
	--dhcp-leasefile="$SN_TMP/rogue.leases" \
	--pid-file="$SN_TMP/dnsmasq.pid" --user=root --group=root
sn_wait_until 10 grep -q "DHCP, IP range" "$SN_TMP/dnsmasq.log" ||
	sn_fatal "dnsmasq did not start in vm3's namespace"
cat >"$SN_TMP/udhcpc.sh" <<'EOF'
#!/bin/sh
case "$1" in
deconfig)
	ip -4 addr flush dev "$interface"
	;;
bound|renew)
	ip -4 addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	;;
esac
exit 0
EOF
chmod 0755 "$SN_TMP/udhcpc.sh"
# dhcp TRIES: udhcpc in vm4's namespace; 0 when it got a lease.
dhcp()
{
	sn_timeout 30 ip netns exec "$(sn_ns d)" busybox udhcpc -i eth0 \
		-f -q -n -t "$1" -T 1 -s "$SN_TMP/udhcpc.sh" \
		>"$SN_TMP/udhcpc.log" 2>&1
}
v4addr()
{
	ip -n "$(sn_ns d)" -4 -o addr show dev eth0 |
		awk '{ sub(/\/.*/, "", $4); print $4 }'
}
sn_check "adapter set vm3 --dhcp-guard on" \
	sn_quiet sn_ctl adapter set vm3 --dhcp-guard on
sn_expect_eq "policy: dhcp_guard" "$(pol vm3 dhcp_guard)" true
dg0=$(sn_stat vm3 eth0 drops.dhcp-guard)
offers0=$(grep -c "DHCPOFFER" "$SN_TMP/dnsmasq.log")
sn_check "guard on: vm4 gets no lease from the rogue server" \
	eval '! dhcp 4'
sn_expect_eq "guard on: vm4 has no IPv4 address" "$(v4addr)" ""
sn_expect_ge "guard on: dnsmasq did offer (DHCPOFFER in its log)" \
	"$(( $(grep -c "DHCPOFFER" "$SN_TMP/dnsmasq.log") - offers0 ))" 1
sn_stats_quiet vm3
sn_expect_ge "guard on: 'dhcp-guard' drops rose by the offers" \
	"$(( $(sn_stat vm3 eth0 drops.dhcp-guard) - dg0 ))" 1
sn_check "guard on: vm3 still answers pings (only DHCP servers dropped)" \
	eval 'ip -n "$(sn_ns a)" addr add 10.94.0.5/24 dev eth0 &&
	      sn_ping_retry a 10.94.0.1'
sn_check "adapter set vm3 --dhcp-guard off; vm4 --dhcp-guard on" \
	eval 'sn_ctl adapter set vm3 --dhcp-guard off >/dev/null &&
	      sn_ctl adapter set vm4 --dhcp-guard on >/dev/null'
dg1=$(sn_stat vm3 eth0 drops.dhcp-guard)
sn_check "guard off: vm4 gets a lease from vm3 (a guarded client)" dhcp 6 ||
	sed 's/^/#   udhcpc: /' "$SN_TMP/udhcpc.log"
sn_check "guard off: vm4's address is in vm3's range ($(v4addr))" \
	grep -q '^10\.94\.0\.1[0-4][0-9]$' <<<"$(v4addr)"
sn_expect_eq "guard off: no more 'dhcp-guard' drops on vm3" \
	"$(( $(sn_stat vm3 eth0 drops.dhcp-guard) - dg1 ))" 0
sn_expect_eq "the guarded client vm4 lost nothing to its guard" \
	"$(sn_stat vm4 eth0 drops.dhcp-guard)" 0

# --- router guard ------------------------------------------------------------
# ICMPv6 type 134 (RA) or 137 (redirect) to ff02::1 on eth0, hop limit 255,
# from the link-local address; the kernel fills in the checksum.
py_ra='
import socket, struct, sys, time
kind, count = sys.argv[1], int(sys.argv[2])
idx = socket.if_nametoindex("eth0")
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
if kind == "ra":
    # cur hop limit 64, no flags, router lifetime 1800 s
    msg = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
else:
    # redirect: target fe80::1, destination 2001:db8::1
    msg = struct.pack("!BBHI", 137, 0, 0, 0) + \
        socket.inet_pton(socket.AF_INET6, "fe80::1") + \
        socket.inet_pton(socket.AF_INET6, "2001:db8::1")
for i in range(count):
    s.sendto(msg, ("ff02::1", 0, 0, idx))
    time.sleep(0.1)
'
send_ra()
{
	sn_timeout 10 ip netns exec "$(sn_ns e)" python3 -c "$py_ra" "$@"
}
ll5=$(ip -n "$(sn_ns e)" -6 -o addr show dev eth0 scope link |
	awk '{ sub(/\/.*/, "", $4); print $4 }')
default_via()
{
	ip -n "$(sn_ns f)" -6 route show default | awk '{ print $3 }'
}
sn_expect_eq "vm6 has no IPv6 default route at first" "$(default_via)" ""
sn_check "adapter set vm5 --router-guard on" \
	sn_quiet sn_ctl adapter set vm5 --router-guard on
sn_expect_eq "policy: router_guard" "$(pol vm5 router_guard)" true
rg0=$(sn_stat vm5 eth0 drops.router-guard)
sn_check "vm5 sends 5 router advertisements" send_ra ra 5
sn_stats_quiet vm5
sn_expect_eq "guard on: 'router-guard' counted the 5 RAs" \
	"$(( $(sn_stat vm5 eth0 drops.router-guard) - rg0 ))" 5
sleep 1
sn_expect_eq "guard on: vm6 installed no default route" "$(default_via)" ""
rx6=$(sn_stat vm6 eth0 to_vm.packets)
sn_check "vm5 sends 3 redirects" send_ra redirect 3
sn_stats_quiet vm5 vm6
sn_expect_eq "guard on: 'router-guard' counted the 3 redirects" \
	"$(( $(sn_stat vm5 eth0 drops.router-guard) - rg0 ))" 8
sn_expect_eq "guard on: vm6 received none of them" \
	"$(( $(sn_stat vm6 eth0 to_vm.packets) - rx6 ))" 0
sn_check "guard on: vm5 <-> vm6 IPv6 still works (link-local ping)" \
	sn_ping_retry f "$ll5%eth0"
sn_check "adapter set vm5 --router-guard off" \
	sn_quiet sn_ctl adapter set vm5 --router-guard off
rg1=$(sn_stat vm5 eth0 drops.router-guard)
sn_check "vm5 sends 3 router advertisements" send_ra ra 3
sn_check "guard off: vm6 has a default route via vm5 ($ll5)" \
	sn_wait_until 5 eval '[ "$(default_via)" == "$ll5" ]' ||
	sn_diag "vm6 default route: '$(default_via)'"
sn_expect_eq "guard off: no more 'router-guard' drops" \
	"$(( $(sn_stat vm5 eth0 drops.router-guard) - rg1 ))" 0

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
