#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_external: an external switch whose uplink is a DPDK net_af_packet
# vdev on one end of a veth pair; the other end sits in a "LAN" network
# namespace running dnsmasq (DHCP server, 10.91.0.1).
#
#   - a guest without an address gets a DHCP lease from the LAN
#     (busybox udhcpc in its namespace), with the LAN's router option,
#     and pings the LAN with 0% loss; the LAN's MAC is learnt on the
#     uplink port;
#   - the uplink's link state reaches the guest: the LAN end goes down,
#     the guest's eth0 loses its carrier, and gets it back;
#   - `switch set --allow-management-os on --host-ip --host-netns` gives
#     the host a vNIC (in its own namespace, not the machine's) that
#     pings the LAN and the guest; `off` takes it away again and the
#     guest still reaches the LAN.

. "$(dirname "$0")/lib.sh"
sn_init sw_external

for b in dnsmasq busybox; do
	command -v "$b" >/dev/null || sn_fatal "$b not installed (make deps)"
done
busybox --list | grep -qx udhcpc || sn_fatal "busybox has no udhcpc"

sn_daemon_start

# The LAN: veth end lan0, 10.91.0.1/24, dnsmasq handing out .100-.149.
sn_netns_noipv6 lan
sn_veth u0 lan lan0
up_if=$SN_LAST_LINK
ip -n "$(sn_ns lan)" addr add 10.91.0.1/24 dev lan0 || sn_fatal "LAN address"
# A LAN on a wire delivers finished checksums; a veth peer's own stack
# leaves them to "hardware" (CHECKSUM_PARTIAL), and DPDK 22.11's af_packet
# PMD drops the TP_STATUS_CSUMNOTREADY flag that says so: such frames
# reach the guest unfinished (a known limitation, docs/cli.md).  So the
# LAN behaves like a wire: its veth's tx checksum offload is off.
sn_tx_csum lan lan0 off || sn_fatal "tx checksum offload off on lan0"
lan_mac=$(ip -n "$(sn_ns lan)" -o link show dev lan0 |
	grep -o 'link/ether [^ ]*' | cut -d' ' -f2)
sn_spawn "$SN_TMP/dnsmasq.log" ip netns exec "$(sn_ns lan)" dnsmasq \
	--no-daemon --conf-file=/dev/null --port=0 --no-resolv --no-hosts \
	--interface=lan0 --bind-interfaces --dhcp-authoritative --log-dhcp \
	--dhcp-range=10.91.0.100,10.91.0.149,255.255.255.0,1h \
	--dhcp-option=option:router,10.91.0.1 \
	--dhcp-leasefile="$SN_TMP/lan.leases" \
	--pid-file="$SN_TMP/dnsmasq.pid" --user=root --group=root
dnsmasq_pid=$SN_LAST_PID
sn_wait_until 10 grep -q "DHCP, IP range" "$SN_TMP/dnsmasq.log" ||
	sn_fatal "dnsmasq did not start in the LAN namespace"

uplink="net_af_packet41,iface=$up_if"
sn_check "switch create ext --type external --uplink $uplink" \
	sn_quiet sn_ctl switch create ext --type external --uplink "$uplink" \
	--notes "LAN behind a veth" || sn_fatal "switch create ext"
# mgmt < SWITCH_JSON: "allow_management_os/host_vnic"
mgmt()
{
	sn_jpy '"%s/%s" % (str(j["allow_management_os"]).lower(),
		str(j["host_vnic"]).lower())'
}
sw=$(sn_ctl_json switch show ext) || sn_fatal "switch show ext"
sn_expect_eq "switch type" "$(sn_json type <<<"$sw")" external
sn_expect_eq "switch uplink" "$(sn_json uplink <<<"$sw")" "$uplink"
sn_expect_eq "no management OS vNIC yet" \
	"$(mgmt <<<"$sw")" \
	false/false

