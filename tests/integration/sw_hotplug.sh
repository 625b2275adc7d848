#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_hotplug: adapters come and go while the VMs run, and while vm1 pings
# vm2 (batches of 10 every 0.05 s) on the same switch without a loss.
#
#   hp:  vm1 10.97.0.1, vm2 10.97.0.2, vmx/eth0 10.97.0.5, vm3 10.97.0.3
#   hp2: vm4 10.97.0.4
#
#   - hot add: `adapter add vmx --name eth1` while vmx runs: the channel
#     is offered at once (state offered), and `synthguest --vm vmx --nic
#     eth1` attaches it (netns x1, 10.97.0.6) and pings vm2;
#   - hot remove: `adapter remove vmx --name eth0` rescinds the channel:
#     vmx's eth0 synthguest exits, the adapter is gone, vm2 no longer
#     answers for it;
#   - move: `adapter connect vm3 --switch hp2` while vm3 runs: vm3 now
#     reaches vm4 (hp2) and no longer vm1 (hp); its synthguest stays;
#   - `switch delete hp2` is refused while adapters are on it (nothing
#     changes); --force removes them (their synthguests exit) and the
#     switch;
#   - the ping vm1 -> vm2 lost nothing in any of these phases.

. "$(dirname "$0")/lib.sh"
sn_init sw_hotplug
sn_daemon_start

sn_ctl switch create hp --type private >/dev/null || sn_fatal "switch hp"
sn_ctl switch create hp2 --type private >/dev/null || sn_fatal "switch hp2"
for x in "vm1 hp a 10.97.0.1" "vm2 hp b 10.97.0.2" "vmx hp x 10.97.0.5" \
	 "vm3 hp c 10.97.0.3" "vm4 hp2 d 10.97.0.4"; do
	read -r vm sw short ip <<<"$x"
	sn_ctl adapter add $vm --switch $sw >/dev/null ||
		sn_fatal "adapter add $vm"
	sn_netns_noipv6 "$short"
	sn_check "$vm attaches on $sw in netns $short" \
		sn_guest_netns $vm "$short" "$ip/24" || sn_fatal "$vm attach"
done
sn_check "first ping vm1 -> vm2" sn_ping_retry a 10.97.0.2 ||
	sn_fatal "no connectivity vm1 -> vm2"
sn_check "first ping vmx -> vm2" sn_ping_retry x 10.97.0.2
sn_check "first ping vm3 -> vm1" sn_ping_retry c 10.97.0.1
sn_check "first ping vm4 (hp2) -> nothing on hp: vm4 -> vm1 fails" \
	eval '! ip netns exec "$(sn_ns d)" ping -n -q -c 2 -W 1 10.97.0.1 \
		>/dev/null 2>&1'

# flood_check PHASE: stop the background ping, check it lost nothing.
flood_check()
{
	sn_ping_bg_stop
	if [ "$SN_PING_TX" -gt 0 ] && [ "$SN_PING_TX" == "$SN_PING_RX" ]; then
		sn_ok "$1: vm1 -> vm2 lost nothing ($SN_PING_RX/$SN_PING_TX" \
			"in $SN_PING_BATCHES batches)"
	else
		sn_not_ok "$1: vm1 -> vm2 received $SN_PING_RX of" \
			"$SN_PING_TX ($SN_PING_BATCHES batches)"
	fi
}
state_of()
{
	sn_ctl_json adapter show "$1" --name "$2" 2>/dev/null | sn_json state
}

# --- hot add -----------------------------------------------------------------
sn_ping_bg_start a 10.97.0.2
sleep 1
sn_check "adapter add vmx --name eth1 (hot add to a running VM)" \
	sn_quiet sn_ctl adapter add vmx --switch hp --name eth1
sn_check "vmx/eth1 is offered to the running VM (5 s)" \
	sn_wait_until 5 eval '[ "$(state_of vmx eth1)" == offered ]' ||
	sn_diag "vmx/eth1 state: $(state_of vmx eth1)"
sn_netns_noipv6 x1
sn_spawn "$SN_TMP/guest-vmx-eth1.log" "$SN_SYNTHGUEST" --vm vmx --nic eth1 \
	--socket "$SN_VMBUS_SOCK" --netns "$(sn_ns x1)" --ip 10.97.0.6/24
eth1_pid=$SN_LAST_PID
eth1_ready()
{
	grep -q ' ready (MTU' "$SN_TMP/guest-vmx-eth1.log" &&
		sn_if_ready "$(sn_ns x1)"
}
eth1_attach()
{
	sn_wait_until 15 eval 'eth1_ready || ! sn_alive '"$eth1_pid"
	eth1_ready
}
if sn_check "synthguest --vm vmx --nic eth1 attaches the hot-added NIC" \
	eth1_attach; then
	sn_expect_eq "vmx/eth1 is up" "$(state_of vmx eth1)" up
	sn_check "vmx/eth1 -> vm2" sn_ping_retry x1 10.97.0.2
