#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sw_persist: the configuration survives `kill -9` of synthnetd, and a
# damaged configuration file stops the start without being touched.
#
#   - three switches (private with notes and MAC table settings,
#     internal with a host vNIC in netns h, external on a veth uplink)
#     and four adapters with a static MAC, VLANs (access, trunk), guards,
#     mirroring and limits; vm1 and vm2 attached (synthguest keeps its TAP
#     and re-attaches by itself);
#   - kill -9, restart with the same --state-dir: `switch list --json`
#     and `adapter list --json` are identical, every `adapter show`
#     too; vm1 and vm2 are up again with the same synthguest processes
#     and ping each other; the host vNIC is back in h with its address and
#     reaches vm3 on the internal switch; config.json was not rewritten;
#   - config.json replaced by garbage, cut in half, or with a VLAN id
#     4095: synthnetd exits with status 78, says which file, and the file
#     is byte for byte what it was (sha256); nothing answers on the
#     control socket;
#   - the uplink of the saved external switch is gone: synthnetd does not
#     start, leaves no host vNIC behind, the file is untouched;
#   - the good file back (and the uplink): synthnetd starts with the same
#     configuration.

. "$(dirname "$0")/lib.sh"
sn_init sw_persist
sn_daemon_start
CFG=$SN_TMP/state/config.json

sn_netns_noipv6 lan
sn_veth u0 lan lan0
uplink_if=$SN_LAST_LINK
sn_netns h
sn_ctl switch create lab --type private --notes "test bench" \
	--mac-aging 600 --mac-limit 4096 >/dev/null || sn_fatal "switch lab"
sn_ctl switch create hostnet --type internal --host-ip 10.98.1.1/24 \
	--host-ip fd98::1/64 --host-netns "$(sn_ns h)" >/dev/null ||
	sn_fatal "switch hostnet"
sn_ctl switch create wan --type external \
	--uplink "net_af_packet48,iface=$uplink_if" >/dev/null ||
	sn_fatal "switch wan"
sn_ctl adapter add vm1 --switch lab >/dev/null || sn_fatal "adapter vm1"
sn_ctl adapter add vm2 --switch lab --mac 00:15:5d:00:10:02 >/dev/null ||
	sn_fatal "adapter vm2"
sn_ctl adapter add vm3 --switch hostnet >/dev/null || sn_fatal "adapter vm3"
sn_ctl adapter add vm4 --switch wan --name uplink0 >/dev/null ||
	sn_fatal "adapter vm4"
sn_ctl adapter set vm1 --vlan-access 10 --dhcp-guard on --router-guard on \
	--mirror source >/dev/null || sn_fatal "adapter set vm1"
sn_ctl adapter set vm2 --vlan-access 10 --mac-spoofing on \
	--max-bandwidth 100M --storm-limit 1k >/dev/null ||
	sn_fatal "adapter set vm2"
sn_ctl adapter set vm4 --name uplink0 --vlan-trunk 10,20,30-40 \
	--native 10 --mirror destination >/dev/null ||
	sn_fatal "adapter set vm4"
sn_check "config.json written" test -s "$CFG" || sn_fatal "no config.json"

sn_netns_noipv6 a
sn_netns_noipv6 b
sn_check "vm1 attaches in netns a" sn_guest_netns vm1 a 10.98.0.1/24 ||
	sn_fatal "vm1 attach"
sn_check "vm2 attaches in netns b" sn_guest_netns vm2 b 10.98.0.2/24 ||
	sn_fatal "vm2 attach"
sn_check "vm3 attaches in netns c (internal switch)" \
	sn_guest_netns vm3 c 10.98.1.3/24 || sn_fatal "vm3 attach"
sn_check "first ping vm1 -> vm2" sn_ping_retry a 10.98.0.2 ||
	sn_fatal "no connectivity vm1 -> vm2"
sn_check "first ping host vNIC -> vm3" sn_ping_retry h 10.98.1.3

snapshot()
{
	local vm

	sn_ctl_json switch list || return 1
	sn_ctl_json adapter list || return 1
	for vm in vm1 vm2 vm3; do
		sn_ctl_json adapter show $vm || return 1
	done
	sn_ctl_json adapter show vm4 --name uplink0 || return 1
	sn_ctl_json switch show lab || return 1
}
# The same without the connection states (those come back with the guests).
stateless()
{
	python3 -c '
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != "state"}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
dec = json.JSONDecoder()
s, i = sys.stdin.read(), 0
while True:
    while i < len(s) and s[i].isspace():
        i += 1
    if i >= len(s):
        break
    v, i = dec.raw_decode(s, i)
    print(json.dumps(strip(v), sort_keys=True))
'
}
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
before=$(snapshot) || sn_fatal "snapshot"
sha_before=$(sha256sum <"$CFG" | cut -d' ' -f1)
pid1=${SN_GUEST_PID[vm1]} pid2=${SN_GUEST_PID[vm2]} pid3=${SN_GUEST_PID[vm3]}

# --- kill -9 and restart -----------------------------------------------------
sn_stop "$SN_DAEMON_PID" KILL 5
sn_expect_eq "synthnetd killed with SIGKILL (status)" "$?" 137
SN_DAEMON_PID=""
sn_check "vm1's and vm2's synthguests keep running without the daemon" \
	eval 'sleep 1; sn_alive '"$pid1"' && sn_alive '"$pid2"
sn_check "vm1's eth0 kept, carrier off" \
	sn_wait_until 5 eval '[ "$(ip netns exec "$(sn_ns a)" \
		cat /sys/class/net/eth0/carrier 2>/dev/null)" == 0 ]'
