/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_switch_int.h - internal interface between the files of the vswitch
 * library (vsw_policy.c tells vsw_switch.c about policy changes).  Not
 * for other modules.
 */
#ifndef VSW_SWITCH_INT_H
#define VSW_SWITCH_INT_H

#include <stdbool.h>

#include "vsw_port.h"

/*
 * The policy state of attached port `port` of sw was replaced (port->policy
 * already holds the new one): rebuild the mirror-destination list and, if
 * vlans_changed, forget the port's FDB entries (they may belong to VLANs
 * the port left).  Serving lcore only.
 */
void
vsw_switch_policy_changed(struct vsw_switch *sw, struct vsw_port *port,
			  bool vlans_changed);

#endif /* VSW_SWITCH_INT_H */
