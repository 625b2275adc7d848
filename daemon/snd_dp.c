/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snd_dp.c - the data-plane side of the model's hooks and of the vmbus
 * server's callbacks (see snd_dp.h).
 *
 * Lifetimes:
 *  - snd_switch.dp is the vsw_switch; the lcore owns it once added.
 *  - snd_adapter.dp is a struct snd_nic: the adapter's runtime state.  A
 *    nic is freed with its adapter, except when the adapter is removed
 *    while its channel is offered: the connection still holds the nic as
 *    the offer's cookie until it releases the relid, so the nic is orphaned
 *    (ad = NULL) and freed in channel_released.
 *  - the netvsc port is owned by the switch from snd_lcore_add_port until
 *    snd_lcore_del_port destroys it (channel close, rescind, disconnect).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "snd_capture.h"
#include "snd_dp.h"
#include "snd_dp_priv.h"
#include "snd_state.h"
#include "snd_lcore.h"
#include "snd_model.h"
#include "snd_netvsc_port.h"
#include "nvsp_host.h"
#include "snd_vmbus.h"
#include "vmb_host.h"
#include "vsw_switch.h"

#define SND_LINK_SPEED_BPS 10000000000ull
#define SND_DEFAULT_MTU 1500

static void
snd_stats_add(struct vsw_port_stats *acc, const struct vsw_port_stats *s)
{
	unsigned int i;

	acc->rx_packets += s->rx_packets;
	acc->rx_bytes += s->rx_bytes;
	acc->tx_packets += s->tx_packets;
	acc->tx_bytes += s->tx_bytes;
	for (i = 0; i < VSW_DROP_MAX; i++) {
		acc->drops[i] += s->drops[i];
	}
}

/* ---- lcore calls ---------------------------------------------------- */

static int
snd_call_del_port(struct snd_lcore *lc, void *arg)
{
	struct snd_nic *nic = arg;
	struct vsw_port_stats st;

	vsw_port_stats_read(nic->port, &st);
	snd_stats_add(&nic->base, &st);
	snd_netvsc_port_errors(nic->port, nic->err_base);
	return snd_lcore_del_port(lc, nic->sdp->vsw, (uint16_t)nic->port_id);
}

struct snd_fdb_snap {
	uint8_t mac[6];
	uint16_t vlan;
	uint32_t age_s;
	bool is_static;
	char port[VSW_PORT_NAME_MAX];
};

struct snd_fdb_req {
	struct vsw_switch *vsw;
	struct snd_fdb_snap *e;
	size_t n, cap;
};

static int
snd_call_fdb_snapshot(struct snd_lcore *lc, void *arg)
{
	struct snd_fdb_req *rq = arg;
	struct vsw_fdb *fdb = vsw_switch_fdb(rq->vsw);
	struct vsw_fdb_entry ent;
	struct vsw_port *port;
	uint64_t now = snd_now_ns();
	uint32_t cursor = 0;
	struct snd_fdb_snap *s;

	(void)lc;
	while (rq->n < rq->cap && vsw_fdb_next(fdb, &cursor, now, &ent)) {
		s = &rq->e[rq->n++];
		memcpy(s->mac, ent.mac, 6);
		s->vlan = ent.vlan;
		s->is_static = ent.is_static;
		s->age_s = (uint32_t)(ent.age / 1000000000ull);
		port = vsw_switch_port(rq->vsw, ent.port);
		snprintf(s->port, sizeof(s->port), "%s",
			 port != NULL ? port->name : "?");
	}
	return 0;
}

/* ---- model hooks ---------------------------------------------------- */

static void
snd_nic_offer(struct snd_nic *nic, struct vmb_host_offer *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->if_instance, nic->ad->instance, sizeof(o->if_instance));
	o->relid = nic->ad->relid;
	o->sub_channel_index = 0;
	snprintf(o->nic_name, sizeof(o->nic_name), "%s", nic->ad->nic);
	o->cookie = nic;
}

