/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal_harness.h - EAL set-up shared by the DPDK test programs: no
 * hugepages, a per-process file prefix, no shared config or telemetry
 * (so a run leaves nothing in /var/run/dpdk but its empty runtime
 * directory, which sn_eal_run removes), one mbuf pool, cmocka tests.
 */
#ifndef SN_EAL_HARNESS_H
#define SN_EAL_HARNESS_H

#include <stdio.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

/*
 * Start EAL (file prefix TAG<pid>), create *pool with n mbufs, run the
 * cmocka group, tear everything down.  Returns cmocka's result, or 1 when
 * EAL or the pool cannot be set up.
 */
static inline int
sn_eal_run(const char *argv0, const char *tag, unsigned int n,
	   struct rte_mempool **pool, const struct CMUnitTest *tests,
	   size_t ntests)
{
	char prefix[64];
	char *eal_argv[] = {
		(char *)argv0, "--no-huge", "-m", "256", "--file-prefix",
		prefix, "--no-pci", "--no-shconf", "--no-telemetry",
		"--log-level", "*:error", NULL,
	};
	char runtime_dir[4096];
	int rc;

	snprintf(prefix, sizeof(prefix), "%s%ld", tag, (long)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		 rte_eal_get_runtime_dir());
	*pool = rte_pktmbuf_pool_create(tag, n, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (*pool == NULL) {
		fprintf(stderr, "pool: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	rc = _cmocka_run_group_tests(tag, tests, ntests, NULL, NULL);
	rte_mempool_free(*pool);
	rte_eal_cleanup();
	(void)rmdir(runtime_dir);
	return rc;
}

#endif /* SN_EAL_HARNESS_H */
