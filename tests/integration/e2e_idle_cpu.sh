#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_idle_cpu: with two idle TAP guests attached, synthnetd (all threads,
# poll lcore included) uses less than 5 % of a CPU over 5 s, measured from
# utime+stime in /proc/PID/stat; the first ping after the idle period
# still answers fast (< 5 ms: the lcore wakes up on the guest's kick).

. "$(dirname "$0")/lib.sh"
sn_init e2e_idle_cpu
IDLE_S=5
MAX_PCT=5
MAX_RTT_MS=5

# utime+stime of PID in clock ticks (whole thread group).
cpu_ticks()
{
	local stat rest

	stat=$(cat "/proc/$1/stat") || return 1
	rest=${stat##*) }
	# After "(comm) ": state=1 ... utime=12 stime=13.
	awk '{ print $12 + $13 }' <<<"$rest"
}

sn_daemon_start
sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl adapter add vm1 --switch sw1 >/dev/null || sn_fatal "adapter add vm1"
sn_ctl adapter add vm2 --switch sw1 >/dev/null || sn_fatal "adapter add vm2"
sn_check "vm1 attaches in netns a" sn_guest_netns vm1 a 10.77.0.1/24 ||
	sn_fatal "vm1 attach"
sn_check "vm2 attaches in netns b" sn_guest_netns vm2 b 10.77.0.2/24 ||
	sn_fatal "vm2 attach"
sn_check "ping a -> b" sn_ping_retry a 10.77.0.2 || sn_fatal "no connectivity"
sn_check "ping b -> a" sn_ping_retry b 10.77.0.1

hz=$(getconf CLK_TCK)
sleep 1
st0=$(sn_ctl_json status)
c0=$(cpu_ticks "$SN_DAEMON_PID") || sn_fatal "/proc/$SN_DAEMON_PID/stat"
g10=$(cpu_ticks "${SN_GUEST_PID[vm1]}")
g20=$(cpu_ticks "${SN_GUEST_PID[vm2]}")
t0=$(date +%s.%N)
sleep "$IDLE_S"
c1=$(cpu_ticks "$SN_DAEMON_PID") || sn_fatal "/proc/$SN_DAEMON_PID/stat"
t1=$(date +%s.%N)
g11=$(cpu_ticks "${SN_GUEST_PID[vm1]}")
g21=$(cpu_ticks "${SN_GUEST_PID[vm2]}")
st1=$(sn_ctl_json status)

pct()
{
	python3 -c "print('%.1f' % (100.0 * ($2 - $1) / $hz / ($t1 - $t0)))"
}
dpct=$(pct "$c0" "$c1")
sn_diag "idle $IDLE_S s: synthnetd $((c1 - c0)) ticks ($dpct %)," \
	"synthguest vm1 $(pct "$g10" "$g11") %, vm2 $(pct "$g20" "$g21") %"
sn_diag "poll_passes +$(( $(sn_json poll_passes <<<"$st1") -
	$(sn_json poll_passes <<<"$st0") )), poll_sleeps +$((
	$(sn_json poll_sleeps <<<"$st1") - $(sn_json poll_sleeps <<<"$st0") ))"
if python3 -c "import sys; sys.exit(0 if $dpct < $MAX_PCT else 1)"; then
	sn_ok "synthnetd idle CPU $dpct % < $MAX_PCT % over $IDLE_S s"
else
	sn_not_ok "synthnetd idle CPU $dpct % >= $MAX_PCT % over $IDLE_S s"
fi

# The first ping after the idle period: its RTT.
out=$(sn_timeout 5 ip netns exec "$(sn_ns a)" ping -n -c 1 -W 2 10.77.0.2 2>&1)
rtt=$(grep -o 'time=[0-9.]*' <<<"$out" | head -n 1 | cut -d= -f2)
if [ -z "$rtt" ]; then
	sn_not_ok "first ping after $IDLE_S s idle answered"
	sed 's/^/#   /' <<<"$out"
elif python3 -c "import sys; sys.exit(0 if $rtt < $MAX_RTT_MS else 1)"; then
	sn_ok "first ping after $IDLE_S s idle: ${rtt} ms < $MAX_RTT_MS ms"
else
	sn_not_ok "first ping after $IDLE_S s idle: ${rtt} ms >= $MAX_RTT_MS ms"
fi
sn_check "a -> b: 10 pings, 0% loss after idling" sn_ping a 10.77.0.2 10

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "vm1 synthguest stops cleanly (status 0)" sn_guest_stop vm1
sn_check "vm2 synthguest stops cleanly (status 0)" sn_guest_stop vm2
sn_done
