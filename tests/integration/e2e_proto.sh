#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_proto: the hostile protocol test guest (proto_guest) runs each of its
# cases against synthnetd as VM "hostile": unsupported-version,
# linux-sequence (with the adapter's MAC), malformed, attach-detach 20 and
# abrupt-detach 6.  Every case must pass.  Meanwhile a pair of normal guests
# on the same switch keeps pinging without loss.  Afterwards the daemon
# answers, the hostile adapter's error counters (adapter stats) rose for
# each class of malformed input, the normal guests' did not, and the
# daemon's mbufs_in_use/open_fds are back to their level before the
# hostile session.

. "$(dirname "$0")/lib.sh"
sn_init e2e_proto

[ -x "$SN_PROTO_GUEST" ] || sn_fatal "proto_guest not built ($SN_PROTO_GUEST)"
HMAC=00:15:5d:77:00:01

sn_daemon_start
sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl adapter add hostile --switch sw1 --mac $HMAC >/dev/null ||
	sn_fatal "adapter add hostile"
sn_ctl adapter add g1 --switch sw1 >/dev/null || sn_fatal "adapter add g1"
sn_ctl adapter add g2 --switch sw1 >/dev/null || sn_fatal "adapter add g2"
sn_check "g1 attaches in netns a" sn_guest_netns g1 a 10.77.0.1/24 ||
	sn_fatal "g1 attach"
sn_check "g2 attaches in netns b" sn_guest_netns g2 b 10.77.0.2/24 ||
	sn_fatal "g2 attach"
sn_check "first ping a -> b" sn_ping_retry a 10.77.0.2 ||
	sn_fatal "no connectivity between the normal guests"
sleep 0.3
base=$(sn_resources) || sn_fatal "status"
sn_diag "baseline (mbufs_in_use open_fds): $base"
h0=$(sn_ctl_json adapter stats hostile) || sn_fatal "adapter stats hostile"
g10=$(sn_ctl_json adapter stats g1) || sn_fatal "adapter stats g1"
g20=$(sn_ctl_json adapter stats g2) || sn_fatal "adapter stats g2"

sn_ping_bg_start a 10.77.0.2

