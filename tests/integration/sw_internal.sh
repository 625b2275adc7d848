#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_internal: an internal switch with a host vNIC (a TAP that synthnetd
# creates and configures through libnl) placed in its own network
# namespace "h" with --host-ip 10.92.0.1/24.
#
#   - the vNIC is there, named vsw-int, up, MTU 1500, with the address;
#   - it pings two guests and they ping it (0% loss), TCP both ways
#     arrives intact; the MAC table has the vNIC on the host port;
#   - `switch set --host-ip` replaces the vNIC's addresses (IPv4 + IPv6);
#   - no uplink: a "LAN" namespace behind a veth from the daemon's
#     namespace (10.92.0.254, same subnet) is not reachable from
#     a guest, and not one frame of the guest's shows up on the LAN
#     (the veth's other end is up in the daemon's namespace, unused).

. "$(dirname "$0")/lib.sh"
sn_init sw_internal
sn_daemon_start

# A LAN next to the daemon that the switch has no uplink to.
sn_netns_noipv6 lan
sn_veth u0 lan lan0
ip -n "$(sn_ns lan)" addr add 10.92.0.254/24 dev lan0 || sn_fatal "LAN addr"

sn_netns h
sn_check "switch create int --type internal --host-ip 10.92.0.1/24" \
	sn_quiet sn_ctl switch create int --type internal \
	--host-ip 10.92.0.1/24 --host-netns "$(sn_ns h)" ||
	sn_fatal "switch create int"
sw=$(sn_ctl_json switch show int) || sn_fatal "switch show int"
sn_expect_eq "switch type" "$(sn_json type <<<"$sw")" internal
sn_expect_eq "switch has a host vNIC" "$(sn_json host_vnic <<<"$sw")" true
sn_expect_eq "switch has no uplink" "$(sn_json uplink <<<"$sw")" ""
sn_expect_eq "host vNIC name" "$(sn_json host_ifname <<<"$sw")" vsw-int
sn_expect_eq "host vNIC addresses" "$(sn_json host_ips <<<"$sw")" \
	'["10.92.0.1/24"]'
sn_expect_eq "host vNIC netns" "$(sn_json host_netns <<<"$sw")" "$(sn_ns h)"
vnic_has()
{
	ip -n "$(sn_ns h)" -o addr show dev vsw-int 2>/dev/null |
		grep -q " $1 "
}
sn_check "vsw-int in netns h has 10.92.0.1/24" \
	sn_wait_until 5 vnic_has "inet 10.92.0.1/24"
link=$(ip -n "$(sn_ns h)" -o link show dev vsw-int 2>/dev/null)
sn_check "vsw-int is up" grep -q "[<,]UP[,>]" <<<"$link"
sn_check "vsw-int MTU 1500" grep -q " mtu 1500 " <<<"$link"
sn_check "no vsw-int in the daemon's namespace" \
	eval '! ip link show dev vsw-int >/dev/null 2>&1'
vnic_mac=$(grep -o 'link/ether [^ ]*' <<<"$link" | cut -d' ' -f2)

for vm in vm1 vm2; do
	sn_ctl adapter add $vm --switch int >/dev/null ||
		sn_fatal "adapter add $vm"
done
sn_check "vm1 attaches in netns a" sn_guest_netns vm1 a 10.92.0.11/24 ||
	sn_fatal "vm1 attach"
sn_check "vm2 attaches in netns b" sn_guest_netns vm2 b 10.92.0.12/24 ||
	sn_fatal "vm2 attach"

sn_check "first ping host vNIC -> vm1" sn_ping_retry h 10.92.0.11 ||
	sn_fatal "the host vNIC does not reach vm1"
sn_check "host vNIC -> vm1: 20 pings, 0% loss" sn_ping h 10.92.0.11 20
sn_check "host vNIC -> vm2: 20 pings, 0% loss" sn_ping h 10.92.0.12 20
sn_check "vm1 -> host vNIC: 20 pings, 0% loss" sn_ping a 10.92.0.1 20
sn_check "vm1 -> vm2: 20 pings, 0% loss" sn_ping a 10.92.0.12 20
sn_tcp_data 4
sn_check "TCP host vNIC -> vm1: 4 MiB arrive intact" \
	sn_tcp_transfer h a 10.92.0.11 5201
sn_check "TCP vm2 -> host vNIC: 4 MiB arrive intact" \
	sn_tcp_transfer b h 10.92.0.1 5202
fdb=$(sn_ctl_json fdb show int) || sn_fatal "fdb show int"
port=$(sn_jpy "[e['port'] for e in j if e['mac'] == '$vnic_mac']" <<<"$fdb")
sn_check "fdb: the vNIC's MAC $vnic_mac on a host port ($port)" \
	eval '[ "$port" != "[]" ] && [[ "$port" != *vm* ]]'

# No uplink: a guest reaches nothing but the switch.
sn_stats_quiet vm1
tx0=$(sn_stat vm1 eth0 from_vm.packets)
sn_capture_start lan lan0 "ether src $(sn_adapter_mac vm1)"
cap=$SN_LAST_PID
sn_check "vm1 -> LAN 10.92.0.254 fails (no uplink)" \
	eval '! ip netns exec "$(sn_ns a)" ping -n -q -c 5 -i 0.2 -W 1 \
		10.92.0.254 >/dev/null 2>&1'
sn_capture_stop "$cap"
sn_stats_quiet vm1
sn_expect_ge "vm1 did send (ARP) while trying" \
	"$(( $(sn_stat vm1 eth0 from_vm.packets) - tx0 ))" 1
sn_expect_eq "LAN saw no frame from vm1's MAC" \
	"$(sn_capture_fields "$SN_CAP_FILE" frame.number | wc -l)" 0

# --host-ip replaces the vNIC's addresses.
sn_check "switch set int --host-ip 10.92.0.2/24 --host-ip fd92::1/64" \
	sn_quiet sn_ctl switch set int --host-ip 10.92.0.2/24 \
	--host-ip fd92::1/64
sn_check "vsw-int now has 10.92.0.2/24" \
	sn_wait_until 5 vnic_has "inet 10.92.0.2/24"
sn_check "vsw-int now has fd92::1/64" \
	sn_wait_until 5 vnic_has "inet6 fd92::1/64"
sn_check "vsw-int no longer has 10.92.0.1" \
	sn_wait_until 5 eval '! vnic_has "inet 10.92.0.1/24"'
sn_check "host vNIC (new address) -> vm2" sn_ping_retry h 10.92.0.12
sn_check "vm2 -> host vNIC at its new address: 10 pings, 0% loss" \
	sn_ping b 10.92.0.2 10

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_check "vsw-int gone with the daemon" \
	eval '! ip -n "$(sn_ns h)" link show dev vsw-int >/dev/null 2>&1'
sn_done
