#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_attach_cycles: one VM attaches and detaches 50 times with the real
# guest library (synthguest --sink --duration 0.2), then 50 times with the
# protocol test guest (proto_guest --case attach-detach 50, when built),
# while a peer guest stays attached.  After each series the daemon's
# mbufs_in_use and open_fds are back to their level before the first
# cycle, and at the end the VM attaches as a TAP guest and pings the peer.

. "$(dirname "$0")/lib.sh"
sn_init e2e_attach_cycles
CYCLES=${SN_CYCLES:-50}

sn_daemon_start
sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl adapter add cyc --switch sw1 >/dev/null || sn_fatal "adapter add cyc"
sn_ctl adapter add peer --switch sw1 >/dev/null || sn_fatal "adapter add peer"
sn_check "peer attaches in netns p" sn_guest_netns peer p 10.77.0.2/24 ||
	sn_fatal "peer attach"
sleep 0.3
base=$(sn_resources) || sn_fatal "status"
sn_diag "baseline (mbufs_in_use open_fds): $base"

# Series 1: synthguest, the real guest netvsc library.
fails=0
t0=$SECONDS
for ((i = 1; i <= CYCLES; i++)); do
	out=$(sn_timeout 20 "$SN_SYNTHGUEST" --vm cyc \
		--socket "$SN_VMBUS_SOCK" --sink --duration 0.2 --quiet 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		fails=$((fails + 1))
		sn_diag "cycle $i: synthguest status $rc: $out"
		# Stop early on a broken daemon rather than time out.
		sn_daemon_alive || break
	fi
done
sn_diag "$((i - 1)) synthguest cycles in $((SECONDS - t0)) s"
sn_expect_eq "synthguest attach/detach cycles that failed (of $CYCLES)" \
	"$fails" 0
sn_check "synthnetd alive after the synthguest cycles" sn_daemon_alive ||
	sn_fatal "synthnetd died during the attach/detach cycles"
sn_expect_eq "cyc adapter not-connected after the cycles" \
	"$(sn_adapter_state cyc)" not-connected
sn_expect_eq "vm_connections after the cycles" \
	"$(sn_status_field vm_connections)" 1
sn_check_baseline "after $CYCLES synthguest cycles" "$base"

# Series 2: the protocol test guest (its own NVSP/RNDIS, Linux order).
if [ -x "$SN_PROTO_GUEST" ]; then
	t0=$SECONDS
	sn_timeout 200 "$SN_PROTO_GUEST" --socket "$SN_VMBUS_SOCK" --vm cyc \
		--case attach-detach "$CYCLES" >"$SN_TMP/proto_guest.log" 2>&1
	rc=$?
	sn_diag "proto_guest attach-detach $CYCLES: status $rc in" \
		"$((SECONDS - t0)) s; $(tail -n 1 "$SN_TMP/proto_guest.log")"
	if ! sn_expect_eq "proto_guest attach-detach $CYCLES (status)" "$rc" 0
	then
		grep '^not ok' "$SN_TMP/proto_guest.log" | head -n 20 |
			sed 's/^/#   /'
	fi
	sn_check "synthnetd alive after the proto_guest cycles" \
		sn_daemon_alive || sn_fatal "synthnetd died (proto_guest)"
	sn_check_baseline "after $CYCLES proto_guest cycles" "$base"
else
	sn_diag "proto_guest not built: series 2 skipped"
fi

# At the end the VM still works as a normal guest.
sn_check "cyc attaches as a TAP guest in netns c" \
	sn_guest_netns cyc c 10.77.0.1/24 || sn_fatal "cyc TAP attach"
sn_check "first ping c -> p" sn_ping_retry c 10.77.0.2
sn_check "c -> p: 20 pings, 0% loss" sn_ping c 10.77.0.2 20
sn_check "p -> c: 20 pings, 0% loss" sn_ping p 10.77.0.1 20
sn_check "cyc synthguest stops cleanly (status 0)" sn_guest_stop cyc
sn_check_baseline "after the final TAP guest detached" "$base"
sn_check "synthnetd still answers" sn_daemon_alive
sn_done
