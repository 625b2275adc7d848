#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cli_errors2: bad input for the switch-type and adapter-policy commands.
# Unknown switches (create/set/connect/show), VLAN ids 4095 and 0 and bad
# VLAN lists, bad MACs in `adapter set`, and uplinks that do not exist
# (net_af_packet9,iface=nope) on create and on conversion: each gives
# status 1, nothing on stdout and exactly one line on stderr that names
# the bad value; with --json an error object.  Afterwards `switch list`
# and `adapter list` (JSON and text), every adapter's policy and
# config.json are unchanged, and no host vNIC or uplink was left behind.

. "$(dirname "$0")/lib.sh"
sn_init cli_errors2
sn_daemon_start
CFG=$SN_TMP/state/config.json

sn_netns h
sn_ctl switch create sw1 --type private >/dev/null || sn_fatal "switch sw1"
sn_ctl switch create int1 --type internal --host-ip 10.99.0.1/24 \
	--host-netns "$(sn_ns h)" >/dev/null || sn_fatal "switch int1"
sn_ctl adapter add vm1 --switch sw1 >/dev/null || sn_fatal "adapter vm1"
sn_ctl adapter add vm2 --switch sw1 --mac 00:15:5d:00:aa:02 >/dev/null ||
	sn_fatal "adapter vm2"
sn_ctl adapter set vm2 --vlan-access 10 --dhcp-guard on >/dev/null ||
	sn_fatal "adapter set vm2"
sw_before=$(sn_ctl_json switch list) || sn_fatal "switch list"
ad_before=$(sn_ctl_json adapter list) || sn_fatal "adapter list"
swt_before=$(sn_ctl switch list)
adt_before=$(sn_ctl adapter list)
show_before=$(sn_ctl_json adapter show vm1; sn_ctl_json adapter show vm2)
sha_before=$(sha256sum <"$CFG" | cut -d' ' -f1)
# Host vNICs this test's switches could have left in the daemon's
# namespace (other programs' interfaces come and go there).
our_links()
{
	ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		grep -E '^vsw-(ext9|ext8|sw1|int1)' | sort
}
links_before=$(our_links)
hlinks_before=$(ip -n "$(sn_ns h)" -o link show | awk -F': ' '{ print $2 }' |
	sort)

# expect_err DESC WORD ARGS...: synthctl ARGS exits 1, prints nothing on
# stdout and one line on stderr that contains WORD (case-insensitive).
expect_err()
{
	local desc=$1 word=$2 rc out err nl
	shift 2

	out=$(sn_timeout 10 "$SN_SYNTHCTL" --socket "$SN_CTL_SOCK" "$@" \
		2>"$SN_TMP/err.txt")
	rc=$?
	err=$(cat "$SN_TMP/err.txt")
	nl=$(wc -l <"$SN_TMP/err.txt")
	if [ "$rc" == 1 ] && [ -z "$out" ] && [ "$nl" == 1 ] &&
	   grep -qiF -- "$word" <<<"$err"; then
		sn_ok "$desc: status 1, one line: $err"
		return 0
	fi
	sn_not_ok "$desc: status $rc (want 1), stdout ${#out} bytes" \
		"(want 0), stderr $nl lines (want 1) naming '$word'"
	sed 's/^/#   stdout: /' <<<"$out"
	sed 's/^/#   stderr: /' "$SN_TMP/err.txt"
	return 1
}

# Unknown switch.
expect_err "adapter add to an unknown switch" nosuch \
	adapter add vm9 --switch nosuch
expect_err "adapter connect to an unknown switch" nosuch \
	adapter connect vm1 --switch nosuch
expect_err "switch set of an unknown switch" nosuch \
	switch set nosuch --notes x
expect_err "switch set --type of an unknown switch" nosuch \
	switch set nosuch --type internal
expect_err "switch show of an unknown switch" nosuch switch show nosuch
expect_err "switch delete --force of an unknown switch" nosuch \
	switch delete nosuch --force
expect_err "fdb show of an unknown switch" nosuch fdb show nosuch

# Bad VLAN ids.
expect_err "--vlan-access 4095" 4095 adapter set vm1 --vlan-access 4095
expect_err "--vlan-access 0" "0" adapter set vm1 --vlan-access 0
expect_err "--vlan-access 70000" 70000 adapter set vm1 --vlan-access 70000
expect_err "--vlan-trunk 10,4095" 4095 \
	adapter set vm1 --vlan-trunk 10,4095 --native 10
