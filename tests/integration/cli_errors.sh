#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cli_errors: synthctl's errors.  Unknown switch or VM, duplicate switch
# name, bad MAC addresses, bad switch/VM names, unknown commands and a
# daemon that is not running each give exactly one line on stderr, nothing
# on stdout and the documented exit status (1 error, 2 usage error); with
# --json the error is a JSON object.  `switch list` and `adapter list` are
# unchanged afterwards.

. "$(dirname "$0")/lib.sh"
sn_init cli_errors

sn_daemon_start
sn_ctl switch create sw1 --type private --notes "first" >/dev/null ||
	sn_fatal "switch create sw1"
sn_ctl switch create sw2 --type private >/dev/null ||
	sn_fatal "switch create sw2"
sn_ctl adapter add vm1 --switch sw1 >/dev/null || sn_fatal "adapter add vm1"
sn_ctl adapter add vm2 --switch sw2 --mac 00:15:5d:00:aa:02 >/dev/null ||
	sn_fatal "adapter add vm2"
sw_before=$(sn_ctl_json switch list) || sn_fatal "switch list"
ad_before=$(sn_ctl_json adapter list) || sn_fatal "adapter list"
swt_before=$(sn_ctl switch list)
adt_before=$(sn_ctl adapter list)

# expect_err DESC STATUS SOCKET ARGS...: synthctl ARGS on SOCKET exits
# with STATUS, prints nothing on stdout and exactly one line on stderr.
expect_err()
{
	local desc=$1 want=$2 sock=$3 rc out err nl
	shift 3

	out=$(sn_timeout 10 "$SN_SYNTHCTL" --socket "$sock" "$@" \
		2>"$SN_TMP/err.txt")
	rc=$?
	err=$(cat "$SN_TMP/err.txt")
	nl=$(wc -l <"$SN_TMP/err.txt")
	if [ "$rc" == "$want" ] && [ -z "$out" ] && [ "$nl" == 1 ] &&
	   [ -n "$err" ]; then
		sn_ok "$desc: status $rc, one line on stderr: $err"
		return 0
	fi
	sn_not_ok "$desc: status $rc (want $want), stdout ${#out} bytes" \
		"(want 0), stderr $nl lines (want 1)"
	sed 's/^/#   stdout: /' <<<"$out"
	sed 's/^/#   stderr: /' "$SN_TMP/err.txt"
	return 1
}

S=$SN_CTL_SOCK
long32=$(printf 'a%.0s' {1..32})
long64=$(printf 'v%.0s' {1..64})

# Unknown objects.
expect_err "switch show of an unknown switch" 1 "$S" switch show nosuch
expect_err "switch delete of an unknown switch" 1 "$S" switch delete nosuch
expect_err "fdb show of an unknown switch" 1 "$S" fdb show nosuch
expect_err "adapter add to an unknown switch" 1 "$S" \
	adapter add vm9 --switch nosuch
expect_err "adapter list of an unknown switch" 1 "$S" \
	adapter list --switch nosuch
expect_err "adapter stats of an unknown VM" 1 "$S" adapter stats nosuchvm
expect_err "adapter remove of an unknown VM" 1 "$S" adapter remove nosuchvm

# Duplicates.
expect_err "duplicate switch name" 1 "$S" switch create sw1 --type private
expect_err "duplicate adapter (same VM, same NIC name)" 1 "$S" \
	adapter add vm1 --switch sw1
expect_err "static MAC already used on the same switch" 1 "$S" \
	adapter add dup3 --switch sw2 --mac 00:15:5d:00:aa:02

# Bad MAC addresses.
expect_err "MAC with a non-hex digit" 1 "$S" \
	adapter add mac1 --switch sw1 --mac 00:15:5d:zz:00:01
expect_err "MAC too short" 1 "$S" \
	adapter add mac2 --switch sw1 --mac 00:15:5d:00:00
expect_err "MAC too long" 1 "$S" \
	adapter add mac3 --switch sw1 --mac 00:15:5d:00:00:01:02
expect_err "multicast MAC" 1 "$S" \
	adapter add mac4 --switch sw1 --mac 01:00:5e:00:00:01
expect_err "broadcast MAC" 1 "$S" \
	adapter add mac5 --switch sw1 --mac ff:ff:ff:ff:ff:ff
expect_err "all-zero MAC" 1 "$S" \
	adapter add mac6 --switch sw1 --mac 00:00:00:00:00:00
expect_err "empty MAC" 1 "$S" adapter add mac7 --switch sw1 --mac ""

# Bad names.
expect_err "switch name with a space" 1 "$S" \
	switch create "sw 3" --type private
expect_err "switch name with a slash" 1 "$S" \
	switch create "sw/3" --type private
expect_err "empty switch name" 1 "$S" switch create "" --type private
expect_err "switch name of 32 characters" 1 "$S" \
	switch create "$long32" --type private
expect_err "VM name of 64 characters" 1 "$S" \
	adapter add "$long64" --switch sw1
expect_err "VM name with a semicolon" 1 "$S" adapter add 'v;m' --switch sw1
expect_err "empty VM name" 1 "$S" adapter add "" --switch sw1
expect_err "empty NIC name" 1 "$S" adapter add nic1 --switch sw1 --name ""
expect_err "NIC name of 32 characters" 1 "$S" \
	adapter add nic2 --switch sw1 --name "$long32"
expect_err "NIC name with a newline" 1 "$S" \
	adapter add nic3 --switch sw1 --name $'e\n0'

# Unknown commands (usage errors).
expect_err "unknown command" 2 "$S" frobnicate
expect_err "unknown switch subcommand" 2 "$S" switch frob
expect_err "unknown adapter subcommand" 2 "$S" adapter frob sw1

# Daemon not running: no such socket, and a stale socket nobody listens on.
expect_err "socket path that does not exist" 1 \
	"$SN_TMP/nonexistent/ctl.sock" status
expect_err "socket path that does not exist (switch list)" 1 \
	"$SN_TMP/nonexistent/ctl.sock" switch list
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.close()
' "$SN_TMP/stale.sock"
expect_err "stale socket without a daemon" 1 "$SN_TMP/stale.sock" status

# --json: the error as a JSON object, non-zero status.
out=$(sn_ctl_json switch show nosuch 2>/dev/null)
rc=$?
sn_expect_eq "--json unknown switch: status" "$rc" 1
sn_check "--json unknown switch: JSON with an error text" \
	test "$(sn_jpy 'bool(j.get("error"))' <<<"$out" 2>/dev/null)" == true

# Nothing changed.
same_text()
{
	if [ "$2" == "$3" ]; then
		sn_ok "$1"
		return 0
	fi
	sn_not_ok "$1"
	diff <(echo "$3") <(echo "$2") | sed 's/^/#   /'
	return 1
}
same_text "switch list (JSON) unchanged" "$(sn_ctl_json switch list)" \
	"$sw_before"
same_text "adapter list (JSON) unchanged" "$(sn_ctl_json adapter list)" \
	"$ad_before"
same_text "switch list (text) unchanged" "$(sn_ctl switch list)" \
	"$swt_before"
same_text "adapter list (text) unchanged" "$(sn_ctl adapter list)" \
	"$adt_before"
sn_expect_eq "still 2 switches" \
	"$(sn_ctl_json switch list | sn_jpy 'len(j)')" 2
sn_expect_eq "still 2 adapters" \
	"$(sn_ctl_json adapter list | sn_jpy 'len(j)')" 2
sn_check "synthnetd still answers" sn_daemon_alive
sn_done
