#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_ping: two guests (synthguest TAP bridges in two network namespaces)
# on a private switch ping each other over IPv4, IPv6 ULA and IPv6
# link-local, 20 (5 for link-local) pings each way with 0% loss; the
# switch's forwarding table maps both MACs to the right ports; the adapter
# counters account for at least the pings, with no drops.

. "$(dirname "$0")/lib.sh"
sn_init e2e_ping
sn_daemon_start

sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl adapter add vm1 --switch sw1 >/dev/null || sn_fatal "adapter add vm1"
sn_ctl adapter add vm2 --switch sw1 >/dev/null || sn_fatal "adapter add vm2"
mac1=$(sn_adapter_mac vm1) || sn_fatal "MAC of vm1"
mac2=$(sn_adapter_mac vm2) || sn_fatal "MAC of vm2"
sn_diag "vm1 $mac1, vm2 $mac2"

sn_check "vm1 attaches in netns a" \
	sn_guest_netns vm1 a 10.77.0.1/24 fd77::1/64 || sn_fatal "vm1 attach"
sn_check "vm2 attaches in netns b" \
	sn_guest_netns vm2 b 10.77.0.2/24 fd77::2/64 || sn_fatal "vm2 attach"

got=$(ip -n "$(sn_ns a)" -o link show dev eth0 | grep -o 'link/ether [^ ]*')
sn_expect_eq "eth0 in netns a carries vm1's MAC" "$got" "link/ether $mac1"
got=$(ip -n "$(sn_ns b)" -o link show dev eth0 | grep -o 'link/ether [^ ]*')
sn_expect_eq "eth0 in netns b carries vm2's MAC" "$got" "link/ether $mac2"
sn_expect_eq "vm1 adapter state" "$(sn_adapter_state vm1)" up
sn_expect_eq "vm2 adapter state" "$(sn_adapter_state vm2)" up

# First contact (ARP / neighbour discovery) before the counted runs.
sn_check "first IPv4 ping a -> b" sn_ping_retry a 10.77.0.2 ||
	sn_fatal "no IPv4 connectivity at all"
sn_check "first IPv6 ping a -> b" sn_ping_retry a fd77::2

ll1=$(ip -n "$(sn_ns a)" -6 -o addr show dev eth0 scope link |
	awk '{ sub(/\/.*/, "", $4); print $4 }')
ll2=$(ip -n "$(sn_ns b)" -6 -o addr show dev eth0 scope link |
	awk '{ sub(/\/.*/, "", $4); print $4 }')
sn_diag "link-local a $ll1, b $ll2"

# quiet_stats: both adapters' stats once two readings 0.3 s apart agree
# (no frame in flight), in Q1 and Q2; 5 s at most.
quiet_stats()
{
	local i a1 a2

	for ((i = 0; i < 15; i++)); do
		a1=$(sn_ctl_json adapter stats vm1) || return 1
		a2=$(sn_ctl_json adapter stats vm2) || return 1
		sleep 0.3
		Q1=$(sn_ctl_json adapter stats vm1) || return 1
		Q2=$(sn_ctl_json adapter stats vm2) || return 1
		[ "$a1" == "$Q1" ] && [ "$a2" == "$Q2" ] && return 0
	done
	sn_diag "adapter stats never quiet for 0.3 s (using the last)"
}
quiet_stats || sn_fatal "adapter stats"
s1=$Q1 s2=$Q2

sn_check "IPv4 a -> b: 20 pings, 0% loss" sn_ping a 10.77.0.2 20
sn_check "IPv4 b -> a: 20 pings, 0% loss" sn_ping b 10.77.0.1 20
sn_check "IPv6 ULA a -> b: 20 pings, 0% loss" sn_ping a fd77::2 20
sn_check "IPv6 ULA b -> a: 20 pings, 0% loss" sn_ping b fd77::1 20
sn_check "IPv6 link-local a -> b: 5 pings, 0% loss" \
	sn_ping a "$ll2%eth0" 5
