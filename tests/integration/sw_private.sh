#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_private: private switches are islands.  All addresses are in one
# subnet, 10.93.0.0/24, and IPv6 is off everywhere (no background frames),
# so that any leak would be a successful ping or a counted frame.
#
#   prv1: vm1 .11, vm2 .12      prv2: vm3 .13, vm4 .14
#   int:  host vNIC .1 in netns h (an internal switch, the "host")
#
#   - guests on the same private switch reach each other;
#   - a private switch has no host vNIC and no uplink, and no vsw-prv*
#     interface exists in the daemon's namespace;
#   - the host (the internal switch's vNIC) cannot reach prv1's guests,
#     and they receive nothing of its attempts (to_vm unchanged);
#   - prv1 cannot reach prv2: pings fail both ways, the other switch's
#     adapters receive nothing (to_vm unchanged) and its MAC table never
#     learns the foreign MACs.

. "$(dirname "$0")/lib.sh"
sn_init sw_private
sn_daemon_start

for s in prv1 prv2; do
	sn_check "switch create $s --type private" \
		sn_quiet sn_ctl switch create $s --type private ||
		sn_fatal "switch create $s"
done
sn_netns_noipv6 h
sn_ctl switch create int --type internal --host-ip 10.93.0.1/24 \
	--host-netns "$(sn_ns h)" >/dev/null || sn_fatal "switch create int"

for sw in prv1 prv2; do
	j=$(sn_ctl_json switch show $sw) || sn_fatal "switch show $sw"
	sn_expect_eq "$sw: type, host vNIC, uplink" \
		"$(sn_jpy '"%s/%s/%s" % (j["type"], str(j["host_vnic"]).lower(),
			j["uplink"])' <<<"$j")" \
		"private/false/"
	sn_check "$sw: no vsw-$sw interface in the daemon's namespace" \
		eval '! ip link show dev vsw-'$sw' >/dev/null 2>&1'
done

declare -A IP=([vm1]=10.93.0.11 [vm2]=10.93.0.12 [vm3]=10.93.0.13
	[vm4]=10.93.0.14)
declare -A NSOF=([vm1]=a [vm2]=b [vm3]=c [vm4]=d)
for vm in vm1 vm2 vm3 vm4; do
	sw=prv1
	[ $vm == vm3 ] || [ $vm == vm4 ] && sw=prv2
	sn_ctl adapter add $vm --switch $sw >/dev/null ||
		sn_fatal "adapter add $vm"
	sn_netns_noipv6 "${NSOF[$vm]}"
	sn_check "$vm attaches on $sw in netns ${NSOF[$vm]}" \
		sn_guest_netns $vm "${NSOF[$vm]}" "${IP[$vm]}/24" ||
		sn_fatal "$vm attach"
done
declare -A MAC
for vm in vm1 vm2 vm3 vm4; do
	MAC[$vm]=$(sn_adapter_mac $vm) || sn_fatal "MAC of $vm"
done

sn_check "first ping vm1 -> vm2 (prv1)" sn_ping_retry a 10.93.0.12 ||
	sn_fatal "no connectivity on prv1"
sn_check "first ping vm3 -> vm4 (prv2)" sn_ping_retry c 10.93.0.14 ||
	sn_fatal "no connectivity on prv2"
# Permanent neighbour entries between the guests of a switch: no ARP
# probes (reachability confirmation) in the counted windows below.
for p in "vm1 vm2" "vm2 vm1" "vm3 vm4" "vm4 vm3"; do
	read -r x y <<<"$p"
	ip -n "$(sn_ns "${NSOF[$x]}")" neigh replace "${IP[$y]}" \
		lladdr "${MAC[$y]}" dev eth0 nud permanent ||
		sn_fatal "static neighbour $y in ${NSOF[$x]}"
done
sn_check "vm1 -> vm2: 10 pings, 0% loss" sn_ping a 10.93.0.12 10
sn_check "vm4 -> vm3: 10 pings, 0% loss" sn_ping d 10.93.0.13 10
sn_check "host vNIC is up in netns h (sanity)" \
	sn_wait_until 5 eval 'ip -n "$(sn_ns h)" -o addr show dev vsw-int |
		grep -q "inet 10.93.0.1/24"'

# to_vm packets of every guest, once nothing is in flight.  (The ARP
# broadcasts of a failing ping reach the other guest of the sender's own
# switch: that is where they belong.)
to_vm_all()
{
	local vm

	sn_stats_quiet vm1 vm2 vm3 vm4
	for vm in vm1 vm2 vm3 vm4; do
		printf '%s=%s ' $vm "$(sn_stat $vm eth0 to_vm.packets)"
	done
}
# no_ping SHORT DST: 5 pings from SHORT to DST all fail.
no_ping()
{
	! ip netns exec "$(sn_ns "$1")" ping -n -q -c 5 -i 0.2 -W 1 "$2" \
		>/dev/null 2>&1
}

# The host cannot reach the guests of a private switch.
before=$(to_vm_all)
sn_check "host vNIC -> vm1 fails" no_ping h 10.93.0.11
sn_check "host vNIC -> vm3 fails" no_ping h 10.93.0.13
after=$(to_vm_all)
sn_expect_eq "no guest received anything of the host's attempts" \
	"$after" "$before"

# prv1 and prv2 cannot reach each other.
before=$(to_vm_all)
sn_check "vm1 (prv1) -> vm3 (prv2) fails" no_ping a 10.93.0.13
sn_check "vm2 (prv1) -> vm4 (prv2) fails" no_ping b 10.93.0.14
after=$(to_vm_all)
sn_expect_eq "prv2's guests received nothing of prv1's attempts" \
	"$(awk '{ print $3, $4 }' <<<"$after")" \
	"$(awk '{ print $3, $4 }' <<<"$before")"
before=$after
sn_check "vm3 (prv2) -> vm1 (prv1) fails" no_ping c 10.93.0.11
sn_check "vm4 (prv2) -> vm2 (prv1) fails" no_ping d 10.93.0.12
after=$(to_vm_all)
sn_expect_eq "prv1's guests received nothing of prv2's attempts" \
	"$(awk '{ print $1, $2 }' <<<"$after")" \
	"$(awk '{ print $1, $2 }' <<<"$before")"

fdb_macs()
{
	sn_ctl_json fdb show "$1" | sn_jpy 'sorted(e["mac"] for e in j)'
}
sorted_json()
{
	python3 -c 'import json, sys
print(json.dumps(sorted(sys.argv[1:])))' "$@"
}
sn_expect_eq "prv1's MAC table: vm1 and vm2 only" "$(fdb_macs prv1)" \
	"$(sorted_json "${MAC[vm1]}" "${MAC[vm2]}")"
sn_expect_eq "prv2's MAC table: vm3 and vm4 only" "$(fdb_macs prv2)" \
	"$(sorted_json "${MAC[vm3]}" "${MAC[vm4]}")"
sn_check "still: vm1 -> vm2: 10 pings, 0% loss" sn_ping a 10.93.0.12 10
sn_check "still: vm3 -> vm4: 10 pings, 0% loss" sn_ping c 10.93.0.14 10

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
