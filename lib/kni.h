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

#ifndef KNI_H
#define KNI_H 1

/* Userspace KNI library on DPDK.
 *
 * It drives the kni kernel module through /dev/kni (include/uapi/kni.h):
 * one 'struct kni_ctx' per open /dev/kni, any number of 'struct kni_dev'
 * (kernel net_devices) created through it.  It uses no Open vSwitch type
 * and can serve any DPDK program.
 *
 * Memory.  The kernel only touches buffers inside memory registered with
 * kni_register_mempool().  Every mempool whose mbufs travel to or from a
 * device must be registered on the device's context first.
 *
 * Buffer ownership.
 *   - kni_rx_burst() returns mbufs that the kernel stack transmitted on the
 *     device; the caller owns them.  The device keeps its fill ring topped
 *     up to its fill level from its mempool (kni_dev_conf.mp), so the
 *     kernel has somewhere to write.
 *   - kni_tx_burst() hands mbufs to the kernel stack as received frames.
 *     The first 'n' returned are owned by the library from then on and are
 *     freed when the kernel is done with them; the rest stay with the
 *     caller.  Only single-segment mbufs from registered mempools are
 *     accepted (kni_mbuf_is_registered()).
 *   - kni_dev_release() returns every mbuf still on a ring to its pool.
 *
 * Control.  The kernel never waits for the owner.  A device is created
 * with a policy (kni_dev_conf.policy, kni_dev_set_policy()) that says what
 * the kernel side may change alone: MTUs within a range, the MAC address
 * if KNI_POLICY_MAC is set.  Such changes apply at once and become events
 * (kni_ctx_read_events()); the context's descriptor polls readable while
 * any is unread.  The owner corrects the kernel device with
 * kni_dev_set_mtu() and kni_dev_set_mac(), which post no event back.
 *
 * Threads.  For one device, kni_rx_burst() may run in one thread and
 * kni_tx_burst() in one other thread at a time; events, the set/get calls
 * and create/release may run in a third.  The caller serialises anything
 * more.
 *
 * Errors are positive errno values; the *_error() helpers say more. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/kni.h"

struct rte_mbuf;
struct rte_mempool;

struct kni_ctx;
struct kni_dev;

/* Context. */

/* Opens /dev/kni (or 'path' when nonnull) and checks that the module speaks
 * KNI_ABI_VERSION.  On failure returns a positive errno value and writes
 * into 'msg' (at most 'msg_size' bytes, NUL terminated; 'msg' may be null)
 * a sentence for an operator: for example, ENOENT: the module is not loaded
 * and how to load it; EPROTO: the module's ABI version differs, with both
 * numbers. */
int kni_ctx_open(const char *path, struct kni_ctx **ctxp, char *msg,
                 size_t msg_size);
void kni_ctx_close(struct kni_ctx *);

/* File descriptor that becomes readable (POLLIN) while an event of any
 * device of this context is unread. */
int kni_ctx_fd(const struct kni_ctx *);
uint32_t kni_ctx_abi_version(const struct kni_ctx *);

/* Reads up to 'n' events into 'evs' and returns how many.  An event names
 * its device by id (kni_ctx_find_dev()).  KNI_EVENT_OVERFLOW says that
 * events were dropped while the ring was full: read the state of every
 * device with kni_dev_get_info(). */
unsigned int kni_ctx_read_events(struct kni_ctx *, struct kni_event *evs,
                                 unsigned int n);

/* The device of this context with id 'id', or NULL (released, or never). */
struct kni_dev *kni_ctx_find_dev(const struct kni_ctx *, uint32_t id);

/* Registers the memory of 'mp' with the kernel (every memory chunk, page
 * aligned).  Registering a mempool twice is a no-op. */
int kni_register_mempool(struct kni_ctx *, struct rte_mempool *mp);

/* Unregisters 'mp'.  Fails with EBUSY while a device uses it. */
int kni_unregister_mempool(struct kni_ctx *, struct rte_mempool *mp);

/* True if 'm' is a mbuf the kernel may take by reference (zero copy): one
 * segment, from a mempool registered on 'ctx'.  'hint', if nonnull,
 * remembers the last pool found registered, so that a burst of mbufs from
 * one pool looks the pool up once: set '*hint' to NULL before the burst. */
