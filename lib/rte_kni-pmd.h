/*
 * Copyright (c) 2026 The ovs-kni authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#ifndef RTE_KNI_PMD_H
#define RTE_KNI_PMD_H 1

/* What the net_kni PMD (lib/rte_eth_kni.c) needs of librte_kni beyond
 * DPDK's rte_kni API.  Not installed. */

#include <stdint.h>

#include <rte_ether.h>

struct rte_kni;
struct rte_mempool;

/* The descriptor that polls readable while a kernel change of any KNI of
 * the process waits for rte_kni_handle_request(); -1 before
 * rte_kni_init(). */
int rte_kni_event_fd(void);

/* Set the kernel interface's MTU or MAC address, as the owner: no
 * callback reports the change back.  0 or a negative errno value. */
int rte_kni_set_mtu(struct rte_kni *, uint16_t mtu);
int rte_kni_set_mac_addr(struct rte_kni *,
                         const uint8_t mac[RTE_ETHER_ADDR_LEN]);

/* Takes the kernel interface's buffers from 'mp' from now on (registered
 * first), and copies frames into it that need copying.  Not concurrently
 * with rte_kni_rx_burst() or rte_kni_tx_burst() on 'kni'.  0 or a negative
 * errno value. */
int rte_kni_set_mempool(struct rte_kni *, struct rte_mempool *mp);

#endif /* rte_kni-pmd.h */
