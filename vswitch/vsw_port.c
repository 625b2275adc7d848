/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vsw_port.c - port initialisation and counter snapshots.  See vsw_port.h.
 */
#include <errno.h>
#include <string.h>

#include "vsw_port.h"

int
vsw_port_init(struct vsw_port *port, const struct vsw_port_ops *ops,
	      const char *name, const struct rte_ether_addr *mac,
	      uint16_t mtu, void *priv)
{
	size_t len;

	if (port == NULL || ops == NULL || name == NULL ||
	    ops->kind == NULL || ops->rx_burst == NULL ||
	    ops->tx_burst == NULL || ops->destroy == NULL) {
		return -EINVAL;
	}
	len = strnlen(name, VSW_PORT_NAME_MAX);
	if (len == 0 || len >= VSW_PORT_NAME_MAX) {
		return -EINVAL;
	}
	memset(port, 0, sizeof(*port));
	port->ops = ops;
	port->priv = priv;
	port->sw = NULL;
	port->id = VSW_PORT_ID_NONE;
	port->mtu = mtu != 0 ? mtu : VSW_PORT_DEFAULT_MTU;
	port->link_up = false;
	if (mac != NULL) {
		rte_ether_addr_copy(mac, &port->mac);
	}
	memcpy(port->name, name, len + 1);
	return 0;
}

void
vsw_port_stats_read(const struct vsw_port *port, struct vsw_port_stats *out)
{
	const struct vsw_port_stats *s;
	unsigned int r;

	if (port == NULL || out == NULL) {
		return;
	}
	s = &port->stats;
	out->rx_packets = vsw_stat_read(&s->rx_packets);
	out->rx_bytes = vsw_stat_read(&s->rx_bytes);
	out->tx_packets = vsw_stat_read(&s->tx_packets);
	out->tx_bytes = vsw_stat_read(&s->tx_bytes);
	for (r = 0; r < VSW_DROP_MAX; r++) {
		out->drops[r] = vsw_stat_read(&s->drops[r]);
	}
}

uint64_t
vsw_port_drops_total(const struct vsw_port *port)
{
	uint64_t sum = 0;
	unsigned int r;

	if (port == NULL) {
		return 0;
	}
	for (r = 0; r < VSW_DROP_MAX; r++) {
		sum += vsw_stat_read(&port->stats.drops[r]);
	}
	return sum;
}