bool kni_mbuf_is_registered(const struct kni_ctx *, const struct rte_mbuf *m,
                            const struct rte_mempool **hint);

/* Devices. */

struct kni_dev_conf {
    const char *name;           /* At most KNI_NAMESIZE - 1 bytes. */
    struct rte_mempool *mp;     /* Registered; fill buffers come from it. */
    uint32_t mtu;               /* 0: 1500, capped by the buffer size. */
    uint32_t min_mtu;           /* 0: 68. */
    uint32_t max_mtu;           /* 0: the most a buffer of 'mp' holds,
                                 * a VLAN tag included. */
    uint32_t ring_size;         /* 0: KNI_RING_SIZE_DEFAULT. */
    uint32_t fill_level;        /* Fill buffers kept queued for the kernel
                                 * to transmit into; 0: the ring size.
                                 * With fewer, the kernel stops its queue
                                 * sooner (nothing is lost) and the device
                                 * holds fewer mbufs. */
    uint32_t policy;            /* KNI_POLICY_*: what the kernel side may
                                 * change besides the MTU. */
    bool force_bind;            /* Bind the kernel thread to 'core_id'. */
    uint32_t core_id;
    bool mac_set;               /* Use 'mac', else the kernel picks one. */
    uint8_t mac[6];
    uint32_t speed;             /* Mb/s for ethtool; 0: KNI_SPEED_DEFAULT,
                                 * full duplex. */
    uint8_t duplex;             /* KNI_DUPLEX_*, with 'speed'. */
    uint32_t offloads;          /* KNI_OFFLOAD_*: frames to the kernel
                                 * keep their TX checksum, TSO and hash
                                 * requests (see kni_tx_burst()), frames
                                 * from it come with RX flags. */
    unsigned int n_rxq;         /* Receive queues (the kernel device's
                                 * transmit queues, which it picks by flow
                                 * hash), 0 for 1, at most KNI_MAX_QUEUES;
                                 * each keeps its own fill level. */
    unsigned int n_txq;         /* Transmit queues (the kernel device's
                                 * receive queues), 0 for 1. */
};

/* Creates a kernel net_device as described by 'conf'. */
int kni_dev_create(struct kni_ctx *, const struct kni_dev_conf *conf,
                   struct kni_dev **devp);

/* Destroys the net_device and frees every mbuf it held. */
void kni_dev_release(struct kni_dev *);

uint32_t kni_dev_id(const struct kni_dev *);
const char *kni_dev_name(const struct kni_dev *);
int kni_dev_ifindex(const struct kni_dev *);
uint32_t kni_dev_ring_size(const struct kni_dev *);
uint32_t kni_dev_buf_size(const struct kni_dev *);

/* Data path. */

/* Receives up to 'n' frames the kernel transmitted; refills the fill ring
 * from the device's mempool.  Returns the number stored in 'pkts'.  On a
 * device created with offloads a frame may come with
 * RTE_MBUF_F_RX_L4_CKSUM_NONE (its TCP or UDP checksum is still to compute:
 * the field holds the pseudo header's sum; packet_type, l2_len, l3_len and
 * l4_len say where it is; a checksum left elsewhere is done here) or
 * RTE_MBUF_F_RX_L4_CKSUM_GOOD,
 * RTE_MBUF_F_RX_LRO and tso_segsz (a TCP segment to cut at that size), and
 * RTE_MBUF_F_RX_RSS_HASH with hash.rss. */
unsigned int kni_rx_burst(struct kni_dev *, struct rte_mbuf **pkts,
                          unsigned int n);

/* Queues.  kni_rxq_burst() and kni_txq_burst() are kni_rx_burst() and
 * kni_tx_burst() for one queue, 0 to kni_dev_n_rxq() - 1 or
 * kni_dev_n_txq() - 1; kni_rx_burst() and kni_tx_burst() use queue 0.
 * Each queue may run in a thread of its own: the threads rule above holds
 * per queue.  A flow keeps to one receive queue, so its frames keep their
 * order. */