else
	sed 's/^/#   synthguest eth1: /' "$SN_TMP/guest-vmx-eth1.log"
fi
sn_expect_eq "vmx/eth0 still up" "$(state_of vmx eth0)" up
sn_check "vmx/eth0 -> vm2 still" sn_ping x 10.97.0.2 5
sleep 1
flood_check "hot add"

# --- hot remove --------------------------------------------------------------
sn_ping_bg_start a 10.97.0.2
sleep 1
sn_check "adapter remove vmx --name eth0 (running)" \
	sn_quiet sn_ctl adapter remove vmx --name eth0
sn_check "vmx/eth0's synthguest exits (channel rescinded, 5 s)" \
	sn_wait_until 5 eval '! sn_alive '"${SN_GUEST_PID[vmx]}"
sn_check "its log says the host removed the adapter" \
	grep -q "the host removed adapter 'eth0'" "$SN_TMP/guest-vmx.log"
sn_check "vmx/eth0 is gone from adapter list" \
	eval '[ "$(sn_ctl_json adapter list --vm vmx |
		sn_jpy "[a[\"name\"] for a in j]")" == "[\"eth1\"]" ]'
sn_check "vm2 -> vmx's old address fails" \
	eval '! ip netns exec "$(sn_ns b)" ping -n -q -c 2 -W 1 10.97.0.5 \
		>/dev/null 2>&1'
sleep 1
flood_check "hot remove"
sn_check "vm3 -> vm1 still" sn_ping c 10.97.0.1 5

# --- move to another switch --------------------------------------------------
sn_ping_bg_start a 10.97.0.2
sleep 1
sn_check "adapter connect vm3 --switch hp2 (running)" \
	sn_quiet sn_ctl adapter connect vm3 --switch hp2
sn_expect_eq "vm3's adapter is on hp2" \
	"$(sn_ctl_json adapter show vm3 | sn_json switch)" hp2
sn_check "vm3 -> vm4 (hp2) now" sn_ping_retry c 10.97.0.4
sn_check "vm3 -> vm4: 10 pings, 0% loss" sn_ping c 10.97.0.4 10
ip -n "$(sn_ns c)" neigh flush dev eth0
sn_check "vm3 -> vm1 (hp) fails now" \
	eval '! ip netns exec "$(sn_ns c)" ping -n -q -c 3 -i 0.3 -W 1 \
		10.97.0.1 >/dev/null 2>&1'
sn_check "vm3's synthguest is still running (same channel)" \
	sn_alive "${SN_GUEST_PID[vm3]}"
sn_expect_eq "vm3 adapter up" "$(state_of vm3 eth0)" up
sleep 1
flood_check "adapter connect"

# --- switch delete -----------------------------------------------------------
sn_ping_bg_start a 10.97.0.2
before=$(sn_ctl_json adapter list)
out=$(sn_ctl switch delete hp2 2>&1)
rc=$?
sn_expect_eq "switch delete hp2 with adapters: refused (status)" "$rc" 1
sn_diag "refusal: $out"
sn_expect_eq "switch delete refused: one line" "$(wc -l <<<"$out")" 1
sn_check "switch delete refused: hp2 still there" \
	sn_quiet sn_ctl switch show hp2
sn_check "switch delete refused: adapter list unchanged" \
	eval '[ "$(sn_ctl_json adapter list)" == "$before" ]'
sn_check "switch delete refused: vm3 -> vm4 still" sn_ping c 10.97.0.4 5
out=$(sn_ctl_json switch delete hp2 --force)
sn_expect_eq "switch delete hp2 --force" \
	"$(sn_jpy '"%s %d" % (j["deleted"], j["adapters_removed"])' \
		<<<"$out")" \
	"hp2 2"
sn_check "hp2 is gone" eval '! sn_ctl switch show hp2 >/dev/null 2>&1'
sn_expect_eq "its adapters are gone" \
	"$(sn_ctl_json adapter list | sn_jpy 'sorted(a["vm"] for a in j)')" \
	'["vm1", "vm2", "vmx"]'
sn_check "vm3's and vm4's synthguests exit (rescinded, 5 s)" \
	sn_wait_until 5 eval '! sn_alive '"${SN_GUEST_PID[vm3]}"' &&
		! sn_alive '"${SN_GUEST_PID[vm4]}"
sleep 1
flood_check "switch delete --force"

sn_check "vm1 -> vm2: 20 pings, 0% loss at the end" sn_ping a 10.97.0.2 20
sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