sn_check "IPv6 link-local b -> a: 5 pings, 0% loss" \
	sn_ping b "$ll1%eth0" 5
# Echo requests + replies each adapter sent (and received), at least.
npings=$(( (20 + 20 + 5) * 2 ))

quiet_stats || sn_fatal "adapter stats"
t1=$Q1 t2=$Q2
for vm in vm1 vm2; do
	if [ $vm == vm1 ]; then
		before=$s1 after=$t1
	else
		before=$s2 after=$t2
	fi
	for dir in from_vm to_vm; do
		b=$(sn_json "0.$dir.packets" <<<"$before")
		a=$(sn_json "0.$dir.packets" <<<"$after")
		sn_expect_ge "$vm $dir packets grew by the pings" \
			"$((a - b))" "$npings"
		b=$(sn_json "0.$dir.bytes" <<<"$before")
		a=$(sn_json "0.$dir.bytes" <<<"$after")
		# 98-byte IPv4 and 118-byte IPv6 echo frames, at least.
		sn_expect_ge "$vm $dir bytes grew by the pings" \
			"$((a - b))" "$(( (20 * 98 + 25 * 118) * 2 ))"
	done
	d=$(sn_jpy 'sum(j[0]["drops"].values())' <<<"$after")
	sn_expect_eq "$vm: no drops of any reason" "$d" 0
	if [ "$d" != 0 ]; then
		sn_diag "$vm drops: $(sn_json 0.drops <<<"$after")"
	fi
done
# Between the two quiet readings (both ports up), what vm1 sent is what
# vm2 received and the other way round (before vm2 attached, vm1's
# multicasts had nowhere to go, so the totals differ).
delta()
{
	echo $(( $(sn_json "$1" <<<"$3") - $(sn_json "$1" <<<"$2") ))
}
sn_expect_eq "vm1 from_vm packets == vm2 to_vm packets (during the runs)" \
	"$(delta 0.from_vm.packets "$s1" "$t1")" \
	"$(delta 0.to_vm.packets "$s2" "$t2")"
sn_expect_eq "vm2 from_vm packets == vm1 to_vm packets (during the runs)" \
	"$(delta 0.from_vm.packets "$s2" "$t2")" \
	"$(delta 0.to_vm.packets "$s1" "$t1")"

fdb=$(sn_ctl_json fdb show sw1) || sn_fatal "fdb show sw1"
sn_expect_eq "fdb: $mac1 on port vm1/eth0" \
	"$(sn_jpy "[e['port'] for e in j if e['mac'] == '$mac1']" <<<"$fdb")" \
	'["vm1/eth0"]'
sn_expect_eq "fdb: $mac2 on port vm2/eth0" \
	"$(sn_jpy "[e['port'] for e in j if e['mac'] == '$mac2']" <<<"$fdb")" \
	'["vm2/eth0"]'
sn_expect_eq "fdb: exactly the two guest MACs" \
	"$(sn_jpy 'len(j)' <<<"$fdb")" 2
txt=$(sn_ctl fdb show sw1)
sn_check "fdb show (text) lists $mac1 on vm1/eth0" \
	grep -Eq "^$mac1 .* vm1/eth0 " <<<"$txt"
sn_check "fdb show (text) lists $mac2 on vm2/eth0" \
	grep -Eq "^$mac2 .* vm2/eth0 " <<<"$txt"

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "vm1 synthguest stops cleanly (status 0)" sn_guest_stop vm1
sn_check "vm2 synthguest stops cleanly (status 0)" sn_guest_stop vm2
# Graceful shutdown.  Regression check: SIGTERM used to kill the daemon
# (status 143, pidfile and sockets left) while the signals were blocked
# only in the main thread after rte_eal_init() had started the EAL
# threads; fixed in 71d7983.
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_check "synthnetd removed its pidfile on exit" \
	test ! -e "$SN_TMP/synthnetd.pid"
sn_check "synthnetd removed its vmbus socket on exit" \
	test ! -e "$SN_VMBUS_SOCK"
sn_done
