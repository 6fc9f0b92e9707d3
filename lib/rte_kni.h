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

#ifndef _RTE_KNI_H_
#define _RTE_KNI_H_

/* The rte_kni API of DPDK 22.11, on the kni kernel module of ovs-kni.
 *
 * DPDK 23.11 removed librte_kni and its rte_kni.ko.  This header declares
 * the same functions, structures and callbacks, so that a program written
 * for DPDK 22.11's KNI builds unchanged against DPDK 22.11 or 24.11 and
 * this library (pkg-config rte_kni).  The devices are those of the kni
 * module (include/uapi/kni.h), driven by lib/kni.h.
 *
 * What differs, and why (Documentation/migrating-from-dpdk-kni.rst says
 * more):
 *
 *   - Requests are notifications.  DPDK's module made "ip link set mtu",
 *     "ip link set up", a MAC change, promisc and allmulti wait, with the
 *     kernel's RTNL lock held, until the application answered through
 *     rte_kni_handle_request().  Here the kernel applies the change at once
 *     (an MTU within [min_mtu, max_mtu]; anything else is refused with
 *     EINVAL) and posts an event; rte_kni_handle_request() later runs the
 *     matching callback in the caller's thread.  A callback that returns
 *     nonzero refuses the change after the fact: the library puts the
 *     previous MTU or MAC address back on the kernel device, and for
 *     "up" it turns the carrier off so that nothing is sent.  Changes made
 *     while no one calls rte_kni_handle_request() are coalesced: each
 *     callback sees the latest value, once.
 *   - Names are interface names: at most 15 bytes (IFNAMSIZ), although
 *     rte_kni_conf.name keeps DPDK's 32 bytes.
 *   - Buffers.  The kernel only touches memory registered with it.  The
 *     pool given to rte_kni_alloc() and the pool of any mbuf given to
 *     rte_kni_tx_burst() are registered on first use; a multi-segment mbuf,
 *     or one whose pool cannot be registered, is copied into a buffer of
 *     the KNI's pool.  No IOVA mode is required (DPDK's needed PA on old
 *     kernels): the module maps buffers by virtual address.
 *   - rte_kni_conf.mbuf_size, group_id, addr and id are accepted and
 *     ignored: the buffer size is the pool's data room.
 *   - The module's parameters lo_mode, kthread_mode and carrier keep
 *     their meanings: with carrier=off (the default) an interface has no
 *     carrier until rte_kni_update_link() sets it.
 *   - Everything is released when the process exits, killed or not: the
 *     kernel deletes a context's devices when its file is closed.
 *
 * Threads: rte_kni_alloc(), rte_kni_release(), rte_kni_get(),
 * rte_kni_handle_request() and the handler calls are thread safe.  For one
 * KNI, rte_kni_rx_burst() may run in one thread and rte_kni_tx_burst() in
 * one other at a time. */

#include <stdint.h>

#include <rte_compat.h>
#include <rte_ether.h>
#include <rte_pci.h>