sn_ctl adapter add vm1 --switch ext >/dev/null || sn_fatal "adapter add vm1"
mac1=$(sn_adapter_mac vm1) || sn_fatal "MAC of vm1"
sn_netns_noipv6 a
sn_check "vm1 attaches in netns a (no address)" sn_guest_netns vm1 a ||
	sn_fatal "vm1 attach"
sn_expect_eq "vm1 has no IPv4 address before DHCP" \
	"$(ip -n "$(sn_ns a)" -4 -o addr show dev eth0 | wc -l)" 0

# udhcpc applies the lease itself through this script.
cat >"$SN_TMP/udhcpc.sh" <<EOF
#!/bin/sh
env >"$SN_TMP/udhcpc-\$1.env"
case "\$1" in
deconfig)
	ip -4 addr flush dev "\$interface"
	;;
bound|renew)
	ip -4 addr flush dev "\$interface"
	ip addr add "\$ip/\${mask:-24}" dev "\$interface"
	[ -n "\$router" ] &&
		ip route replace default via "\${router%% *}" dev "\$interface"
	;;
esac
exit 0
EOF
chmod 0755 "$SN_TMP/udhcpc.sh"
udhcpc()
{
	sn_timeout 40 ip netns exec "$(sn_ns a)" busybox udhcpc -i eth0 -f -q \
		-n -t 8 -T 2 -s "$SN_TMP/udhcpc.sh" >"$SN_TMP/udhcpc.log" 2>&1
}
sn_check "vm1 gets a DHCP lease from the LAN (udhcpc exit 0)" udhcpc ||
	sed 's/^/#   udhcpc: /' "$SN_TMP/udhcpc.log"
ip1=$(ip -n "$(sn_ns a)" -4 -o addr show dev eth0 |
	awk '{ sub(/\/.*/, "", $4); print $4 }')
sn_diag "vm1 ($mac1) leased '$ip1'"
sn_check "vm1's address is in dnsmasq's range 10.91.0.100-149" \
	python3 -c '
import ipaddress, sys
a = ipaddress.ip_address(sys.argv[1])
sys.exit(not (ipaddress.ip_address("10.91.0.100") <= a <=
              ipaddress.ip_address("10.91.0.149")))' "${ip1:-0.0.0.0}"
sn_check "dnsmasq's lease file has vm1's MAC and address" \
	grep -qi "$mac1 ${ip1:-none} " "$SN_TMP/lan.leases"
sn_check "dnsmasq logged a DHCPACK to vm1's MAC" \
	grep -qi "DHCPACK(lan0) ${ip1:-none} $mac1" "$SN_TMP/dnsmasq.log"
sn_expect_eq "vm1's default route is the LAN's router option" \
	"$(ip -n "$(sn_ns a)" -4 route show default | awk '{ print $3 }')" \
	10.91.0.1

sn_check "first ping vm1 -> LAN" sn_ping_retry a 10.91.0.1 ||
	sn_fatal "vm1 does not reach the LAN"
sn_check "vm1 -> LAN: 20 pings, 0% loss" sn_ping a 10.91.0.1 20
sn_check "LAN -> vm1: 20 pings, 0% loss" sn_ping lan "${ip1:-none}" 20
fdb=$(sn_ctl_json fdb show ext) || sn_fatal "fdb show ext"
port_of()
{
	sn_jpy "[e['port'] for e in j if e['mac'] == '$1']" <<<"$fdb"
}
sn_expect_eq "fdb: the LAN's MAC $lan_mac on the uplink port" \
	"$(port_of "$lan_mac")" '["uplink"]'
sn_expect_eq "fdb: vm1's MAC on vm1/eth0" "$(port_of "$mac1")" \
	'["vm1/eth0"]'

# TCP through the uplink, both ways: 4 MiB, byte for byte.
sn_tcp_data 4
sn_check "TCP vm1 -> LAN: 4 MiB arrive intact" \
	sn_tcp_transfer a lan 10.91.0.1 5101
sn_check "TCP LAN -> vm1: 4 MiB arrive intact" \
	sn_tcp_transfer lan a "${ip1:-none}" 5102

