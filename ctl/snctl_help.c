/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snctl_help.c - the synthctl command reference (snctl_help.h).
 */
#include <errno.h>
#include <string.h>

#include "sn_wire.h"
#include "snctl_help.h"
#include "snctl_proto.h"

static const struct snctl_help snctl_help_cmds[] = {
	{ "switch create",
	  "NAME --type private|internal|external [--notes TEXT] "
	  "[--host-ip CIDR]... [--host-netns NS] [--uplink DEVARGS] "
	  "[--allow-management-os] [--mac-aging SECONDS] [--mac-limit N]",
	  "create a virtual switch: private (VMs only), internal (VMs and a "
	  "host vNIC) or external (VMs and an uplink)" },
	{ "switch set",
	  "NAME [--type private|internal|external] [--notes TEXT] "
	  "[--uplink DEVARGS] [--allow-management-os on|off] "
	  "[--host-ip CIDR|none]... [--host-netns NS] [--mac-aging SECONDS] "
	  "[--mac-limit N]",
	  "change a switch: convert its type, uplink, host vNIC, notes, MAC "
	  "table" },
	{ "switch list", "",
	  "list the virtual switches" },
	{ "switch show", "NAME",
	  "show one switch and its network adapters" },
	{ "switch delete", "NAME [--force]",
	  "delete a switch (--force also removes its adapters)" },
	{ "adapter add", "VM --switch NAME [--name NIC] [--mac MAC]",
	  "connect VM to a switch with a new network adapter "
	  "(default eth0, dynamic MAC)" },
	{ "adapter set",
	  "VM [--name NIC] [--vlan-access ID | --vlan-trunk LIST "
	  "[--native ID] | --untagged] [--mac MAC | --mac-dynamic] "
	  "[--mac-spoofing on|off] [--dhcp-guard on|off] "
	  "[--router-guard on|off] [--mirror none|source|destination] "
	  "[--max-bandwidth BITS_PER_S] [--storm-limit PPS]",
	  "change an adapter's VLAN, MAC, guards, mirroring and limits" },
	{ "adapter connect", "VM [--name NIC] --switch NAME",
	  "move a VM's network adapter to another switch" },
	{ "adapter remove", "VM [--name NIC]",
	  "remove a VM's network adapter" },
	{ "adapter list", "[--switch NAME] [--vm VM]",
	  "list network adapters" },
	{ "adapter show", "VM [--name NIC]",
	  "show one network adapter with its policy" },
	{ "adapter stats", "VM [--name NIC]",
	  "packet, byte and drop counters of a VM's adapters" },
	{ "capture start",
	  "(--switch NAME | --adapter VM[:NIC] | --uplink SWITCH) "
	  "[--direction in|out|both] [--filter \"BPF\"] [--snaplen N] "
	  "[--count N] [--duration SECONDS] [--drops] "
	  "[--ring FILES --size MB] [--follow] -w FILE.pcapng|-",
	  "capture the frames of a switch, an adapter or an uplink as pcapng "
	  "(-w -: to standard output, until the capture ends); prints the "
	  "capture id" },
	{ "capture list", "",
	  "list the captures, running and recently ended" },
	{ "capture show", "ID",
	  "one capture: status, packets, bytes, filtered out, lost, files" },
	{ "capture stop", "ID",
	  "stop a capture (its file is complete when the command returns)" },
	{ "fdb show", "NAME",
	  "the MAC forwarding table of a switch" },
	{ "status", "",
	  "daemon status: pid, uptime, lcores, connections, mbufs" },
	{ "help", "",
	  "this help" },
};

const struct snctl_help *
snctl_help_table(size_t *n)
{
	if (n != NULL) {
		*n = SN_ARRAY_SIZE(snctl_help_cmds);
	}
	return snctl_help_cmds;
}

const struct snctl_help *
snctl_help_find(const char *cmd)
{
	size_t i;

	if (cmd == NULL) {
		return NULL;
	}
	for (i = 0; i < SN_ARRAY_SIZE(snctl_help_cmds); i++) {
		if (strcmp(snctl_help_cmds[i].cmd, cmd) == 0) {
			return &snctl_help_cmds[i];
		}
	}
	return NULL;
}

int
snctl_help_usage(const struct snctl_help *h, struct snctl_out *out)
{
	if (h == NULL || out == NULL) {
		return -EINVAL;
	}
	return snctl_out_printf(out, "usage: synthctl %s%s%s\n", h->cmd,
				h->args[0] != '\0' ? " " : "", h->args);
}

int
snctl_help_render(struct snctl_out *out)
{
	size_t i;

	if (out == NULL) {
		return -EINVAL;
	}
	snctl_out_puts(out,
		       "usage: synthctl [--socket PATH] [--json] COMMAND "
		       "[ARGS]\n\n"
		       "Configure and inspect synthnetd, the synthetic "
		       "network switch daemon.\n\ncommands:\n");
	for (i = 0; i < SN_ARRAY_SIZE(snctl_help_cmds); i++) {
		const struct snctl_help *h = &snctl_help_cmds[i];

		snctl_out_printf(out, "  %s%s%s\n      %s\n", h->cmd,
				 h->args[0] != '\0' ? " " : "", h->args,
				 h->summary);
	}
	snctl_out_printf(out,
			 "\noptions:\n"
			 "  --json         answer in JSON (before or after the "
			 "command)\n"
			 "  --socket PATH  control socket (before the command);"
			 " default $%s,\n"
			 "                 else %s\n"
			 "  -h, --help     this help; after a command: its "
			 "usage\n\n"
			 "Names: switches 1-31 and VMs 1-63 characters from "
			 "A-Z a-z 0-9 . _ -;\n"
			 "MAC addresses as 00:15:5d:00:10:01, "
			 "00-15-5D-00-10-01 or 00155D001001.\n"
			 "VLAN ids 1-4094; VLAN lists like 10,20,30-40. "
			 "Rates take k, M, G (x1000).\n"
			 "Captures: BPF filters as tcpdump takes them; "
			 "synthctl opens -w FILE itself (your\n"
			 "permissions apply); --follow shows a live line "
			 "and Ctrl-C stops the capture.\n"
			 "Exit status: 0 ok, 1 error, 2 usage error.\n",
			 SNCTL_ENV_PATH, SNCTL_DEFAULT_PATH);
	return out->overflow ? -ENOSPC : 0;
}