#ifdef __cplusplus
extern "C" {
#endif

/* This API's version (a DPDK 22.11 compatible level, then this library's
 * revision of it). */
#define RTE_KNI_COMPAT_VERSION 2211
#define RTE_KNI_LIB_REVISION 1

#define RTE_KNI_NAMESIZE 32

struct rte_kni;
struct rte_mbuf;
struct rte_mempool;

/* Callbacks for the kernel device's changes.  Each returns 0 to accept the
 * change, anything else to refuse it (see above).  'port_id' is the value
 * given in the structure, passed back to each callback.  A callback left
 * NULL accepts the change; for MAC, promisc and allmulti, when 'port_id'
 * names an ethdev port, the default handler applies the change to that
 * port, as DPDK's did. */
struct rte_kni_ops {
    uint16_t port_id;

    int (*change_mtu)(uint16_t port_id, unsigned int new_mtu);
    int (*config_network_if)(uint16_t port_id, uint8_t if_up);
    int (*config_mac_address)(uint16_t port_id, uint8_t mac_addr[]);
    int (*config_promiscusity)(uint16_t port_id, uint8_t to_on);
    int (*config_allmulticast)(uint16_t port_id, uint8_t to_on);
};

struct rte_kni_conf {
    char name[RTE_KNI_NAMESIZE]; /* Interface name, at most 15 bytes. */
    uint32_t core_id;            /* CPU of the kernel thread, with... */
    uint16_t group_id;           /* Ignored. */
    unsigned mbuf_size;          /* Ignored: the pool's data room counts. */
    struct rte_pci_addr addr;    /* Ignored. */
    struct rte_pci_id id;        /* Ignored. */

    __extension__
    uint8_t force_bind : 1;      /* ...this set. */
    uint8_t mac_addr[RTE_ETHER_ADDR_LEN]; /* All zero: a random one. */
    uint16_t mtu;                /* 0: 1500, or what a buffer holds. */
    uint16_t min_mtu;            /* 0: 68. */
    uint16_t max_mtu;            /* 0: what a buffer holds. */
};

/* Opens the kni module's /dev/kni for this process.  'max_kni_ifaces' is
 * accepted for compatibility (the module has no such limit).  Returns 0,
 * or -1 when the module is missing or speaks another ABI (the log says
 * which, and how to load it).  Calling it again is harmless. */
int rte_kni_init(unsigned int max_kni_ifaces);

/* Creates the kernel interface 'conf->name', whose frames to the stack come
 * from rte_kni_tx_burst() and whose frames from the stack fill buffers of
 * 'pktmbuf_pool' (kept queued for the kernel, up to its ring size of 1024).
 * 'ops' may be NULL.  Returns NULL on error (bad argument, name in use,
 * rte_kni_init() not called, the kernel refused), with a log message. */
struct rte_kni *rte_kni_alloc(struct rte_mempool *pktmbuf_pool,
                              const struct rte_kni_conf *conf,
                              struct rte_kni_ops *ops);

/* Deletes the kernel interface and returns every buffer it held to its
 * pool.  No other call may use 'kni' any more.  Returns 0, or -1 if 'kni'
 * is not a live KNI. */
int rte_kni_release(struct rte_kni *kni);

/* Runs, in the calling thread, the callbacks for the changes made to the
 * kernel interface since the last call.  Returns 0, or -1 if 'kni' is
 * NULL. */
int rte_kni_handle_request(struct rte_kni *kni);

/* Up to 'num' frames the kernel stack transmitted on the interface; the
 * caller owns the mbufs returned.  Refills the kernel's buffers. */
unsigned rte_kni_rx_burst(struct rte_kni *kni, struct rte_mbuf **mbufs,
                          unsigned num);

/* Hands up to 'num' frames to the kernel stack, as received on the
 * interface, in order.  Returns how many were taken: those belong to the
 * library from then on; the rest stay with the caller.  Frees the buffers
 * the kernel has finished with. */
unsigned rte_kni_tx_burst(struct rte_kni *kni, struct rte_mbuf **mbufs,
                          unsigned num);

/* The KNI named 'name', or NULL. */
struct rte_kni *rte_kni_get(const char *name);

/* The name of 'kni'. */
const char *rte_kni_get_name(const struct rte_kni *kni);

/* Sets the callbacks of 'kni'.  Returns 0, or -1 if 'kni' or 'ops' is
 * NULL or callbacks are already registered. */
int rte_kni_register_handlers(struct rte_kni *kni, struct rte_kni_ops *ops);

/* Removes the callbacks of 'kni' (changes are then accepted as they
 * come).  Returns 0, or -1 if 'kni' is NULL. */
int rte_kni_unregister_handlers(struct rte_kni *kni);

/* Sets the carrier of the kernel interface: on if 'linkup' is nonzero.
 * Returns the previous state (1 on, 0 off), or -1 on failure. */
__rte_experimental
int rte_kni_update_link(struct rte_kni *kni, unsigned int linkup);

/* Releases every KNI of this process and closes /dev/kni. */
void rte_kni_close(void);

#ifdef __cplusplus
}
#endif

#endif /* _RTE_KNI_H_ */