# run_case DESC ARGS...: one proto_guest run, its verdict as one check;
# its failed checks are shown.
run_case()
{
	local desc=$1 log rc t0=$SECONDS
	shift

	log=$SN_TMP/proto-${desc// /_}.log
	sn_timeout 200 "$SN_PROTO_GUEST" --socket "$SN_VMBUS_SOCK" \
		--vm hostile --ctl-socket "$SN_CTL_SOCK" "$@" >"$log" 2>&1
	rc=$?
	sn_diag "proto_guest $desc: $(grep -c '^ok' "$log") ok," \
		"$(grep -c '^not ok' "$log") not ok, status $rc," \
		"$((SECONDS - t0)) s"
	if [ $rc -eq 0 ]; then
		sn_ok "proto_guest case $desc"
	else
		sn_not_ok "proto_guest case $desc (status $rc)"
		grep -E '^not ok|^# .*(fatal|watchdog|timeout)' "$log" |
			head -n 20 | sed 's/^/#   /'
	fi
	if ! sn_daemon_alive; then
		sn_fatal "synthnetd died during proto_guest $desc"
	fi
}

run_case "unsupported-version" --case unsupported-version
h1=$(sn_ctl_json adapter stats hostile)
run_case "linux-sequence" --case linux-sequence --expect-mac $HMAC
run_case "malformed" --case malformed
h2=$(sn_ctl_json adapter stats hostile)
run_case "attach-detach 20" --case attach-detach 20
run_case "abrupt-detach 6" --case abrupt-detach 6

sn_ping_bg_stop
sn_diag "background ping: $SN_PING_TX sent, $SN_PING_RX received in" \
	"$SN_PING_BATCHES batches"
sn_expect_ge "normal guests pinged during the hostile session" \
	"$SN_PING_TX" 20
sn_expect_eq "normal guests: no ping lost during the hostile session" \
	"$SN_PING_RX" "$SN_PING_TX"
sn_check "a -> b: 20 pings, 0% loss after the hostile session" \
	sn_ping a 10.77.0.2 20

sn_check "synthnetd alive after the hostile session" sn_daemon_alive
sn_expect_eq "hostile adapter not-connected afterwards" \
	"$(sn_adapter_state hostile)" not-connected
sn_expect_eq "g1 adapter still up" "$(sn_adapter_state g1)" up
sn_expect_eq "g2 adapter still up" "$(sn_adapter_state g2)" up

# Error counters of the hostile adapter, from `synthctl --json adapter
# stats` (wherever in the adapter's object they are).  The names are the
# engine's (netvsp/nvsp_host.h NVSP_HOST_ERRORS); each class of input
# proto_guest sent must have been counted where it was sent.
#
counter_rose()
{
	local what=$1 key=$2 before=$3 after=$4 b a

	b=$(sn_json_find "$key" <<<"$before")
	a=$(sn_json_find "$key" <<<"$after")
	if [ "$a" == missing ]; then
		sn_not_ok "hostile: error counter '$key' ($what) in adapter" \
			"stats (missing)"
	elif [ "$b" != missing ] && [ "$a" -gt "$b" ]; then
		sn_ok "hostile: error counter '$key' ($what) rose ($b -> $a)"
	else
		sn_not_ok "hostile: error counter '$key' ($what) rose" \
			"(got $b -> $a)"
	fi
}
counter_rose "NVSP INIT without an accepted version" \
	unsupported-version "$h0" "$h1"
h3=$(sn_ctl_json adapter stats hostile)
counter_rose "send-buffer section out of range" bad-section "$h1" "$h2"
counter_rose "GPA range outside guest RAM" bad-gpa "$h1" "$h2"
counter_rose "malformed RNDIS message" bad-rndis "$h1" "$h2"
counter_rose "unknown/truncated NVSP message" bad-nvsp "$h1" "$h2"
counter_rose "unexpected VMBus packet type" bad-vmbus-pkt "$h1" "$h2"
counter_rose "completion for an unknown transaction" bad-completion-id \
	"$h1" "$h2"
# Counters are the adapter's, not the connection's: h2 was read after the
# malformed session had disconnected, and later sessions (attach-detach,
# abrupt-detach) must not reset them.
for key in bad-rndis bad-section bad-gpa bad-nvsp; do
	b=$(sn_json_find $key <<<"$h2")
	a=$(sn_json_find $key <<<"$h3")
	if [ "$b" != missing ] && [ "$a" != missing ] && [ "$a" -ge "$b" ]
	then
		sn_ok "hostile: '$key' kept across reconnects ($b -> $a)"
	else
		sn_not_ok "hostile: '$key' kept across reconnects ($b -> $a)"
	fi
done

# The well-behaved guests were not blamed for anything.
for g in g1 g2; do
	if [ $g == g1 ]; then before=$g10; else before=$g20; fi
	after=$(sn_ctl_json adapter stats $g)
	moved=$(python3 -c '
import json, sys
def walk(v, acc, path=""):
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, int) and not isinstance(x, bool) and \
               (k.startswith("bad-") or k == "unsupported-version"):
                acc[path + k] = x
            walk(x, acc, path + k + ".")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, acc, path)
    return acc
b = walk(json.loads(sys.argv[1]), {})
a = walk(json.loads(sys.argv[2]), {})
print(" ".join("%s:%d->%d" % (k, b.get(k, 0), v)
               for k, v in sorted(a.items()) if v != b.get(k, 0)))
' "$before" "$after")
	sn_expect_eq "$g: no error counter moved" "${moved:-none}" none
done

sn_check_baseline "after the hostile session" "$base"
sn_check "synthnetd still answers" sn_daemon_alive
sn_check "g1 synthguest stops cleanly (status 0)" sn_guest_stop g1
sn_check "g2 synthguest stops cleanly (status 0)" sn_guest_stop g2
# Graceful shutdown (see e2e_ping.sh).
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
