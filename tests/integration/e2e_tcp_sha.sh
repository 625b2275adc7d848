#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e_tcp_sha: a 100 MB TCP transfer between two guests on a private
# switch arrives complete with the same sha256; the adapter counters saw
# the bytes; the daemon's mbufs and fds are back to their level before the
# transfer once it is over.

. "$(dirname "$0")/lib.sh"
sn_init e2e_tcp_sha
SIZE_MB=${SN_TCP_MB:-100}

sn_daemon_start
sn_ctl switch create sw1 --type private >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl adapter add vm1 --switch sw1 >/dev/null || sn_fatal "adapter add vm1"
sn_ctl adapter add vm2 --switch sw1 >/dev/null || sn_fatal "adapter add vm2"
sn_check "vm1 attaches in netns a" sn_guest_netns vm1 a 10.77.0.1/24 ||
	sn_fatal "vm1 attach"
sn_check "vm2 attaches in netns b" sn_guest_netns vm2 b 10.77.0.2/24 ||
	sn_fatal "vm2 attach"
sn_check "IPv4 ping a -> b" sn_ping_retry a 10.77.0.2 ||
	sn_fatal "no connectivity"

src=$SN_TMP/src.bin
dst=$SN_TMP/dst.bin
head -c "$((SIZE_MB << 20))" /dev/urandom >"$src" || sn_fatal "random file"
want=$(sha256sum <"$src" | cut -d' ' -f1)
sn_diag "source: $SIZE_MB MiB, sha256 $want"
base=$(sn_resources) || sn_fatal "status"
sn_diag "baseline mbufs_in_use/open_fds: $base"
s1=$(sn_ctl_json adapter stats vm1) || sn_fatal "adapter stats vm1"

sn_tcp_recv b 10.77.0.2 5001 "$dst" "$SN_TMP/recv.log"
rpid=$SN_LAST_PID
sn_wait_until 10 sn_tcp_listening b 5001 || sn_fatal "receiver not listening"
t0=$(date +%s.%N)
sent=$(sn_timeout 150 ip netns exec "$(sn_ns a)" python3 -c "$SN_PY_SEND" \
	10.77.0.2 5001 "$src" 2>"$SN_TMP/send.log")
src_rc=$?
t1=$(date +%s.%N)
sn_expect_eq "sender finished (exit status)" "$src_rc" 0
sn_wait_until 30 eval '! sn_alive $rpid'
sn_stop "$rpid" TERM 2
recv_rc=$?
sn_expect_eq "receiver finished (exit status)" "$recv_rc" 0
secs=$(python3 -c "print('%.2f' % ($t1 - $t0))")
mbps=$(python3 -c \
	"print('%.0f' % ($SIZE_MB * 8 * 1.048576 / max($t1 - $t0, 1e-3)))")
sn_diag "transfer: ${sent:-?} bytes sent in $secs s (~$mbps Mb/s)"

sn_expect_eq "received size" "$(stat -c %s "$dst" 2>/dev/null)" \
	"$((SIZE_MB << 20))"
got=$(sha256sum <"$dst" 2>/dev/null | cut -d' ' -f1)
sn_expect_eq "received sha256 equals the source's" "$got" "$want"

s2=$(sn_ctl_json adapter stats vm1) || sn_fatal "adapter stats vm1"
fb=$(( $(sn_json 0.from_vm.bytes <<<"$s2") -
	$(sn_json 0.from_vm.bytes <<<"$s1") ))
sn_expect_ge "vm1 from_vm bytes cover the transfer" "$fb" "$((SIZE_MB << 20))"
sn_diag "vm1 drops after the transfer: $(sn_json 0.drops <<<"$s2" |
	sn_jpy '{k: v for k, v in j.items() if v}')"
sn_diag "vm2 drops after the transfer: $(sn_ctl_json adapter stats vm2 |
	sn_jpy '{k: v for k, v in j[0]["drops"].items() if v}')"
sn_check_baseline "after the transfer" "$base"

sn_check "synthnetd still answers" sn_daemon_alive
sn_check "vm1 synthguest stops cleanly (status 0)" sn_guest_stop vm1
sn_check "vm2 synthguest stops cleanly (status 0)" sn_guest_stop vm2
sn_done