unsigned int kni_dev_n_rxq(const struct kni_dev *);
unsigned int kni_dev_n_txq(const struct kni_dev *);
unsigned int kni_rxq_burst(struct kni_dev *, unsigned int qid,
                           struct rte_mbuf **pkts, unsigned int n);
unsigned int kni_txq_burst(struct kni_dev *, unsigned int qid,
                           struct rte_mbuf **pkts, unsigned int n);

/* Hands up to 'n' frames to the kernel stack, in order; returns how many
 * were taken (ring full or a mbuf kni_mbuf_is_registered() refuses stops
 * the burst).  Also frees the mbufs the kernel has finished with.  With
 * KNI_OFFLOAD_CSUM, RTE_MBUF_F_TX_TCP_CKSUM and RTE_MBUF_F_TX_UDP_CKSUM
 * (with l2_len and l3_len) pass the checksum on to the kernel, which then
 * need not check it; with KNI_OFFLOAD_TSO too, RTE_MBUF_F_TX_TCP_SEG with
 * tso_segsz hands over a whole TCP segment of up to the buffer size, as
 * DPDK prepares it; RTE_MBUF_F_TX_IP_CKSUM is done here; with
 * KNI_OFFLOAD_HASH an RTE_MBUF_F_RX_RSS_HASH mbuf gives the kernel its
 * hash. */
unsigned int kni_tx_burst(struct kni_dev *, struct rte_mbuf **pkts,
                          unsigned int n);

/* Userspace-side counters (the kernel's are in kni_dev_get_stats()). */
struct kni_dev_ustats {
    uint64_t fill_alloc_failed; /* Fill ring refill found the pool empty. */
    uint64_t fill_returned_unused; /* Fill buffers the kernel refused. */
    uint64_t kicks;             /* KNI_IOC_KICK(_QUEUE) calls made. */
    uint64_t tx_unregistered;   /* Burst stopped at an unregistered mbuf. */
};
void kni_dev_get_ustats(const struct kni_dev *, struct kni_dev_ustats *);

/* Times the fill ring could not be topped up (the mempool was empty): the
 * same as kni_dev_ustats.fill_alloc_failed, cheap enough for every burst
 * of the receiving thread. */
uint64_t kni_dev_fill_failures(const struct kni_dev *);

/* Control path.  Each returns 0 or a positive errno value; ENODEV: the
 * kernel device was deleted (KNI_EVENT_DELETED), release it. */

/* These change the kernel device directly; no event comes back. */
int kni_dev_set_carrier(struct kni_dev *, bool on);
int kni_dev_set_link(struct kni_dev *, bool carrier, uint32_t speed,
                     uint8_t duplex);
int kni_dev_set_mtu(struct kni_dev *, uint32_t mtu);
int kni_dev_set_mac(struct kni_dev *, const uint8_t mac[6]);

/* Binds the device's kernel receive thread to CPU 'core_id' ('bind'), or
 * lets it run anywhere.  With the module's kthread_mode=single, the one
 * thread serves every device and moves for all of them. */
int kni_dev_set_core(struct kni_dev *, bool bind, uint32_t core_id);

/* What the kernel side may change from now on: KNI_POLICY_* and the MTU
 * range (0: 68 and as much as the buffers hold). */
int kni_dev_set_policy(struct kni_dev *, uint32_t policy, uint32_t min_mtu,
                       uint32_t max_mtu);

/* The kernel device's state, and the addresses upper devices (bond, vlan,
 * macvlan) and multicast groups added to it. */
int kni_dev_get_info(struct kni_dev *, struct kni_info *);
int kni_dev_get_addrs(struct kni_dev *, struct kni_addrs *);

/* Takes the device's fill buffers from 'mp' (registered with
 * kni_register_mempool()) from now on, for an MTU the present buffers do
 * not hold, without making the device again: its max_mtu follows the new
 * buffer size.  The buffers queued from the previous mempool come back
 * through kni_rx_burst(), which frees them.  Not concurrently with
 * kni_rx_burst() on the device.  Returns 0 or a positive errno: ENOENT
 * ('mp' not registered), EINVAL (buffers too short for the MTU in use). */
int kni_dev_set_mempool(struct kni_dev *, struct rte_mempool *mp);
int kni_dev_get_stats(struct kni_dev *, struct kni_stats *);

#endif /* kni.h */
