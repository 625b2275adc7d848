#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_mirror: port mirroring on a private switch.  vmA --mirror source,
# vmC --mirror destination, vmB and vmD plain; IPv6 off and permanent
# neighbour entries, so that the only frames are the pings we send.
#
#   - before: vmC receives nothing of A <-> B (adapter and tshark);
#   - mirroring on: N pings A -> B and N pings B -> A: vmC's adapter
#     receives at least 4N more frames, and tshark in vmC's namespace
#     sees exactly the N requests and N replies of each direction; A and
#     B still get all their answers;
#   - B <-> D (not a source) is not copied to vmC;
#   - mirror none again: vmC receives nothing of A <-> B any more.

. "$(dirname "$0")/lib.sh"
sn_init sw_mirror
sn_daemon_start
N=20

sn_ctl switch create m --type private >/dev/null || sn_fatal "switch create m"
declare -A NSOF=([vmA]=a [vmB]=b [vmC]=c [vmD]=d)
declare -A IP=([vmA]=10.95.0.1 [vmB]=10.95.0.2 [vmC]=10.95.0.3
	[vmD]=10.95.0.4)
declare -A MAC
for vm in vmA vmB vmC vmD; do
	sn_ctl adapter add $vm --switch m >/dev/null ||
		sn_fatal "adapter add $vm"
	MAC[$vm]=$(sn_adapter_mac $vm) || sn_fatal "MAC of $vm"
	sn_netns_noipv6 "${NSOF[$vm]}"
	sn_check "$vm attaches in netns ${NSOF[$vm]}" \
		sn_guest_netns $vm "${NSOF[$vm]}" "${IP[$vm]}/24" ||
		sn_fatal "$vm attach"
done
for x in vmA vmB vmC vmD; do
	for y in vmA vmB vmC vmD; do
		[ $x == $y ] && continue
		ip -n "$(sn_ns "${NSOF[$x]}")" neigh replace "${IP[$y]}" \
			lladdr "${MAC[$y]}" dev eth0 nud permanent ||
			sn_fatal "static neighbour $y in $x"
	done
done
sn_check "first ping A -> B" sn_ping_retry a 10.95.0.2 ||
	sn_fatal "no connectivity A -> B"
sn_check "first ping B -> D" sn_ping_retry b 10.95.0.4

# run_and_watch: tshark (ICMP) in C's netns and C's to_vm around "$@";
# leaves C_RX (to_vm delta) and C_ICMP (src dst type per frame).
run_and_watch()
{
	local rx0 cap

	local ons

	sn_stats_quiet vmA vmB vmC vmD
	ons=$(grep -c "promiscuous mode on" "$SN_TMP/guest-vmC.log")
	sn_capture_start c eth0 icmp
	cap=$SN_LAST_PID
	# tshark makes eth0 promiscuous; synthguest passes that on to the
	# host's packet filter (as Linux netvsc does) within 200 ms
	sn_wait_until 3 eval '[ "$(grep -c "promiscuous mode on" \
		"$SN_TMP/guest-vmC.log")" -gt '"$ons"' ]' ||
		sn_diag "vmC did not go promiscuous"
	rx0=$(sn_stat vmC eth0 to_vm.packets)
	"$@"
	sn_capture_stop "$cap"
	sn_stats_quiet vmA vmB vmC vmD
	C_RX=$(( $(sn_stat vmC eth0 to_vm.packets) - rx0 ))
	C_ICMP=$(sn_capture_fields "$SN_CAP_FILE" ip.src ip.dst icmp.type)
}
count()
{
	grep -cP "^$1\t$2\t$3$" <<<"$C_ICMP"
}
a_b_pings()
{
	sn_ping a 10.95.0.2 $N && sn_ping b 10.95.0.1 $N
}

# Before: nothing of A <-> B reaches C.
run_and_watch sn_check "no mirroring: A -> B and B -> A, $N pings each" \
	a_b_pings
sn_expect_eq "no mirroring: vmC's adapter received nothing" "$C_RX" 0
sn_expect_eq "no mirroring: tshark in C saw no ICMP" \
	"$(grep -c . <<<"$C_ICMP")" 0

sn_check "adapter set vmA --mirror source" \
	sn_quiet sn_ctl adapter set vmA --mirror source
sn_check "adapter set vmC --mirror destination" \
	sn_quiet sn_ctl adapter set vmC --mirror destination
sn_expect_eq "policy: vmA mirror" \
	"$(sn_ctl_json adapter show vmA | sn_json policy.mirror)" source
sn_expect_eq "policy: vmC mirror" \
	"$(sn_ctl_json adapter show vmC | sn_json policy.mirror)" destination

run_and_watch sn_check "mirroring: A -> B and B -> A, $N pings each, 0% loss" \
	a_b_pings
sn_expect_ge "mirroring: vmC's adapter received every frame of A" \
	"$C_RX" $((4 * N)) ||
	sn_diag "vmC drops: $(sn_ctl_json adapter stats vmC |
		sn_jpy '{k: v for k, v in j[0]["drops"].items() if v}')"
sn_expect_eq "mirroring: C saw A's echo requests to B" \
	"$(count 10.95.0.1 10.95.0.2 8)" $N
sn_expect_eq "mirroring: C saw B's echo replies to A" \
	"$(count 10.95.0.2 10.95.0.1 0)" $N
sn_expect_eq "mirroring: C saw B's echo requests to A" \
	"$(count 10.95.0.2 10.95.0.1 8)" $N
sn_expect_eq "mirroring: C saw A's echo replies to B" \
	"$(count 10.95.0.1 10.95.0.2 0)" $N

b_d_pings()
{
	sn_ping b 10.95.0.4 $N
}
run_and_watch sn_check "mirroring: B -> D, $N pings, 0% loss" b_d_pings
sn_expect_eq "mirroring: vmC received nothing of B <-> D (not a source)" \
	"$C_RX" 0
sn_check "mirroring: the destination vmC still talks (C -> B)" \
	sn_ping c 10.95.0.2 5

sn_check "adapter set vmA --mirror none" \
	sn_quiet sn_ctl adapter set vmA --mirror none
run_and_watch sn_check "mirror none: A -> B and B -> A, $N pings each" \
	a_b_pings
sn_expect_eq "mirror none: vmC's adapter received nothing" "$C_RX" 0

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
