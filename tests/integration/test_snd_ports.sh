#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test_snd_ports.sh BINARY - run test_snd_ports (the uplink and host vNIC
# port providers) in its own network namespaces:
#
#   A (the test process)  veth va <-> vb  B (the "LAN" peer)
#   T: target namespace of the TAP host vNIC
#
# All names carry this shell's pid; the namespaces (and with them the veth
# pair and anything left in them) and EAL's runtime directory are removed
# on every exit path, including a failed setup, a failed test and
# SIGTERM from meson's timeout.  Root only: exits 77 (skip) otherwise.
set -u

bin=${1:?usage: test_snd_ports.sh BINARY}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespaces, veth, TAP)"
	exit 77
fi

id=$$
nsa=snp-a-$id
nsb=snp-b-$id
nst=snp-t-$id
va=snpa$id
vb=snpb$id
tap=snpt$id
prefix=snports$id
child=

cleanup() {
	if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
		kill -TERM "$child" 2>/dev/null
		sleep 1
		kill -KILL "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	for ns in "$nsa" "$nsb" "$nst"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

setup() {
	local ns
	for ns in "$nsa" "$nsb" "$nst"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	# keep the veth pair quiet: no IPv6 DAD/MLD/RS noise on it
	for ns in "$nsa" "$nsb"; do
		ip netns exec "$ns" sysctl -qw \
			net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip -n "$nsa" link add "$va" type veth peer name "$vb" \
		netns "$nsb" || return 1
	ip -n "$nsa" link set "$va" up || return 1
	ip -n "$nsb" link set "$vb" up || return 1
}

if ! setup; then
	echo "FAIL: cannot set up namespaces and veth pair"
	exit 1
fi

# In the background so that a signal reaches the trap at once.
ip netns exec "$nsa" "$bin" "$va" "$nsb" "$vb" "$nst" "$tap" "$prefix" &
child=$!
wait "$child"
rc=$?
child=
exit $rc
