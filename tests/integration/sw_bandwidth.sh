#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_bandwidth: --max-bandwidth (a token bucket on what the guest sends)
# against a real TCP stream: iperf3 -t 5 from vm1 to vm2 on a private
# switch, measured on the receiver side (iperf3's sum_received, TCP
# payload) and as frame bits vm2's adapter received (to_vm bytes).
#
#   - without a limit the stream is much faster than 100 Mb/s;
#   - with --max-bandwidth 100000000 it measures within +-10 % of
#     100 Mb/s (both measures), and the meter's drops are counted
#     ('bandwidth');
#   - --max-bandwidth 0 removes the limit again.

. "$(dirname "$0")/lib.sh"
sn_init sw_bandwidth
command -v iperf3 >/dev/null || sn_fatal "iperf3 not installed (make deps)"
sn_daemon_start

LIMIT=100000000
sn_ctl switch create bw --type private >/dev/null || sn_fatal "switch create"
for vm in vm1 vm2; do
	sn_ctl adapter add $vm --switch bw >/dev/null ||
		sn_fatal "adapter add $vm"
done
sn_netns_noipv6 a
sn_netns_noipv6 b
sn_check "vm1 attaches in netns a" sn_guest_netns vm1 a 10.96.0.1/24 ||
	sn_fatal "vm1 attach"
sn_check "vm2 attaches in netns b" sn_guest_netns vm2 b 10.96.0.2/24 ||
	sn_fatal "vm2 attach"
sn_check "first ping vm1 -> vm2" sn_ping_retry a 10.96.0.2 ||
	sn_fatal "no connectivity"

sn_spawn "$SN_TMP/iperf3-server.log" ip netns exec "$(sn_ns b)" \
	iperf3 -s -B 10.96.0.2 -p 5301
sn_wait_until 10 sn_tcp_listening b 5301 || sn_fatal "iperf3 server"

# stream NAME: iperf3 -t 5 vm1 -> vm2; RX_BPS (receiver, TCP payload),
# L2_BPS (frame bits into vm2's adapter over the same seconds), RETR.
stream()
{
	local out b0 b1 secs

	sn_stats_quiet vm2
	b0=$(sn_stat vm2 eth0 to_vm.bytes)
	out=$(sn_timeout 30 ip netns exec "$(sn_ns a)" iperf3 -c 10.96.0.2 \
		-p 5301 -t 5 -J 2>&1) || {
		sn_diag "iperf3 ($1) failed: $(tail -c 300 <<<"$out")"
		RX_BPS=0 L2_BPS=0 RETR="?"
		return 1
	}
	sn_stats_quiet vm2
	b1=$(sn_stat vm2 eth0 to_vm.bytes)
	read -r RX_BPS secs RETR < <(sn_jpy '"%d %f %d" % (
		j["end"]["sum_received"]["bits_per_second"],
		j["end"]["sum_received"]["seconds"],
		j["end"]["sum_sent"].get("retransmits", 0))' <<<"$out")
	L2_BPS=$(python3 -c 'import sys
print(int((int(sys.argv[2]) - int(sys.argv[1])) * 8 / float(sys.argv[3])))' \
		"$b0" "$b1" "$secs")
	sn_diag "$1: receiver $((RX_BPS / 1000000)) Mb/s (TCP payload)," \
		"$((L2_BPS / 1000000)) Mb/s (frames into vm2)," \
		"$RETR retransmits"
}
# within PCT VALUE TARGET
within()
{
	local v=$2 t=$3 p=$1

	[ "$v" -ge $((t - t * p / 100)) ] && [ "$v" -le $((t + t * p / 100)) ]
}

sn_check "no limit: iperf3 runs" stream "no limit"
free=$RX_BPS
sn_expect_ge "no limit: much faster than the limit (> 2.5 x 100 Mb/s)" \
	"$free" $((LIMIT * 5 / 2))

sn_check "adapter set vm1 --max-bandwidth $LIMIT" \
	sn_quiet sn_ctl adapter set vm1 --max-bandwidth $LIMIT
sn_expect_eq "policy: max_bandwidth_bps" \
	"$(sn_ctl_json adapter show vm1 | sn_json policy.max_bandwidth_bps)" \
	$LIMIT
d0=$(sn_stat vm1 eth0 drops.bandwidth)
sn_check "limit: iperf3 runs" stream "limit 100 Mb/s"
sn_check "limit: receiver measures 100 Mb/s +-10 % ($RX_BPS bit/s)" \
	within 10 "$RX_BPS" $LIMIT
sn_check "limit: frames into vm2 at 100 Mb/s +-10 % ($L2_BPS bit/s)" \
	within 10 "$L2_BPS" $LIMIT
sn_expect_ge "limit: the meter dropped frames ('bandwidth')" \
	"$(( $(sn_stat vm1 eth0 drops.bandwidth) - d0 ))" 1
sn_expect_eq "limit: vm2 (no limit) has no 'bandwidth' drops" \
	"$(sn_stat vm2 eth0 drops.bandwidth)" 0

sn_check "adapter set vm1 --max-bandwidth 0 (no limit)" \
	sn_quiet sn_ctl adapter set vm1 --max-bandwidth 0
d1=$(sn_stat vm1 eth0 drops.bandwidth)
sn_check "limit removed: iperf3 runs" stream "limit removed"
sn_expect_ge "limit removed: much faster again (> 2.5 x 100 Mb/s)" \
	"$RX_BPS" $((LIMIT * 5 / 2))
sn_expect_eq "limit removed: no more 'bandwidth' drops" \
	"$(( $(sn_stat vm1 eth0 drops.bandwidth) - d1 ))" 0

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