static int
snd_hook_adapter_add(void *ctx, struct snd_adapter *ad, char *err,
		     size_t errlen)
{
	struct snd_daemon *d = ctx;
	struct vmb_host_offer o;
	struct snd_nic *nic;
	struct snd_conn *c;
	int ret;

	nic = calloc(1, sizeof(*nic));
	if (nic == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	nic->d = d;
	nic->ad = ad;
	nic->sdp = ad->sw->dp;
	nic->port_id = -1;
	ad->dp = nic;
	c = snd_vmbus_find_vm(d, ad->vm);
	if (c != NULL) {
		/* hot add: offer now; -EAGAIN = guest has not asked yet */
		snd_nic_offer(nic, &o);
		ret = vmb_host_conn_offer(c->conn, &o);
		if (ret == 0) {
			nic->conn = c;
			nic->holders++;
		} else if (ret != -EAGAIN) {
			RTE_LOG(WARNING, USER1, "offer to VM '%s': %s\n",
				ad->vm, strerror(-ret));
		}
	}
	return 0;
}

static void
snd_hook_adapter_remove(void *ctx, struct snd_adapter *ad)
{
	struct snd_nic *nic = ad->dp;

	(void)ctx;
	if (nic == NULL) {
		return;
	}
	ad->dp = NULL;
	if (nic->conn != NULL &&
	    vmb_host_conn_rescind(nic->conn->conn, ad->relid) == 0) {
		/* channel_close ran; the cookie lives until released */
		nic->ad = NULL;
		return;
	}
	if (nic->port != NULL) {
		snd_dp_channel_close(nic->conn, nic);
	}
	if (nic->holders != 0) {
		nic->ad = NULL; /* a connection still holds it: freed when
				 * it releases the relid */
		return;
	}
	free(nic);
}

/* New policy for an open port: swapped in on its lcore. */
struct snd_policy_call {
	struct vsw_port *port;
	struct vsw_policy *pol;
};

static int
snd_call_policy(struct snd_lcore *lc, void *arg)
{
	struct snd_policy_call *c = arg;

	(void)lc;
	snd_netvsc_port_set_spoofing(c->port,
				     vsw_policy_cfg_of(c->pol)->mac_spoofing);
	c->pol = vsw_policy_apply(c->port, c->pol);
	return 0;
}

static int
snd_hook_adapter_set(void *ctx, struct snd_adapter *ad,
		     const struct vsw_policy_cfg *policy, const uint8_t *mac,
		     char *err, size_t errlen)
{
	struct snd_nic *nic = ad->dp;
	struct vsw_policy_params params = {
		.trusted = false,
		.socket_id = SOCKET_ID_ANY,
	};
	struct snd_policy_call c;

	(void)ctx;
	if (nic == NULL || nic->port == NULL) {
		return 0; /* applied when the guest opens the channel */
	}
	if (mac != NULL) {
		snprintf(err, errlen, "the MAC of %s/%s cannot change while "
			 "the VM uses the adapter (the guest learned it at "
			 "attach): stop the VM first", ad->vm, ad->nic);
		return -EBUSY;
	}
	params.max_pkt_len = (uint32_t)nic->port->mtu + 18;
	c.port = nic->port;
	c.pol = vsw_policy_create(policy, &params);
	if (c.pol == NULL) {
		snprintf(err, errlen, "cannot build the policy: %s",
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	snd_lcore_call(nic->sdp->lc, snd_call_policy, &c);
	vsw_policy_free(c.pol); /* the old one */
	return 0;
}

struct snd_move_call {
	struct snd_nic *nic;
	struct vsw_port *port;
};

static int
snd_call_detach(struct snd_lcore *lc, void *arg)
{
	struct snd_move_call *c = arg;

	c->port = snd_lcore_detach_port(lc, c->nic->sdp->vsw,
					(uint16_t)c->nic->port_id);
	return c->port != NULL ? 0 : -ENOENT;
}

static int
snd_call_attach(struct snd_lcore *lc, void *arg)
{
	struct snd_move_call *c = arg;

	return snd_lcore_add_port(lc, c->nic->sdp->vsw, c->port);
}

static int
snd_hook_adapter_connect(void *ctx, struct snd_adapter *ad,
			 struct snd_switch *from, struct snd_switch *to,
			 char *err, size_t errlen)
{
	struct snd_nic *nic = ad->dp;
	struct snd_swdp *old = from->dp;
	struct snd_move_call c = { .nic = nic };
	int ret;

	(void)ctx;
	if (nic == NULL) {
		return 0;
	}
	if (nic->port == NULL) {
		nic->sdp = to->dp;
		return 0;
	}
	/* the port keeps its policy, counters and channel */
	ret = snd_lcore_call(old->lc, snd_call_detach, &c);
	if (ret < 0) {
		snprintf(err, errlen, "cannot detach %s/%s from %s: %s",
			 ad->vm, ad->nic, from->name, strerror(-ret));
		return ret;
	}
	nic->sdp = to->dp;
	ret = snd_lcore_call(nic->sdp->lc, snd_call_attach, &c);
	if (ret < 0) {
		snprintf(err, errlen, "cannot attach %s/%s to %s: %s",
			 ad->vm, ad->nic, to->name, strerror(-ret));
		nic->sdp = old;
		ret = snd_lcore_call(old->lc, snd_call_attach, &c);
		nic->port_id = ret;
		return -EIO;
	}
	nic->port_id = ret;
	snd_netvsc_port_set_link(nic->port, snd_swdp_guest_link(nic->sdp));
	return 0;
}

static int
snd_hook_save(void *ctx, char *err, size_t errlen)
{
	struct snd_daemon *d = ctx;

	if (d->state_dir[0] == '\0') {
		return 0; /* --state-dir none: nothing persisted */
	}
	return snd_state_save(d->model, d->state_dir, err, errlen);
}

static int
snd_hook_adapter_stats(void *ctx, const struct snd_adapter *ad,
		       struct snd_port_stats *out)
{
	struct snd_nic *nic = ad->dp;
	struct vsw_port_stats st, now;
	uint64_t err[NVSP_HOST_ERR_MAX];
	unsigned int i;

	(void)ctx;
	if (nic == NULL) {
		return -ENODATA;
	}
	st = nic->base;
	memcpy(err, nic->err_base, sizeof(err));
	if (nic->port != NULL) {
		vsw_port_stats_read(nic->port, &now);
		snd_stats_add(&st, &now);
		snd_netvsc_port_errors(nic->port, err);
	}
	out->rx_packets = st.rx_packets;
	out->rx_bytes = st.rx_bytes;
	out->tx_packets = st.tx_packets;
	out->tx_bytes = st.tx_bytes;
	out->n_drops = 0;
	for (i = 0; i < VSW_DROP_MAX && i < SND_DROP_NAMES_MAX; i++) {
		out->drops[out->n_drops].name = vsw_drop_name(i);
		out->drops[out->n_drops].count = st.drops[i];
		out->n_drops++;
	}
	out->n_proto = 0;
	for (i = 0; i < NVSP_HOST_ERR_MAX && i < SND_DROP_NAMES_MAX; i++) {
		out->proto[out->n_proto].name = nvsp_host_err_name(i);
		out->proto[out->n_proto].count = err[i];
		out->n_proto++;
	}
	return 0;
}

static const char *
snd_hook_adapter_state(void *ctx, const struct snd_adapter *ad)
{
	struct snd_nic *nic = ad->dp;

	(void)ctx;
	if (nic == NULL) {
		return "not-connected";
	}
	if (nic->conn == NULL) {
		return snd_vmbus_find_vm(nic->d, ad->vm) != NULL ?
			"not-offered" : "not-connected";
	}
	if (nic->port != NULL) {
		return nic->port->link_up ? "up" : "open";
	}
	return nic->was_open ? "closed" : "offered";
}

static int
snd_hook_fdb_dump(void *ctx, const struct snd_switch *sw, snd_fdb_fn cb,
		  void *arg)
{
	struct snd_swdp *sdp = sw->dp;
	struct snd_fdb_req rq = { .vsw = sdp->vsw };

	size_t i;
	int ret = 0;

	(void)ctx;
	rq.cap = vsw_fdb_max_entries(vsw_switch_fdb(rq.vsw));
	rq.e = calloc(rq.cap ? rq.cap : 1, sizeof(*rq.e));
	if (rq.e == NULL) {
		return -ENOMEM;
	}
	snd_lcore_call(sdp->lc, snd_call_fdb_snapshot, &rq);
	for (i = 0; i < rq.n && ret == 0; i++) {
		ret = cb(arg, rq.e[i].mac, rq.e[i].vlan, rq.e[i].port,
			 rq.e[i].is_static ? SND_FDB_AGE_STATIC :
			 rq.e[i].age_s);
	}
	free(rq.e);
	return ret;
}

static uint64_t
snd_count_fds(void)
{
	struct dirent *de;
	uint64_t n = 0;
	DIR *dir = opendir("/proc/self/fd");

	if (dir == NULL) {
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] != '.') {
			n++;
		}
	}
	closedir(dir);
	return n > 0 ? n - 1 : 0; /* minus the directory's own fd */
}

static int
snd_hook_status(void *ctx, struct snd_kv *kv)
{
	struct snd_daemon *d = ctx;
	uint64_t passes = 0, sleeps = 0, p, sl;
	unsigned int avail = rte_mempool_avail_count(d->pool);
	unsigned int i;

	for (i = 0; i < d->nlcores; i++) {
		snd_lcore_counters(d->lcores[i], &p, &sl);
		passes += p;
		sleeps += sl;
	}
	kv->u64(kv, "pid", (uint64_t)getpid());
	kv->u64(kv, "uptime_s", (snd_now_ns() - d->start_ns) / 1000000000ull);
	kv->u64(kv, "lcores", rte_lcore_count());
	kv->u64(kv, "poll_lcores", d->nlcores);
	kv->u64(kv, "vm_connections", d->nconns);
	kv->u64(kv, "mbufs_total", d->pool_size);
	kv->u64(kv, "mbufs_in_use", d->pool_size - avail);
	kv->u64(kv, "open_fds", snd_count_fds());
	kv->u64(kv, "poll_passes", passes);
	kv->u64(kv, "poll_sleeps", sleeps);
	kv->u64(kv, "captures_running", snd_capture_running(d));
	kv->str(kv, "vmbus_socket", d->vmbus_path);
	kv->str(kv, "control_socket", d->ctl_path);
	return 0;
}

static const struct snd_model_hooks snd_dp_hooks = {
	.switch_create = snd_swdp_create,
	.switch_delete = snd_swdp_delete,
	.switch_set = snd_swdp_set,
	.adapter_set = snd_hook_adapter_set,
	.adapter_connect = snd_hook_adapter_connect,
	.save = snd_hook_save,
	.adapter_add = snd_hook_adapter_add,
	.adapter_remove = snd_hook_adapter_remove,
	.adapter_stats = snd_hook_adapter_stats,
	.adapter_state = snd_hook_adapter_state,
	.fdb_dump = snd_hook_fdb_dump,
	.status = snd_hook_status,
	.capture_start = snd_capture_start,
	.capture_stop = snd_capture_stop,
	.capture_list = snd_capture_list,
	.capture_info = snd_capture_info,
};

int
snd_dp_init(struct snd_daemon *d)
{
	d->model = snd_model_create(&snd_dp_hooks, d);
	return d->model != NULL ? 0 : -ENOMEM;
}

void
snd_dp_fini(struct snd_daemon *d)
{
	snd_model_destroy(d->model);
	d->model = NULL;
}

/* ---- vmb_host callbacks --------------------------------------------- */

int
snd_dp_offers_for(struct snd_conn *c, const char *vm,
		  struct vmb_host_offer *offers, size_t max)
{
	struct snd_adapter *ads[SND_VM_ADAPTERS_MAX];
	struct snd_nic *nic;
	size_t n, i, k = 0;

	/*
	 * A VM may connect more than once (a VMM with a process per NIC,
	 * like synthguest): each connection gets the adapters that are not
	 * in use.  An adapter offered to another connection that never
	 * opened it is rescinded there and offered here.
	 */
	snprintf(c->vm, sizeof(c->vm), "%s", vm);
	n = snd_model_adapters_for_vm(c->d->model, vm, ads,
				      SND_VM_ADAPTERS_MAX);
	n = RTE_MIN(n, (size_t)SND_VM_ADAPTERS_MAX);
	for (i = 0; i < n && k < max; i++) {
		nic = ads[i]->dp;
		if (nic == NULL || nic->port != NULL || nic->conn == c) {
			continue;
		}
		if (nic->conn != NULL &&
		    vmb_host_conn_rescind(nic->conn->conn, ads[i]->relid) < 0) {
			continue;
		}
		snd_nic_offer(nic, &offers[k++]);
		nic->conn = c;
		nic->holders++;
	}
	RTE_LOG(INFO, USER1, "VM '%s' connected: %zu adapter(s) offered\n",
		vm, k);
	return (int)k;
}

int
snd_dp_channel_open(struct snd_conn *c, struct snd_nic *nic,
		    struct vmb_host_channel *ch)
{
	struct snd_netvsc_cfg cfg;
	char name[VSW_PORT_NAME_MAX];
	struct vsw_port *port;
	char err[256];
	int ret;

	(void)c;
	if (nic->ad == NULL || nic->port != NULL) {
		return -EINVAL;
	}
	if (snprintf(name, sizeof(name), "%s/%s", nic->ad->vm, nic->ad->nic) >=
	    (int)sizeof(name)) {
		/* too long for a port name: the relid is unique too */
		snprintf(name, sizeof(name), "relid-%u", nic->ad->relid);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.name = name;
	memcpy(cfg.mac.addr_bytes, nic->ad->mac, 6);
	cfg.mtu = SND_DEFAULT_MTU;
	cfg.link_speed_bps = SND_LINK_SPEED_BPS;
	cfg.pool = nic->d->pool;
	cfg.link_down = !snd_swdp_guest_link(nic->sdp);
	port = snd_netvsc_port_create(&cfg, ch);
	if (port == NULL) {
		return -ENOMEM;
	}
	snd_netvsc_port_set_spoofing(port, nic->ad->policy.mac_spoofing);
	ret = snd_swdp_add_port(nic->sdp, port, &nic->ad->policy, false,
				cfg.mtu, err, sizeof(err));
	if (ret < 0) {
		RTE_LOG(WARNING, USER1, "VM '%s': %s\n", nic->ad->vm, err);
		return ret;
	}
	nic->port = port;
	nic->port_id = ret;
	nic->was_open = true;
	RTE_LOG(INFO, USER1, "port %s open on switch %s\n", name,
		nic->ad->sw->name);
	return 0;
}

void
snd_dp_channel_close(struct snd_conn *c, struct snd_nic *nic)
{
	(void)c;
	if (nic->port == NULL) {
		return;
	}
	snd_lcore_call(nic->sdp->lc, snd_call_del_port, nic);
	nic->port = NULL;
	nic->port_id = -1;
}

void
snd_dp_channel_released(struct snd_conn *c, struct snd_nic *nic)
{
	nic->holders--;
	if (nic->conn == c) {
		nic->conn = NULL;
	}
	if (nic->ad == NULL && nic->holders == 0) {
		free(nic); /* orphaned by adapter_remove */
	}
}