# The uplink's link state reaches the guest (RNDIS media status -> TAP
# carrier in synthguest).
carrier()
{
	local want=$1 got

	got=$(ip netns exec "$(sn_ns a)" cat /sys/class/net/eth0/carrier \
		2>/dev/null)
	[ "$got" == "$want" ]
}
ip -n "$(sn_ns lan)" link set lan0 down
sn_check "LAN end down: vm1's eth0 loses its carrier (10 s)" \
	sn_wait_until 10 carrier 0
ip -n "$(sn_ns lan)" link set lan0 up
sn_check "LAN end up again: vm1's eth0 has a carrier (10 s)" \
	sn_wait_until 10 carrier 1
sn_check "vm1 -> LAN after the link came back" sn_ping_retry a 10.91.0.1

# Management OS: the host vNIC in its own namespace "h".
sn_netns_noipv6 h
sn_check "switch set ext --allow-management-os on --host-ip 10.91.0.2/24" \
	sn_quiet sn_ctl switch set ext --allow-management-os on \
	--host-ip 10.91.0.2/24 --host-netns "$(sn_ns h)"
sw=$(sn_ctl_json switch show ext) || sn_fatal "switch show ext"
hif=$(sn_json host_ifname <<<"$sw")
sn_expect_eq "switch: management OS on, host vNIC" \
	"$(mgmt <<<"$sw")" \
	true/true
sn_expect_eq "switch: host vNIC named after the switch" "$hif" vsw-ext
sn_expect_eq "switch: host vNIC netns" "$(sn_json host_netns <<<"$sw")" \
	"$(sn_ns h)"
vnic_ok()
{
	ip -n "$(sn_ns h)" -o addr show dev "$hif" 2>/dev/null |
		grep -q "inet 10.91.0.2/24" &&
	ip -n "$(sn_ns h)" -o link show dev "$hif" | grep -q "[<,]UP[,>]"
}
sn_check "host vNIC $hif is in netns h, up, with 10.91.0.2/24" \
	sn_wait_until 5 vnic_ok
sn_check "no $hif in the machine's own namespace" \
	eval '! ip link show dev "$hif" >/dev/null 2>&1'
sn_check "first ping host vNIC -> LAN" sn_ping_retry h 10.91.0.1
sn_check "host vNIC -> LAN: 20 pings, 0% loss" sn_ping h 10.91.0.1 20
sn_check "host vNIC -> vm1: 20 pings, 0% loss" sn_ping h "${ip1:-none}" 20
sn_check "LAN -> host vNIC: 20 pings, 0% loss" sn_ping lan 10.91.0.2 20

sn_check "switch set ext --allow-management-os off" \
	sn_quiet sn_ctl switch set ext --allow-management-os off
sw=$(sn_ctl_json switch show ext) || sn_fatal "switch show ext"
sn_expect_eq "switch: management OS off, no host vNIC" \
	"$(mgmt <<<"$sw")" \
	false/false
sn_check "host vNIC gone from netns h (5 s)" \
	sn_wait_until 5 eval '! ip -n "$(sn_ns h)" link show dev "$hif" \
		>/dev/null 2>&1'
sn_check "vm1 -> LAN still: 10 pings, 0% loss" sn_ping a 10.91.0.1 10

# packet-filter: unicast for other MACs (the vNIC that went) flooded to
# vm1 and refused by its filter, as a NIC's filter refuses it.
d=$(sn_ctl_json adapter stats vm1 |
	sn_jpy 'sum(v for k, v in j[0]["drops"].items()
		if k != "packet-filter")')
sn_expect_eq "vm1: no drops (other than packet-filter)" "$d" 0 ||
	sn_diag "vm1 drops: $(sn_ctl_json adapter stats vm1 |
		sn_jpy '{k: v for k, v in j[0]["drops"].items() if v}')"
sn_check "dnsmasq still running" sn_alive "$dnsmasq_pid"
sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
