#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_guest_killed: guest A's synthguest is SIGKILLed in the middle of a
# TCP transfer to guest B.  Afterwards the daemon still answers, guests B
# and C (same switch) still ping each other, A's adapter is not-connected,
# the daemon's mbufs_in_use and open_fds return to the level recorded
# before A attached, and A can attach again and ping.

. "$(dirname "$0")/lib.sh"
sn_init e2e_guest_killed

sn_daemon_start
sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
for vm in vmA vmB vmC; do
	sn_ctl adapter add $vm --switch sw1 >/dev/null ||
		sn_fatal "adapter add $vm"
done
SN_GUEST_ARGS=--no-reconnect
sn_check "vmB attaches in netns b" sn_guest_netns vmB b 10.77.0.2/24 ||
	sn_fatal "vmB attach"
sn_check "vmC attaches in netns c" sn_guest_netns vmC c 10.77.0.3/24 ||
	sn_fatal "vmC attach"
sn_check "first ping b -> c" sn_ping_retry b 10.77.0.3 ||
	sn_fatal "no connectivity between b and c"
sn_check "first ping c -> b" sn_ping_retry c 10.77.0.2

# Baseline: B and C attached and idle, A not yet there.
sleep 0.5
base=$(sn_resources) || sn_fatal "status"
sn_diag "baseline before A attached (mbufs_in_use open_fds): $base"

sn_check "vmA attaches in netns a" sn_guest_netns vmA a 10.77.0.1/24 ||
	sn_fatal "vmA attach"
sn_check "first ping a -> b" sn_ping_retry a 10.77.0.2 ||
	sn_fatal "no connectivity between a and b"

# An endless stream A -> B; kill A's synthguest once data flows.
sn_tcp_recv b 10.77.0.2 5002 /dev/null "$SN_TMP/recv.log"
rpid=$SN_LAST_PID
sn_wait_until 10 sn_tcp_listening b 5002 || sn_fatal "receiver not listening"
sn_tcp_send_bg a 10.77.0.2 5002 - "$SN_TMP/send.log"
spid=$SN_LAST_PID
flowing()
{
	local b

	b=$(sn_ctl_json adapter stats vmA | sn_json 0.from_vm.bytes) &&
		[ "$b" -gt $((20 << 20)) ]
}
sn_check "TCP stream A -> B flowing (> 20 MiB from vmA)" \
	sn_wait_until 20 flowing
sn_diag "vmA from_vm bytes at the kill:" \
	"$(sn_ctl_json adapter stats vmA | sn_json 0.from_vm.bytes)"
sn_guest_stop vmA KILL
sn_expect_eq "vmA synthguest killed by SIGKILL (status)" "$?" 137
# The stream's ends have nothing left to talk to.
sn_stop "$spid" KILL 2
sn_stop "$rpid" KILL 2

sn_check "synthnetd alive and answering status" sn_daemon_alive ||
	sn_fatal "synthnetd died after the guest was killed"
not_connected()
{
	[ "$(sn_adapter_state vmA)" == not-connected ]
}
sn_check "vmA adapter becomes not-connected (within 5 s)" \
	sn_wait_until 5 not_connected ||
	sn_diag "vmA state: $(sn_adapter_state vmA)"
sn_expect_eq "vmB adapter still up" "$(sn_adapter_state vmB)" up
sn_expect_eq "vmC adapter still up" "$(sn_adapter_state vmC)" up
sn_expect_eq "vm_connections after the kill" \
	"$(sn_status_field vm_connections)" 2
sn_check "b -> c: 20 pings, 0% loss" sn_ping b 10.77.0.3 20
sn_check "c -> b: 20 pings, 0% loss" sn_ping c 10.77.0.2 20
sn_check_baseline "after vmA was killed" "$base"

# Reattach A in the same namespace (its TAP went with the process).
sn_check "vmA attaches again in netns a" \
	sn_guest_netns vmA a 10.77.0.1/24 || sn_fatal "vmA reattach"
sn_expect_eq "vmA adapter up again" "$(sn_adapter_state vmA)" up
sn_check "first ping a -> b after reattach" sn_ping_retry a 10.77.0.2
sn_check "a -> b: 20 pings, 0% loss after reattach" sn_ping a 10.77.0.2 20
sn_check "c -> a: 20 pings, 0% loss after reattach" sn_ping c 10.77.0.1 20
macA=$(sn_adapter_mac vmA)
sn_expect_eq "fdb: vmA's MAC on vmA/eth0 again" \
	"$(sn_ctl_json fdb show sw1 |
	   sn_jpy "[e['port'] for e in j if e['mac'] == '$macA']")" \
	'["vmA/eth0"]'
sn_check "vmA synthguest stops cleanly (status 0)" sn_guest_stop vmA
sn_check_baseline "after vmA detached cleanly" "$base"
sn_check "synthnetd still answers" sn_daemon_alive
# Graceful shutdown (see e2e_ping.sh).
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
# Guests B and C are still attached (started with --no-reconnect): they
# notice the host went away and exit.
guests_gone()
{
	! sn_alive "${SN_GUEST_PID[vmB]}" && ! sn_alive "${SN_GUEST_PID[vmC]}"
}
sn_check "vmB and vmC synthguest exit once synthnetd is gone (5 s)" \
	sn_wait_until 5 guests_gone
sn_done