sn_daemon_start
sn_expect_eq "config.json not rewritten by the restart" \
	"$(sha256sum <"$CFG" | cut -d' ' -f1)" "$sha_before"
up()
{
	[ "$(sn_adapter_state "$1")" == up ]
}
sn_check "vm1 re-attached by itself (15 s)" sn_wait_until 15 up vm1
sn_check "vm2 re-attached by itself (15 s)" sn_wait_until 15 up vm2
sn_check "vm3 re-attached by itself (15 s)" sn_wait_until 15 up vm3
after=$(snapshot) || sn_fatal "snapshot after restart"
same "configuration without connection states identical after kill -9" \
	"$(stateless <<<"$after")" "$(stateless <<<"$before")"
same "switch list, adapter list and adapter show identical (JSON)" \
	"$after" "$before"
sn_check "same synthguest processes (none restarted)" \
	eval 'sn_alive '"$pid1"' && sn_alive '"$pid2"' && sn_alive '"$pid3"
sn_check "vm1 -> vm2 after the restart" sn_ping_retry a 10.98.0.2
sn_check "vm1 -> vm2: 20 pings, 0% loss" sn_ping a 10.98.0.2 20
sn_check "host vNIC back in netns h with 10.98.1.1/24" \
	sn_wait_until 5 eval 'ip -n "$(sn_ns h)" -o addr show dev vsw-hostnet |
		grep -q "inet 10.98.1.1/24"'
sn_check "host vNIC -> vm3 after the restart" sn_ping_retry h 10.98.1.3
sn_expect_eq "status: unsaved_changes" \
	"$(sn_status_field unsaved_changes)" 0

# --- damaged files -----------------------------------------------------------
sn_check "synthnetd stops (SIGTERM, status 0)" sn_daemon_stop
cp -p "$CFG" "$SN_TMP/config.good"
good_sha=$(sha256sum <"$CFG" | cut -d' ' -f1)
sn_expect_eq "a clean stop leaves config.json as it was" "$good_sha" \
	"$sha_before"

# refused NAME WANT_STATUS: start synthnetd on the current file; it must
# exit (15 s) with WANT_STATUS ('nonzero': any but 0), name the file,
# leave it unchanged and answer nothing.
refused()
{
	local name=$1 want=$2 pid rc sha log

	log=$SN_TMP/refused-$name.log
	sha=$(sha256sum <"$CFG" 2>/dev/null | cut -d' ' -f1)
	sn_daemon_cmd
	sn_spawn "$log" "${SN_DAEMON_CMD[@]}"
	pid=$SN_LAST_PID
	sn_wait_until 15 eval '! sn_alive '"$pid"
	if sn_alive "$pid"; then
		sn_stop "$pid" TERM 5
		sn_not_ok "$name: synthnetd started anyway"
		return 1
	fi
	wait "$pid"
	rc=$?
	if [ "$want" == nonzero ]; then
		[ "$rc" -ne 0 ]
	else
		[ "$rc" == "$want" ]
	fi
	sn_check "$name: synthnetd refuses to start (status $rc, want $want)" \
		test $? == 0
	sn_diag "$name: $(grep -F "$CFG" "$log" | head -2)"
	sn_check "$name: the message names $CFG" grep -qF "$CFG" "$log" ||
		sed 's/^/#   /' "$log"
	sn_expect_eq "$name: the file is untouched (sha256)" \
		"$(sha256sum <"$CFG" 2>/dev/null | cut -d' ' -f1)" "$sha"
	sn_check "$name: no config.json.tmp left" \
		test ! -e "$CFG.tmp"
	sn_check "$name: nothing answers on the control socket" \
		eval '! sn_ctl status >/dev/null 2>&1'
}

printf 'this is not a configuration {\n' >"$CFG"
refused "garbage" 78
head -c $(( $(stat -c %s "$SN_TMP/config.good") / 2 )) "$SN_TMP/config.good" \
	>"$CFG"
refused "cut in half" 78
python3 - "$SN_TMP/config.good" "$CFG" <<'EOF' || sn_fatal "bad VLAN file"
import json, sys
j = json.load(open(sys.argv[1]))
for a in j["adapters"]:
    if a["vm"] == "vm2":
        a["policy"]["access_vlan"] = 4095
json.dump(j, open(sys.argv[2], "w"), indent=2)
EOF
refused "VLAN id 4095 in vm2's policy" 78
sn_check "the VLAN message names the place (vm2, 4095)" \
	grep -q "vm2.*4095" "$SN_TMP/refused-VLAN id 4095 in vm2's policy.log"

# The uplink of the external switch is gone.
cp -p "$SN_TMP/config.good" "$CFG"
ip link del dev "$uplink_if" || sn_fatal "ip link del $uplink_if"
refused "uplink gone" nonzero
sn_check "uplink gone: no host vNIC left behind in netns h" \
	eval '! ip -n "$(sn_ns h)" link show dev vsw-hostnet >/dev/null 2>&1'

# All good again.
sn_veth u0 lan lan0
sn_daemon_start
sn_check "vm1 re-attached again (15 s)" sn_wait_until 15 up vm1
sn_check "vm2 re-attached again (15 s)" sn_wait_until 15 up vm2
sn_check "vm3 re-attached again (15 s)" sn_wait_until 15 up vm3
same "good file back: the same configuration" "$(snapshot)" "$before"
sn_check "vm1 -> vm2 at the end" sn_ping_retry a 10.98.0.2
sn_check "synthnetd exits on SIGTERM with status 0" sn_daemon_stop
sn_done