expect_err "--vlan-trunk 4000-4095" 4095 \
	adapter set vm1 --vlan-trunk 4000-4095 --native 4000
expect_err "--native 4095" 4095 \
	adapter set vm1 --vlan-trunk 10,20 --native 4095
expect_err "--native not in the trunk list" 30 \
	adapter set vm1 --vlan-trunk 10,20 --native 30
expect_err "--vlan-trunk with a bad list" "10,,20" \
	adapter set vm1 --vlan-trunk 10,,20 --native 10

# Bad MACs.
expect_err "adapter set --mac multicast" 01:00:5e:00:00:01 \
	adapter set vm1 --mac 01:00:5e:00:00:01
expect_err "adapter set --mac all-zero" 00:00:00:00:00:00 \
	adapter set vm1 --mac 00:00:00:00:00:00
expect_err "adapter set --mac non-hex" 00:15:5d:zz:00:01 \
	adapter set vm1 --mac 00:15:5d:zz:00:01
expect_err "adapter set --mac too short" 00:15:5d:00:01 \
	adapter set vm1 --mac 00:15:5d:00:01
expect_err "adapter set --mac used by vm2 on the switch" 00:15:5d:00:aa:02 \
	adapter set vm1 --mac 00:15:5d:00:aa:02

# Uplinks that do not exist.
expect_err "switch create --uplink net_af_packet9,iface=nope" nope \
	switch create ext9 --type external --uplink net_af_packet9,iface=nope
expect_err "switch create --uplink with a PCI address that is not there" \
	0000:7f:1f.7 \
	switch create ext8 --type external --uplink 0000:7f:1f.7
expect_err "switch set sw1 --type external --uplink ...iface=nope" nope \
	switch set sw1 --type external --uplink net_af_packet9,iface=nope
expect_err "switch set int1 --type external --uplink ...iface=nope" nope \
	switch set int1 --type external --uplink net_af_packet9,iface=nope

# --json: an error object.
out=$(sn_ctl_json adapter set vm1 --vlan-access 4095 2>/dev/null)
rc=$?
sn_expect_eq "--json bad VLAN: status" "$rc" 1
sn_expect_eq "--json bad VLAN: error object" \
	"$(sn_jpy '"%s|%s" % ("4095" in j.get("error", ""), j.get("status"))' \
		<<<"$out" 2>/dev/null)" "True|1"
out=$(sn_ctl_json switch create ext9 --type external \
	--uplink net_af_packet9,iface=nope 2>/dev/null)
sn_expect_eq "--json missing uplink: error object" \
	"$(sn_jpy '"%s|%s" % ("nope" in j.get("error", ""), j.get("status"))' \
		<<<"$out" 2>/dev/null)" "True|1"

# Nothing changed.
same()
{
	if [ "$2" == "$3" ]; then
		sn_ok "$1"
		return 0
	fi
	sn_not_ok "$1"
	diff <(echo "$3") <(echo "$2") | head -20 | sed 's/^/#   /'
	return 1
}
same "switch list (JSON) unchanged" "$(sn_ctl_json switch list)" \
	"$sw_before"
same "adapter list (JSON) unchanged" "$(sn_ctl_json adapter list)" \
	"$ad_before"
same "switch list (text) unchanged" "$(sn_ctl switch list)" "$swt_before"
same "adapter list (text) unchanged" "$(sn_ctl adapter list)" "$adt_before"
same "adapter show vm1, vm2 (policies) unchanged" \
	"$(sn_ctl_json adapter show vm1; sn_ctl_json adapter show vm2)" \
	"$show_before"
same "config.json unchanged (sha256)" \
	"$(sha256sum <"$CFG" | cut -d' ' -f1)" "$sha_before"
same "no host vNIC (vsw-ext9, vsw-sw1, ...) in the daemon's namespace" \
	"$(our_links)" "$links_before"
same "netns h: still just its host vNIC" \
	"$(ip -n "$(sn_ns h)" -o link show | awk -F': ' '{ print $2 }' |
	   sort)" "$hlinks_before"
sn_expect_eq "status: unsaved_changes" \
	"$(sn_status_field unsaved_changes)" 0
sn_check "synthnetd still answers" sn_daemon_alive
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
