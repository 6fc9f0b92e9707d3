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

/* The "kni" netdev class: a kernel net_device, made by the kni kernel
 * module, as a port of a userspace (netdev) bridge.
 *
 *     ovs-vsctl add-port br0 vEth0 -- set Interface vEth0 type=kni
 *
 * The class registers itself from a constructor, before main(), so that an
 * unpatched Open vSwitch tree gives an ovs-vswitchd that knows "kni".  Its
 * init must therefore not touch DPDK: DPDK is initialised later, by
 * bridge_run(), when other_config:dpdk-init=true.
 *
 * Data path.  Each port has one rx queue, polled by a PMD thread:
 * kni_rx_burst() returns the frames the kernel transmitted, in mbufs of the
 * port's own mempool whose mbufs are dp_packets, so they enter OVS without
 * a copy.  send() hands frames to the kernel: by reference when they
 * already live in memory registered with the module (any kni port's
 * mempool), else copied into this port's mempool.  One tx ring per port;
 * senders are serialised when OVS says they may run concurrently.
 *
 * Control path.  The kernel never waits for us.  Each device is created
 * with a policy: the kernel side may change its MTU within what the
 * buffers hold, its MAC address, and promisc/allmulti/address lists; such
 * changes ("ip link set mtu|address|promisc|allmulticast|up|down") apply at
 * once and reach us as events, which the main thread reads from the
 * /dev/kni descriptor (netdev_kni_run(), woken by netdev_kni_wait()) and
 * maps onto the port's state.  Changes OVS makes (carrier from the port's
 * admin state, mtu_request, options:mac) use ioctls that post no event
 * back.  A kernel device deleted from the kernel side (ip link del, the end
 * of its network namespace) is released at the next reconfiguration; the
 * port stays, without a device, until its options change.
 *
 * Every reason a kni interface cannot be created is reported through
 * set_config()'s 'errp', which bridge.c stores in the Interface's "error"
 * column, in this order: bad name or options, DPDK not initialised, kni
 * module missing or of another ABI version (lib/kni.c words those), and
 * then whatever the module says when asked for the device. */

#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_meter.h>
#include <rte_net.h>
#include <rte_spinlock.h>

#include "coverage.h"
#include "csum.h"
#include "dp-packet.h"
#include "dpdk.h"
#include "kni.h"
#include "kni-ovs-compat.h"
#include "netdev-provider.h"
#include "ovs-rcu.h"
#include "sset.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "userspace-tso.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_kni);

COVERAGE_DEFINE(kni_tx_failure_drops);
COVERAGE_DEFINE(kni_tx_mtu_exceeded_drops);
COVERAGE_DEFINE(kni_tx_no_mbuf_drops);
COVERAGE_DEFINE(kni_tx_qos_drops);
COVERAGE_DEFINE(kni_rx_qos_drops);
COVERAGE_DEFINE(kni_fill_starved);
COVERAGE_DEFINE(kni_kernel_events);
COVERAGE_DEFINE(kni_tx_bad_offload_drops);
COVERAGE_DEFINE(kni_tx_sw_segments);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* KNI_FRAME_OVERHEAD (uapi/kni.h): bytes a frame may take beyond the MTU,
 * an Ethernet header and one VLAN tag, as the module counts them. */
BUILD_ASSERT_DECL(KNI_FRAME_OVERHEAD == ETH_HEADER_LEN + VLAN_HEADER_LEN);

/* Smallest frame room of a buffer, whatever the MTU. */
#define KNI_MIN_FRAME_ROOM 2048

/* Largest frame room: a multiple of 1024 that, with the headroom, fits an
 * mbuf's 16-bit data room. */
#define KNI_MAX_FRAME_ROOM ((UINT16_MAX - RTE_PKTMBUF_HEADROOM) / 1024 * 1024)
#define KNI_MTU_MAX (KNI_MAX_FRAME_ROOM - KNI_FRAME_OVERHEAD)

/* Frame room with userspace TSO: all an mbuf's data room holds, in whole
 * cache lines, for the kernel's largest TCP segments (65226 bytes from a
 * socket, headers included). */
#define KNI_TSO_FRAME_ROOM ROUND_DOWN(UINT16_MAX - RTE_PKTMBUF_HEADROOM, 64)

/* Mempools shared by ports (see "Mempools" below). */
#define KNI_MP_CACHE_SIZE 256               /* Per lcore, at most... */
#define KNI_MP_CACHE_BYTES (2 * 1024 * 1024)    /* ...and at most this. */
#define KNI_MP_BYTES (64 * 1024 * 1024)     /* Aim for pools this large. */
#define KNI_MP_MAX_MBUFS 262143
#define KNI_FILL_LEVEL_MAX 256              /* Fill buffers a port keeps. */

/* One /dev/kni for the whole process, opened by the first kni port. */
static struct ovs_mutex kni_mutex = OVS_MUTEX_INITIALIZER;
static struct kni_ctx *kni_ctx OVS_GUARDED_BY(kni_mutex);
static struct ovs_list kni_list OVS_GUARDED_BY(kni_mutex)
    = OVS_LIST_INITIALIZER(&kni_list);

/* Parked kernel devices (see netdev_kni_park()): the kernel side of a port
 * whose options went bad, kept for the port to take back. */
struct kni_parked {
    struct ovs_list node;           /* In 'kni_parked_list'. */
    char name[KNI_NAMESIZE];
    uint64_t gen;                   /* Last configuration that wanted it. */
    struct kni_dev *kdev;
    struct kni_mp *kmp;
    uint32_t commitment;
    uint32_t frame_room;
    uint32_t offloads;
    uint32_t ring_size;
    int n_rxq;
    int n_txq;
    int mtu;
    struct eth_addr hwaddr;
    bool kernel_up;
    bool kernel_promisc;
    bool kernel_allmulti;
    int kernel_ifindex;
    uint32_t kernel_n_uc;
    uint32_t kernel_n_mc;
    uint32_t core_id;
    bool force_bind;
};
static struct ovs_list kni_parked_list OVS_GUARDED_BY(kni_mutex)
    = OVS_LIST_INITIALIZER(&kni_parked_list);

/* Bridge reconfigurations, as far as kni ports see them: set_config() was
 * called for some port since the main loop last ran netdev_kni_run(). */
static uint64_t kni_config_gen OVS_GUARDED_BY(kni_mutex) = 1;
static bool kni_config_seen OVS_GUARDED_BY(kni_mutex);

/* A mempool of dp_packets shared by kni ports of one frame room on one
 * NUMA node, registered with the module once. */
struct kni_mp {
    struct ovs_list node;           /* In 'kni_mps' or 'kni_mps_sweep'. */
    struct rte_mempool *mp;
    uint32_t frame_room;
    int socket_id;
    uint32_t capacity;              /* Mbufs ports may commit. */
    uint32_t committed;             /* Mbufs its ports committed. */
    unsigned int n_ports;
};
static struct ovs_list kni_mps OVS_GUARDED_BY(kni_mutex)
    = OVS_LIST_INITIALIZER(&kni_mps);

/* Pools no port uses any more, freed once all their mbufs are back; the
 * sweep looks at them at growing intervals. */
static struct ovs_list kni_mps_sweep OVS_GUARDED_BY(kni_mutex)
    = OVS_LIST_INITIALIZER(&kni_mps_sweep);
static long long int kni_sweep_next OVS_GUARDED_BY(kni_mutex);
static long long int kni_sweep_interval OVS_GUARDED_BY(kni_mutex);

/* A policer: DPDK's single rate three color marker, colour blind, as
 * netdev-dpdk's ingress policer and "egress-policer" QoS use it; a packet
 * that is not green is dropped. */
struct kni_policer {
    struct rte_meter_srtcm_profile profile;
    struct rte_meter_srtcm meter;
    rte_spinlock_t lock;            /* PMD threads may share a policer. */
    uint64_t cir;                   /* Bytes per second. */
    uint64_t cbs;                   /* Bytes. */
};

/* Counters of one queue.  Only the thread that polls a receive queue,
 * or sends on a transmit queue (under the queue's lock when OVS shares
 * it), writes them; any thread may read them.  kni_count() adds without a
 * locked instruction. */
struct kni_rxq_stats {
    atomic_uint64_t packets;
    atomic_uint64_t bytes;
    atomic_uint64_t qos_drops;
    atomic_uint64_t tso_packets;    /* TCP segments up to 64 kB. */
};

struct kni_txq_stats {
    atomic_uint64_t packets;
    atomic_uint64_t bytes;
    atomic_uint64_t failure_drops;  /* Ring to the kernel full. */
    atomic_uint64_t mtu_drops;
    atomic_uint64_t no_mbuf_drops;
    atomic_uint64_t qos_drops;
    atomic_uint64_t bad_offload_drops;  /* Headers unlike the offload
                                         * flags. */
    atomic_uint64_t zero_copy;
    atomic_uint64_t copied;
    atomic_uint64_t tso_packets;    /* TCP segments up to 64 kB. */
    atomic_uint64_t sw_segmented;   /* Too large for a buffer: cut here. */
};

struct netdev_kni {
    struct netdev up;

    /* The kernel device and the mempool its fill buffers come from.  Set by
     * the main thread while no PMD thread uses the port (set_config before
     * the port is added, reconfigure), read by PMD threads. */
    struct kni_ctx *ctx;
    struct kni_dev *kdev;
    struct kni_mp *kmp;             /* Fill buffers and copies come from
                                     * it; 'mp' is kmp->mp. */
    struct rte_mempool *mp;
    uint32_t frame_room;            /* Largest frame a buffer holds. */
    uint32_t commitment;            /* Mbufs of 'kmp' it may hold. */

    uint32_t offloads;              /* KNI_OFFLOAD_* of 'kdev'. */

    /* Largest frame sent to the kernel: MTU, Ethernet header and a VLAN
     * tag; and whether the port is up (NETDEV_UP in 'flags').  Written
     * with 'mutex' held, read by PMD threads. */
    atomic_uint32_t max_frame;
    atomic_bool up_flag;

    /* Policers, read by PMD threads (RCU), set with 'mutex' held. */
    OVSRCU_TYPE(struct kni_policer *) ingress_policer;
    OVSRCU_TYPE(struct kni_policer *) egress_policer;

    struct ovs_list node OVS_GUARDED_BY(kni_mutex);

    struct ovs_mutex mutex OVS_ACQ_AFTER(kni_mutex);

    struct eth_addr hwaddr OVS_GUARDED;
    int mtu OVS_GUARDED;
    enum netdev_flags flags OVS_GUARDED;
    bool kernel_up OVS_GUARDED;     /* The kernel side is administratively
                                     * up ('ip link set up'). */
    bool kernel_promisc OVS_GUARDED;
    bool kernel_allmulti OVS_GUARDED;
    bool kernel_deleted OVS_GUARDED;        /* The kernel deleted it. */
    int kernel_ifindex OVS_GUARDED; /* In the device's network namespace. */
    uint32_t kernel_n_uc OVS_GUARDED;       /* Addresses upper devices
                                             * added. */
    uint32_t kernel_n_mc OVS_GUARDED;
    uint32_t ring_size OVS_GUARDED;
    /* The kernel device's queues are 'up.n_rxq' and 'up.n_txq'. */

    /* Requested configuration, from set_config() and set_mtu(). */
    uint32_t requested_ring_size OVS_GUARDED;
    int requested_n_rxq OVS_GUARDED;
    int requested_n_txq OVS_GUARDED;
    int requested_mtu OVS_GUARDED;
    struct eth_addr requested_mac OVS_GUARDED;      /* eth_addr_zero: the
                                                     * kernel's. */
    uint32_t core_id OVS_GUARDED;
    bool force_bind OVS_GUARDED;

    /* Rings and an MTU reconfigure() could not have (no memory): not
     * tried again until the options ask for something else. */
    uint32_t failed_ring_size OVS_GUARDED;
    int failed_n_rxq OVS_GUARDED;
    int failed_n_txq OVS_GUARDED;
    int failed_mtu OVS_GUARDED;
    struct smap options OVS_GUARDED;        /* As last given to
                                             * set_config(). */

    /* The last set_config() failed: destruct() parks the kernel device
     * (see "Parked kernel devices"). */
    bool config_failed OVS_GUARDED_BY(kni_mutex);

    uint64_t kernel_events OVS_GUARDED;     /* Events read for it. */
    long long int carrier_resets OVS_GUARDED;       /* Carrier changes. */
    uint32_t policing_rate OVS_GUARDED;     /* kbit/s. */
    uint32_t policing_burst OVS_GUARDED;    /* kbit. */

    /* Each queue's counters, and the lock that serialises the senders of
     * a transmit queue when OVS asks for it (concurrent_txq), on cache
     * lines of their own: PMD threads on different queues share nothing.
     * They count for the port, whatever kernel device it has. */
    struct {
        PADDED_MEMBERS(CACHE_LINE_SIZE,
            rte_spinlock_t lock;
            struct kni_txq_stats stats;
        );
    } txqs[KNI_MAX_QUEUES];
    struct {
        PADDED_MEMBERS(CACHE_LINE_SIZE, struct kni_rxq_stats stats;);
    } rxqs[KNI_MAX_QUEUES];
    atomic_uint64_t tx_down_drops;  /* Sent while down or without device. */
    bool multiq_advised;            /* set_tx_multiq() said its piece. */
    unsigned int tx_threads OVS_GUARDED;    /* As set_tx_multiq() said. */
};

struct netdev_rxq_kni {
    struct netdev_rxq up;
    uint64_t fill_failures;         /* As last seen, for coverage. */
};

static int netdev_kni_construct(struct netdev *);
static void netdev_kni_ctx_put(void);
static bool netdev_kni_resync(struct netdev_kni *);
static int netdev_kni_set_etheraddr(struct netdev *, const struct eth_addr);
static void netdev_kni_rx_offloads(struct rte_mbuf *);

static bool
is_kni_class(const struct netdev_class *class)
{
    return class->construct == netdev_kni_construct;
}

static struct netdev_kni *
netdev_kni_cast(const struct netdev *netdev)
{
    ovs_assert(is_kni_class(netdev_get_class(netdev)));
    return CONTAINER_OF(netdev, struct netdev_kni, up);
}

static struct netdev_rxq_kni *
netdev_rxq_kni_cast(const struct netdev_rxq *rxq)
{
    return CONTAINER_OF(rxq, struct netdev_rxq_kni, up);
}

/* Adds 'n' to counter 'c', which only the calling thread writes (see
 * struct kni_rxq_stats): a plain load and store, no locked instruction. */
static inline void
kni_count(atomic_uint64_t *c, uint64_t n)
{
    uint64_t value;

    if (n) {
        atomic_read_relaxed(c, &value);
        atomic_store_relaxed(c, value + n);
    }
}

static inline uint64_t
kni_counter(const atomic_uint64_t *c)
{
    uint64_t value;

    atomic_read_relaxed(CONST_CAST(atomic_uint64_t *, c), &value);
    return value;
}

/* The sums of the queues' counters of a port. */
struct kni_port_stats {
    uint64_t rx_packets, rx_bytes, rx_qos_drops, rx_tso_packets;
    uint64_t tx_packets, tx_bytes, tx_failure_drops, tx_mtu_drops;
    uint64_t tx_no_mbuf_drops, tx_qos_drops, tx_bad_offload_drops;
    uint64_t tx_zero_copy, tx_copied, tx_tso_packets, tx_sw_segmented;
    uint64_t tx_down_drops;
};

static void
kni_port_stats_get(const struct netdev_kni *dev, struct kni_port_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int q = 0; q < KNI_MAX_QUEUES; q++) {
        const struct kni_rxq_stats *r = &dev->rxqs[q].stats;
        const struct kni_txq_stats *t = &dev->txqs[q].stats;

        s->rx_packets += kni_counter(&r->packets);
        s->rx_bytes += kni_counter(&r->bytes);
        s->rx_qos_drops += kni_counter(&r->qos_drops);
        s->rx_tso_packets += kni_counter(&r->tso_packets);
        s->tx_packets += kni_counter(&t->packets);
        s->tx_bytes += kni_counter(&t->bytes);
        s->tx_failure_drops += kni_counter(&t->failure_drops);
        s->tx_mtu_drops += kni_counter(&t->mtu_drops);
        s->tx_no_mbuf_drops += kni_counter(&t->no_mbuf_drops);
        s->tx_qos_drops += kni_counter(&t->qos_drops);
        s->tx_bad_offload_drops += kni_counter(&t->bad_offload_drops);
        s->tx_zero_copy += kni_counter(&t->zero_copy);
        s->tx_copied += kni_counter(&t->copied);
        s->tx_tso_packets += kni_counter(&t->tso_packets);
        s->tx_sw_segmented += kni_counter(&t->sw_segmented);
    }
    s->tx_down_drops = kni_counter(&dev->tx_down_drops);
}

/* Mempools.
 *
 * Ports share mempools, as netdev-dpdk's shared memory model does: a pool
 * serves the ports of one frame room on one NUMA node as long as its mbufs
 * cover what each of them may hold at once, its commitment: the buffers on
 * its fill ring, the copies on its ring to the kernel, and two bursts in
 * the datapath.  A pool also keeps the mbufs the PMD threads' per-lcore
 * caches may hold out of what ports can commit, so mbufs out in caches,
 * other ports' rings and NIC queues do not starve a port's fill ring.  A
 * pool is registered with the module once; one that no port uses any more
 * is freed once all its mbufs are back. */

static void
kni_mbuf_init(struct rte_mempool *mp OVS_UNUSED, void *aux OVS_UNUSED,
              void *obj, unsigned int i OVS_UNUSED)
{
    dp_packet_init_dpdk(obj);
}

/* Offloads a kernel device is created with: the flow hash always (it
 * becomes the packet's RSS hash both ways), checksums and TCP segmentation
 * with userspace TSO. */
static uint32_t
kni_offloads(void)
{
    return KNI_OFFLOAD_HASH
           | (userspace_tso_enabled() ? KNI_OFFLOAD_CSUM | KNI_OFFLOAD_TSO
                                      : 0);
}

/* Frame room of a port's buffers.  With userspace TSO, the largest, so
 * that TCP segments of 64 kB cross both ways in one buffer (see "Offloads"
 * below); else the MTU's. */
static uint32_t
kni_frame_room(int mtu)
{
    uint32_t room = ROUND_UP(mtu + KNI_FRAME_OVERHEAD, 1024);

    if (userspace_tso_enabled()) {
        return KNI_TSO_FRAME_ROOM;
    }

    return MAX(room, KNI_MIN_FRAME_ROOM);
}

static uint32_t
kni_fill_level(uint32_t ring_size)
{
    return MIN(ring_size, KNI_FILL_LEVEL_MAX);
}

/* Mbufs a port with 'ring_size' entries per ring, 'n_rxq' receive and
 * 'n_txq' transmit queues may hold at once. */
static uint32_t
kni_commitment(uint32_t ring_size, int n_rxq, int n_txq)
{
    return (n_rxq * kni_fill_level(ring_size) + n_txq * ring_size
            + 2 * NETDEV_MAX_BURST * MAX(n_rxq, n_txq));
}

/* NUMA node of the kni ports: the main lcore's, where their mempools and
 * the module's buffers for them live. */
static int
kni_socket_id(void)
{
    int socket_id = rte_lcore_to_socket_id(rte_get_main_lcore());

    return socket_id < 0 ? 0 : socket_id;
}

/* Creates, and registers with the module, a pool for 'frame_room' bytes
 * per buffer that can take ports committing at least 'commitment' mbufs.
 * On failure returns NULL with a positive errno value in '*errorp'. */
static struct kni_mp *
kni_mp_create(uint32_t frame_room, int socket_id, uint32_t commitment,
              int *errorp)
    OVS_REQUIRES(kni_mutex)
{
    uint16_t data_room = RTE_PKTMBUF_HEADROOM + frame_room;
    uint32_t pkt_size = sizeof(struct dp_packet) + data_room;
    uint32_t priv = sizeof(struct dp_packet) - sizeof(struct rte_mbuf);
    char mp_name[RTE_MEMPOOL_NAMESIZE];
    uint32_t cache_size, slack;
    static uint32_t serial;
    struct rte_mempool *mp;
    struct kni_mp *kmp;
    uint32_t n_mbufs;
    int error;

    /* Keep the buffers cache aligned, as netdev-dpdk does. */
    priv += ROUND_UP(pkt_size, RTE_CACHE_LINE_SIZE) - pkt_size;
    cache_size = MIN(KNI_MP_CACHE_SIZE,
                     KNI_MP_CACHE_BYTES / (pkt_size + priv));
    slack = (rte_lcore_count() + 1) * cache_size * 3 / 2;

    /* A power of two less one is the most efficient size for a mempool. */
    n_mbufs = KNI_MP_BYTES / (pkt_size + priv);
    n_mbufs = MIN(MAX(n_mbufs, commitment + slack), KNI_MP_MAX_MBUFS);
    n_mbufs = (1u << log_2_ceil(n_mbufs + 1)) - 1;
    if (n_mbufs < commitment + slack) {
        *errorp = EINVAL;
        return NULL;
    }

    /* A pool waiting to be freed keeps its name: make every name unique. */
    snprintf(mp_name, sizeof mp_name, "kni_%uk_%u_%u",
             (unsigned int) (frame_room / 1024) % 1000,
             (unsigned int) socket_id % 100, serial++ % 1000000);
    mp = rte_pktmbuf_pool_create(mp_name, n_mbufs, cache_size, priv,
                                 data_room, socket_id);
    if (!mp) {
        *errorp = rte_errno ? rte_errno : ENOMEM;
        return NULL;
    }
    rte_mempool_obj_iter(mp, kni_mbuf_init, NULL);
    error = kni_register_mempool(kni_ctx, mp);
    if (error) {
        rte_mempool_free(mp);
        *errorp = error;
        return NULL;
    }

    kmp = xzalloc(sizeof *kmp);
    kmp->mp = mp;
    kmp->frame_room = frame_room;
    kmp->socket_id = socket_id;
    kmp->capacity = n_mbufs - slack;
    ovs_list_push_back(&kni_mps, &kmp->node);
    VLOG_INFO("created mempool %s: %"PRIu32" mbufs of %"PRIu32" bytes, "
              "%"PRIu32" for ports to commit", mp_name, n_mbufs, frame_room,
              kmp->capacity);
    return kmp;
}

/* Returns a pool for a port of 'frame_room' bytes per buffer committing
 * 'commitment' mbufs, and counts the port in.  On failure returns NULL and
 * stores a message for the port's Interface "error" column in '*errp'. */
static struct kni_mp *
kni_mp_get(const char *name, uint32_t frame_room, uint32_t commitment,
           char **errp)
    OVS_REQUIRES(kni_mutex)
{
    int socket_id = kni_socket_id();
    struct kni_mp *kmp;
    int error;

    LIST_FOR_EACH (kmp, node, &kni_mps) {
        if (kmp->frame_room == frame_room && kmp->socket_id == socket_id
            && kmp->capacity - kmp->committed >= commitment) {
            goto found;
        }
    }
    kmp = kni_mp_create(frame_room, socket_id, commitment, &error);
    if (!kmp) {
        *errp = xasprintf("%s: cannot create a mempool for %"PRIu32" mbufs "
                          "of %"PRIu32" bytes (%s): give DPDK more memory "
                          "(other_config:dpdk-extra -m, or hugepages), the "
                          "kni module more (max_pinned_mb, "
                          "max_pinned_mb_user), or lower options:ring_size",
                          name, commitment, frame_room,
                          ovs_strerror(error));
        return NULL;
    }
found:
    kmp->committed += commitment;
    kmp->n_ports++;
    return kmp;
}

/* Frees the pools in the sweep list whose mbufs have all come back. */
static void
kni_mp_sweep(void)
    OVS_REQUIRES(kni_mutex)
{
    struct kni_mp *kmp;

    LIST_FOR_EACH_SAFE (kmp, node, &kni_mps_sweep) {
        if (rte_mempool_full(kmp->mp)) {
            kni_unregister_mempool(kni_ctx, kmp->mp);
            rte_mempool_free(kmp->mp);
            ovs_list_remove(&kmp->node);
            free(kmp);
        }
    }
    /* Look again later, less often the longer it takes. */
    kni_sweep_interval = MIN(MAX(kni_sweep_interval * 2, 100), 10000);
    kni_sweep_next = time_msec() + kni_sweep_interval;
    netdev_kni_ctx_put();
}

/* A port that committed 'commitment' mbufs of 'kmp' leaves it. */
static void
kni_mp_put(struct kni_mp *kmp, uint32_t commitment)
    OVS_REQUIRES(kni_mutex)
{
    if (!kmp) {
        return;
    }
    kmp->committed -= commitment;
    if (!--kmp->n_ports) {
        ovs_list_remove(&kmp->node);
        ovs_list_push_back(&kni_mps_sweep, &kmp->node);
        kni_sweep_interval = 0;
        kni_mp_sweep();
    }
}

/* Opens /dev/kni for the process if it is not open yet.  On failure stores
 * a message for the Interface 'error' column of port 'name' in '*errp'. */
static int
kni_ctx_get(const char *name, char **errp)
    OVS_REQUIRES(kni_mutex)
{
    char msg[256];
    int error;

    if (kni_ctx) {
        return 0;
    }
    if (!dpdk_available()) {
        *errp = xasprintf("%s: DPDK is not initialized: a kni interface "
                          "needs other_config:dpdk-init=true in the "
                          "Open_vSwitch table", name);
        return EOPNOTSUPP;
    }
    error = kni_ctx_open(NULL, &kni_ctx, msg, sizeof msg);
    if (error) {
        *errp = xasprintf("%s: %s", name,
                          msg[0] ? msg : ovs_strerror(error));
        return error;
    }
    VLOG_INFO("opened %s, kni ABI version %"PRIu32, KNI_DEVICE_PATH,
              kni_ctx_abi_version(kni_ctx));
    return 0;
}

/* Closes /dev/kni once no port and no mempool needs it, so that the
 * module can be unloaded while ovs-vswitchd runs on. */
static void
netdev_kni_ctx_put(void)
    OVS_REQUIRES(kni_mutex)
{
    if (kni_ctx && ovs_list_is_empty(&kni_list)
        && ovs_list_is_empty(&kni_parked_list)
        && ovs_list_is_empty(&kni_mps) && ovs_list_is_empty(&kni_mps_sweep)) {
        kni_ctx_close(kni_ctx);
        kni_ctx = NULL;
        VLOG_INFO("closed %s: no kni port left", KNI_DEVICE_PATH);
    }
}

/* The MTU of 'dev' is now 'mtu': the largest frame it sends follows. */
static void
netdev_kni_mtu_changed(struct netdev_kni *dev, int mtu)
    OVS_REQUIRES(dev->mutex)
{
    dev->mtu = mtu;
    atomic_store_relaxed(&dev->max_frame, mtu + KNI_FRAME_OVERHEAD);
}

/* Policers. */

/* Returns a policer of 'cir' bytes per second and 'cbs' bytes of burst, or
 * NULL if DPDK refuses them. */
static struct kni_policer *
kni_policer_create(uint64_t cir, uint64_t cbs)
{
    struct rte_meter_srtcm_params params = {
        .cir = cir, .cbs = cbs, .ebs = 0,
    };
    struct kni_policer *policer = xzalloc(sizeof *policer);

    if (rte_meter_srtcm_profile_config(&policer->profile, &params)
        || rte_meter_srtcm_config(&policer->meter, &policer->profile)) {
        free(policer);
        return NULL;
    }
    rte_spinlock_init(&policer->lock);
    policer->cir = cir;
    policer->cbs = cbs;
    return policer;
}

/* Replaces the policer in RCU pointer FIELD with NEW (either may be
 * NULL); PMD threads may still use the old one until they quiesce. */
#define KNI_POLICER_SET(FIELD, NEW)                                       \
    do {                                                                  \
        struct kni_policer *old__ =                                       \
            ovsrcu_get_protected(struct kni_policer *, FIELD);            \
                                                                          \
        ovsrcu_set(FIELD, NEW);                                           \
        if (old__) {                                                      \
            ovsrcu_postpone(free, old__);                                 \
        }                                                                 \
    } while (0)

/* Drops the packets of 'batch' the policer does not let through; returns
 * how many. */
static size_t
kni_policer_run(struct kni_policer *policer, struct dp_packet_batch *batch)
{
    size_t cnt = dp_packet_batch_size(batch);
    uint64_t now = rte_rdtsc();
    struct dp_packet *packet;
    size_t i;

    rte_spinlock_lock(&policer->lock);
    DP_PACKET_BATCH_REFILL_FOR_EACH (i, cnt, packet, batch) {
        if (rte_meter_srtcm_color_blind_check(&policer->meter,
                                              &policer->profile, now,
                                              dp_packet_size(packet))
            == RTE_COLOR_GREEN) {
            dp_packet_batch_refill(batch, packet, i);
        } else {
            dp_packet_delete(packet);
        }
    }
    rte_spinlock_unlock(&policer->lock);
    return cnt - dp_packet_batch_size(batch);
}

/* Creates the kernel device of 'dev' with its requested configuration. */
static int
netdev_kni_create_kdev(struct netdev_kni *dev, struct kni_mp *kmp,
                       char **errp)
    OVS_REQUIRES(kni_mutex, dev->mutex)
{
    const char *name = netdev_get_name(&dev->up);
    uint32_t frame_room = kni_frame_room(dev->requested_mtu);
    uint32_t commitment = kni_commitment(dev->requested_ring_size,
                                         dev->requested_n_rxq,
                                         dev->requested_n_txq);
    struct kni_dev_conf conf;
    struct kni_dev *kdev;
    int error;

    if (!kmp) {
        kmp = kni_mp_get(name, frame_room, commitment, errp);
        if (!kmp) {
            return ENOMEM;
        }
    }

    memset(&conf, 0, sizeof conf);
    conf.name = name;
    conf.mp = kmp->mp;
    conf.mtu = dev->requested_mtu;
    conf.ring_size = dev->requested_ring_size;
    conf.fill_level = kni_fill_level(dev->requested_ring_size);
    conf.n_rxq = dev->requested_n_rxq;
    conf.n_txq = dev->requested_n_txq;
    conf.force_bind = dev->force_bind;
    conf.core_id = dev->core_id;
    /* The kernel side may change the MTU within the buffers, the MAC
     * address, and tell us of promisc, allmulti and address lists. */
    conf.policy = KNI_POLICY_MAC | KNI_POLICY_RX_MODE;
    conf.mac_set = true;
    memcpy(conf.mac, (eth_addr_is_zero(dev->requested_mac)
                      ? dev->hwaddr.ea : dev->requested_mac.ea), ETH_ADDR_LEN);
    conf.offloads = kni_offloads();

    error = kni_dev_create(kni_ctx, &conf, &kdev);
    if (error) {
        if (error == EEXIST) {
            *errp = xasprintf("%s: a network device of that name already "
                              "exists in the kernel", name);
        } else if (error == EPERM) {
            *errp = xasprintf("%s: creating a kni device needs "
                              "CAP_NET_ADMIN", name);
        } else {
            *errp = xasprintf("%s: the kni module refused to create the "
                              "device (%s)", name, ovs_strerror(error));
        }
        kni_mp_put(kmp, commitment);
        return error;
    }

    dev->ctx = kni_ctx;
    dev->kdev = kdev;
    dev->kmp = kmp;
    dev->mp = kmp->mp;
    dev->commitment = commitment;
    dev->frame_room = kni_dev_buf_size(kdev);
    dev->ring_size = kni_dev_ring_size(kdev);
    dev->up.n_rxq = kni_dev_n_rxq(kdev);
    dev->up.n_txq = kni_dev_n_txq(kdev);
    dev->offloads = conf.offloads;
    netdev_kni_mtu_changed(dev, dev->requested_mtu);
    if (!eth_addr_is_zero(dev->requested_mac)) {
        dev->hwaddr = dev->requested_mac;
    }
    dev->kernel_up = false;
    dev->kernel_promisc = false;
    dev->kernel_allmulti = false;
    dev->kernel_deleted = false;
    dev->kernel_ifindex = kni_dev_ifindex(kdev);
    dev->kernel_n_uc = 0;
    dev->kernel_n_mc = 0;
    kni_dev_set_carrier(kdev, dev->flags & NETDEV_UP);
    VLOG_INFO("%s: created kernel device, ifindex %d, %"PRIu32" ring "
              "entries, %"PRIu32"-byte buffers, %d rx and %d tx queues",
              name, kni_dev_ifindex(kdev), dev->ring_size, dev->frame_room,
              dev->up.n_rxq, dev->up.n_txq);
    netdev_change_seq_changed(&dev->up);
    return 0;
}

static void
netdev_kni_destroy_kdev(struct netdev_kni *dev)
    OVS_REQUIRES(kni_mutex, dev->mutex)
{
    if (dev->kdev) {
        kni_dev_release(dev->kdev);
        dev->kdev = NULL;
        kni_mp_put(dev->kmp, dev->commitment);
        dev->kmp = NULL;
        dev->mp = NULL;
    }
}

/* Parked kernel devices.
 *
 * bridge.c takes a port out of the bridge, and destroys its netdev, when
 * set_config() fails; then it makes a new netdev for the Interface at each
 * reconfiguration, which fails the same way until the options are fixed.
 * Destroying the netdev would release its kernel device, and with it the
 * device's addresses, routes and network namespace, for a typo.  So when
 * the netdev of a port whose options went bad is destroyed, its kernel
 * device is parked instead; the error shows in the Interface's "error"
 * column; and the first netdev of that name whose options are good takes
 * the device back, with its state.  A parked device that a
 * reconfiguration no longer wants (the Interface was deleted) is released
 * then (netdev_kni_run()).  If no other kni port exists to tell that a
 * reconfiguration happened, it stays until ovs-vswitchd exits or the port
 * comes back. */

static struct kni_parked *
kni_parked_find(const char *name)
    OVS_REQUIRES(kni_mutex)
{
    struct kni_parked *p;

    LIST_FOR_EACH (p, node, &kni_parked_list) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

/* Moves the kernel side of 'dev' to the parked list. */
static void
netdev_kni_park(struct netdev_kni *dev)
    OVS_REQUIRES(kni_mutex, dev->mutex)
{
    struct kni_parked *p = xzalloc(sizeof *p);

    ovs_strlcpy(p->name, netdev_get_name(&dev->up), sizeof p->name);
    p->gen = kni_config_gen;
    p->kdev = dev->kdev;
    p->kmp = dev->kmp;
    p->commitment = dev->commitment;
    p->frame_room = dev->frame_room;
    p->offloads = dev->offloads;
    p->ring_size = dev->ring_size;
    p->n_rxq = dev->up.n_rxq;
    p->n_txq = dev->up.n_txq;
    p->mtu = dev->mtu;
    p->hwaddr = dev->hwaddr;
    p->kernel_up = dev->kernel_up;
    p->kernel_promisc = dev->kernel_promisc;
    p->kernel_allmulti = dev->kernel_allmulti;
    p->kernel_ifindex = dev->kernel_ifindex;
    p->kernel_n_uc = dev->kernel_n_uc;
    p->kernel_n_mc = dev->kernel_n_mc;
    p->core_id = dev->core_id;
    p->force_bind = dev->force_bind;
    ovs_list_push_back(&kni_parked_list, &p->node);
    dev->kdev = NULL;
    dev->kmp = NULL;
    dev->mp = NULL;
    VLOG_WARN("%s: keeping the kernel device while the port's options are "
              "bad", p->name);
}

/* Gives 'dev' the parked kernel device 'p', which it takes over. */
static void
netdev_kni_unpark(struct netdev_kni *dev, struct kni_parked *p)
    OVS_REQUIRES(kni_mutex, dev->mutex)
{
    dev->ctx = kni_ctx;
    dev->kdev = p->kdev;
    dev->kmp = p->kmp;
    dev->mp = p->kmp->mp;
    dev->commitment = p->commitment;
    dev->frame_room = p->frame_room;
    dev->offloads = p->offloads;
    dev->ring_size = p->ring_size;
    dev->up.n_rxq = p->n_rxq;
    dev->up.n_txq = p->n_txq;
    netdev_kni_mtu_changed(dev, p->mtu);
    dev->hwaddr = p->hwaddr;
    dev->kernel_up = p->kernel_up;
    dev->kernel_promisc = p->kernel_promisc;
    dev->kernel_allmulti = p->kernel_allmulti;
    dev->kernel_ifindex = p->kernel_ifindex;
    dev->kernel_n_uc = p->kernel_n_uc;
    dev->kernel_n_mc = p->kernel_n_mc;
    dev->kernel_deleted = false;
    kni_dev_set_carrier(dev->kdev, dev->flags & NETDEV_UP);
    VLOG_INFO("%s: options good again, same kernel device, ifindex %d",
              p->name, p->kernel_ifindex);
    ovs_list_remove(&p->node);
    free(p);
    /* Its events while parked went unread. */
    netdev_kni_resync(dev);
}

static void
kni_parked_release(struct kni_parked *p)
    OVS_REQUIRES(kni_mutex)
{
    VLOG_INFO("%s: no longer configured: releasing the kernel device",
              p->name);
    kni_dev_release(p->kdev);
    kni_mp_put(p->kmp, p->commitment);
    ovs_list_remove(&p->node);
    free(p);
}

/* netdev_class functions. */

static struct netdev *
netdev_kni_alloc(void)
{
    /* Aligned, so that each queue's counters and lock have their cache
     * line to themselves. */
    struct netdev_kni *dev = xzalloc_cacheline(sizeof *dev);

    return &dev->up;
}

static int
netdev_kni_construct(struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_init(&dev->mutex);
    /* The queues' counters start at 0: alloc() zeroed them. */
    for (size_t i = 0; i < ARRAY_SIZE(dev->txqs); i++) {
        rte_spinlock_init(&dev->txqs[i].lock);
    }
    ovs_mutex_lock(&dev->mutex);
    dev->flags = NETDEV_UP | NETDEV_PROMISC;
    atomic_init(&dev->up_flag, true);
    dev->mtu = ETH_PAYLOAD_MAX;
    atomic_init(&dev->max_frame, ETH_PAYLOAD_MAX + KNI_FRAME_OVERHEAD);
    ovsrcu_init(&dev->ingress_policer, NULL);
    ovsrcu_init(&dev->egress_policer, NULL);
    dev->requested_mtu = ETH_PAYLOAD_MAX;
    dev->requested_ring_size = KNI_RING_SIZE_DEFAULT;
    dev->requested_n_rxq = 1;
    dev->requested_n_txq = 1;
    smap_init(&dev->options);
    eth_addr_random(&dev->hwaddr);
    ovs_mutex_unlock(&dev->mutex);
    netdev->n_rxq = 1;
    netdev->n_txq = 1;
    if (userspace_tso_enabled()) {
        /* The kernel device takes them (see "Offloads"). */
        netdev->ol_flags |= NETDEV_TX_OFFLOAD_IPV4_CKSUM
                            | NETDEV_TX_OFFLOAD_TCP_CKSUM
                            | NETDEV_TX_OFFLOAD_UDP_CKSUM
                            | NETDEV_TX_OFFLOAD_TCP_TSO;
    }

    ovs_mutex_lock(&kni_mutex);
    ovs_list_push_back(&kni_list, &dev->node);
    ovs_mutex_unlock(&kni_mutex);
    return 0;
}

static void
netdev_kni_destruct(struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&kni_mutex);
    ovs_mutex_lock(&dev->mutex);
    if (dev->config_failed && dev->kdev && !dev->kernel_deleted
        && !kni_parked_find(netdev_get_name(netdev))) {
        netdev_kni_park(dev);
    } else {
        netdev_kni_destroy_kdev(dev);
    }
    ovs_mutex_unlock(&dev->mutex);
    ovs_list_remove(&dev->node);
    netdev_kni_ctx_put();
    ovs_mutex_unlock(&kni_mutex);
    KNI_POLICER_SET(&dev->ingress_policer, NULL);
    KNI_POLICER_SET(&dev->egress_policer, NULL);
    smap_destroy(&dev->options);
    ovs_mutex_destroy(&dev->mutex);
}

static void
netdev_kni_dealloc(struct netdev *netdev)
{
    free_cacheline(netdev_kni_cast(netdev));
}

/* True if the options ask for rings the kernel device of 'dev' does not
 * have: a new device is needed. */
static bool
netdev_kni_rings_changed(const struct netdev_kni *dev)
    OVS_REQUIRES(dev->mutex)
{
    return (dev->ring_size != dev->requested_ring_size
            || dev->up.n_rxq != dev->requested_n_rxq
            || dev->up.n_txq != dev->requested_n_txq);
}

/* The configuration in use: the kernel device's ring size once it has
 * one, what the options asked for otherwise. */
static int
netdev_kni_get_config(const struct netdev *netdev, struct smap *args)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    smap_add_format(args, "ring_size", "%"PRIu32,
                    dev->kdev ? dev->ring_size : dev->requested_ring_size);
    smap_add_format(args, "n_rxq", "%d",
                    dev->kdev ? dev->up.n_rxq : dev->requested_n_rxq);
    smap_add_format(args, "n_txq", "%d",
                    dev->kdev ? dev->up.n_txq : dev->requested_n_txq);
    if (!eth_addr_is_zero(dev->requested_mac)) {
        smap_add_format(args, "mac", ETH_ADDR_FMT,
                        ETH_ADDR_ARGS(dev->requested_mac));
    }
    if (dev->force_bind) {
        smap_add_format(args, "kthread_core", "%"PRIu32, dev->core_id);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* Parses the options column.  Returns 0, or EINVAL with a message for the
 * operator in '*errp'. */
struct kni_options {
    struct eth_addr mac;
    uint32_t ring_size;
    int n_rxq;
    int n_txq;
    bool force_bind;
    uint32_t core_id;
};

/* Parses options:n_rxq or options:n_txq, 'node', into '*n'. */
static int
kni_parse_n_queues(const char *name, const struct smap_node *node, int *n,
                   char **errp)
{
    unsigned int value;

    if (!str_to_uint(node->value, 10, &value)
        || value < 1 || value > KNI_MAX_QUEUES) {
        *errp = xasprintf("%s: options:%s=%s must be a number of queues "
                          "from 1 to %d", name, node->key, node->value,
                          KNI_MAX_QUEUES);
        return EINVAL;
    }
    *n = value;
    return 0;
}

static int
netdev_kni_parse_options(const char *name, const struct smap *args,
                         struct kni_options *o, char **errp)
{
    struct smap_node *node;

    o->mac = eth_addr_zero;
    o->ring_size = KNI_RING_SIZE_DEFAULT;
    o->n_rxq = 1;
    o->n_txq = 1;
    o->force_bind = false;
    o->core_id = 0;

    SMAP_FOR_EACH (node, args) {
        unsigned int value;

        if (!strcmp(node->key, "mac")) {
            if (!eth_addr_from_string(node->value, &o->mac)
                || eth_addr_is_zero(o->mac)
                || eth_addr_is_multicast(o->mac)) {
                *errp = xasprintf("%s: options:mac=%s is not a unicast "
                                  "Ethernet address", name, node->value);
                return EINVAL;
            }
        } else if (!strcmp(node->key, "ring_size")) {
            if (!str_to_uint(node->value, 10, &value)
                || value < KNI_RING_SIZE_MIN || value > KNI_RING_SIZE_MAX
                || !is_pow2(value)) {
                *errp = xasprintf("%s: options:ring_size=%s must be a power "
                                  "of two from %d to %d", name, node->value,
                                  KNI_RING_SIZE_MIN, KNI_RING_SIZE_MAX);
                return EINVAL;
            }
            o->ring_size = value;
        } else if (!strcmp(node->key, "n_rxq")) {
            if (kni_parse_n_queues(name, node, &o->n_rxq, errp)) {
                return EINVAL;
            }
        } else if (!strcmp(node->key, "n_txq")) {
            if (kni_parse_n_queues(name, node, &o->n_txq, errp)) {
                return EINVAL;
            }
        } else if (!strcmp(node->key, "kthread_core")) {
            if (!str_to_uint(node->value, 10, &value)) {
                *errp = xasprintf("%s: options:kthread_core=%s is not a CPU "
                                  "number", name, node->value);
                return EINVAL;
            }
            o->force_bind = true;
            o->core_id = value;
        } else {
            *errp = xasprintf("%s: unknown option '%s' (a kni interface "
                              "takes 'mac', 'ring_size', 'n_rxq', 'n_txq' "
                              "and 'kthread_core')", name, node->key);
            return EINVAL;
        }
    }
    return 0;
}

static int
netdev_kni_set_config__(struct netdev *netdev, const struct smap *args,
                        char **errp)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    const char *name = netdev_get_name(netdev);
    bool apply_mac = false;
    bool apply_core = false;
    struct kni_options o;
    struct eth_addr mac;
    bool options_changed;
    int error;

    if (strlen(name) >= KNI_NAMESIZE) {
        *errp = xasprintf("%s: a kni interface name has at most %d bytes "
                          "(the kernel's limit)", name, KNI_NAMESIZE - 1);
        return EINVAL;
    }

    error = netdev_kni_parse_options(name, args, &o, errp);
    if (error) {
        return error;
    }
    mac = o.mac;

    ovs_mutex_lock(&kni_mutex);
    error = kni_ctx_get(name, errp);
    if (error) {
        ovs_mutex_unlock(&kni_mutex);
        return error;
    }

    ovs_mutex_lock(&dev->mutex);
    options_changed = !smap_equal(&dev->options, args);
    if (options_changed) {
        smap_destroy(&dev->options);
        smap_clone(&dev->options, args);
    }
    if (o.ring_size != dev->failed_ring_size
        || o.n_rxq != dev->failed_n_rxq || o.n_txq != dev->failed_n_txq) {
        dev->failed_ring_size = 0;
        dev->failed_n_rxq = 0;
        dev->failed_n_txq = 0;
    }
    if ((dev->requested_ring_size != o.ring_size
         || dev->requested_n_rxq != o.n_rxq
         || dev->requested_n_txq != o.n_txq)
        && !dev->failed_ring_size) {
        /* New rings need a new kernel device: reconfigure() makes it. */
        dev->requested_ring_size = o.ring_size;
        dev->requested_n_rxq = o.n_rxq;
        dev->requested_n_txq = o.n_txq;
        if (dev->kdev) {
            netdev_request_reconfigure(netdev);
        }
    }
    if (dev->force_bind != o.force_bind || dev->core_id != o.core_id) {
        /* The kernel moves the device's receive thread in place. */
        apply_core = dev->kdev && !dev->kernel_deleted;
        if (apply_core) {
            error = kni_dev_set_core(dev->kdev, o.force_bind, o.core_id);
            if (error) {
                *errp = xasprintf("%s: the kni module refused "
                                  "options:kthread_core=%"PRIu32" (%s)",
                                  name, o.core_id, ovs_strerror(error));
                ovs_mutex_unlock(&dev->mutex);
                ovs_mutex_unlock(&kni_mutex);
                return error;
            }
            VLOG_INFO("%s: the kernel receive thread is %s", name,
                      o.force_bind ? "bound to a CPU" : "unbound");
        }
        dev->force_bind = o.force_bind;
        dev->core_id = o.core_id;
    }
    if (!eth_addr_equals(dev->requested_mac, mac)) {
        dev->requested_mac = mac;
        apply_mac = (dev->kdev && !eth_addr_is_zero(mac)
                     && !eth_addr_equals(dev->hwaddr, mac));
    }
    if (dev->kernel_deleted) {
        /* The kernel deleted the device while the port was in the
         * datapath.  bridge.c calls us at every reconfiguration: make a new
         * device only when the options change, in reconfigure(), out of
         * the PMD threads' way. */
        if (options_changed) {
            netdev_request_reconfigure(netdev);
        }
    } else if (!dev->kdev) {
        /* The port is not in the datapath yet: no PMD thread can see it, so
         * the device can be made now and any failure shows in the Interface
         * 'error' column.  A device parked for the port while its options
         * were bad comes back first. */
        struct kni_parked *p = kni_parked_find(name);

        if (p) {
            netdev_kni_unpark(dev, p);
            if (netdev_kni_rings_changed(dev)
                || dev->frame_room
                   < dev->requested_mtu + KNI_FRAME_OVERHEAD) {
                netdev_request_reconfigure(netdev);
            }
            apply_mac = (!eth_addr_is_zero(dev->requested_mac)
                         && !eth_addr_equals(dev->hwaddr,
                                             dev->requested_mac));
            mac = dev->requested_mac;
            if (dev->force_bind) {
                kni_dev_set_core(dev->kdev, true, dev->core_id);
            }
        } else {
            error = netdev_kni_create_kdev(dev, NULL, errp);
        }
    }
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_unlock(&kni_mutex);

    if (apply_mac) {
        /* The kernel takes a new address in place, with no request back to
         * us. */
        error = netdev_kni_set_etheraddr(netdev, mac);
        if (error) {
            *errp = xasprintf("%s: the kni module refused options:mac="
                              ETH_ADDR_FMT" (%s)", name, ETH_ADDR_ARGS(mac),
                              ovs_strerror(error));
        }
    }
    return error;
}

static int
netdev_kni_set_config(struct netdev *netdev, const struct smap *args,
                      char **errp)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct kni_parked *p;
    int error;

    error = netdev_kni_set_config__(netdev, args, errp);

    ovs_mutex_lock(&kni_mutex);
    kni_config_seen = true;
    dev->config_failed = error != 0;
    p = kni_parked_find(netdev_get_name(netdev));
    if (p) {
        /* The port still exists: keep its device parked. */
        p->gen = kni_config_gen;
    }
    ovs_mutex_unlock(&kni_mutex);
    return error;
}

static int netdev_kni_kernel_set(struct netdev_kni *, int mtu,
                                 const struct eth_addr *);

/* Gives the kernel device of 'dev' larger buffers for its requested MTU,
 * from a new mempool, without making it again: it keeps its ifindex,
 * addresses and state.  The old mempool is freed once its mbufs are all
 * back. */
static int
netdev_kni_grow_buffers(struct netdev_kni *dev)
    OVS_REQUIRES(kni_mutex)
    OVS_EXCLUDED(dev->mutex)
{
    const char *name = netdev_get_name(&dev->up);
    struct kni_mp *kmp, *old_kmp;
    uint32_t frame_room, commitment;
    char *errp = NULL;
    int error, mtu;

    ovs_mutex_lock(&dev->mutex);
    mtu = dev->requested_mtu;
    frame_room = kni_frame_room(mtu);
    commitment = dev->commitment;
    ovs_mutex_unlock(&dev->mutex);

    kmp = kni_mp_get(name, frame_room, commitment, &errp);
    if (!kmp) {
        VLOG_ERR("%s (for MTU %d): the MTU stays as it was", errp, mtu);
        free(errp);
        return ENOMEM;
    }
    error = kni_dev_set_mempool(dev->kdev, kmp->mp);
    if (error) {
        VLOG_ERR("%s: the kni module refused buffers of %"PRIu32" bytes for "
                 "MTU %d (%s): the MTU stays as it was", name, frame_room,
                 mtu, ovs_strerror(error));
        kni_mp_put(kmp, commitment);
        return error;
    }

    ovs_mutex_lock(&dev->mutex);
    old_kmp = dev->kmp;
    dev->kmp = kmp;
    dev->mp = kmp->mp;
    dev->frame_room = kni_dev_buf_size(dev->kdev);
    ovs_mutex_unlock(&dev->mutex);
    kni_mp_put(old_kmp, commitment);
    VLOG_INFO("%s: buffers of %"PRIu32" bytes for MTU %d, same kernel "
              "device", name, dev->frame_room, mtu);

    error = netdev_kni_kernel_set(dev, mtu, NULL);
    if (error) {
        VLOG_ERR("%s: the kni module refused MTU %d (%s): the MTU stays as "
                 "it was", name, mtu, ovs_strerror(error));
    }
    return error;
}

static int
netdev_kni_reconfigure(struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    char *errp = NULL;
    bool grow;
    int error = 0;

    ovs_mutex_lock(&kni_mutex);
    ovs_mutex_lock(&dev->mutex);
    if (dev->kernel_deleted && dev->kdev) {
        /* Give the buffers of the device the kernel deleted back, now that
         * no PMD thread uses it; set_config() asks for a new one. */
        VLOG_INFO("%s: releasing the kernel device the kernel deleted",
                  netdev_get_name(netdev));
        netdev_kni_destroy_kdev(dev);
        ovs_mutex_unlock(&dev->mutex);
        ovs_mutex_unlock(&kni_mutex);
        return 0;
    }
    grow = (dev->kdev && !netdev_kni_rings_changed(dev)
            && dev->frame_room < dev->requested_mtu + KNI_FRAME_OVERHEAD);
    ovs_mutex_unlock(&dev->mutex);
    if (grow) {
        /* On failure the port goes on with the MTU it had: an error from
         * reconfigure() would take it out of the datapath. */
        if (netdev_kni_grow_buffers(dev)) {
            ovs_mutex_lock(&dev->mutex);
            dev->failed_mtu = dev->requested_mtu;
            dev->requested_mtu = dev->mtu;
            ovs_mutex_unlock(&dev->mutex);
        }
        ovs_mutex_unlock(&kni_mutex);
        return 0;
    }

    ovs_mutex_lock(&dev->mutex);
    if (!dev->kdev) {
        error = netdev_kni_create_kdev(dev, NULL, &errp);
        if (error) {
            VLOG_ERR("%s", errp);
            free(errp);
        }
    } else if (netdev_kni_rings_changed(dev)
               || dev->frame_room
                  < dev->requested_mtu + KNI_FRAME_OVERHEAD) {
        /* New rings need a new kernel device.  Get the buffers first: if
         * there is no memory for them, the port keeps the device it has (an
         * error here would take it out of the datapath). */
        const char *name = netdev_get_name(netdev);
        uint32_t frame_room = kni_frame_room(dev->requested_mtu);
        uint32_t commitment = kni_commitment(dev->requested_ring_size,
                                             dev->requested_n_rxq,
                                             dev->requested_n_txq);
        struct kni_mp *kmp = kni_mp_get(name, frame_room, commitment, &errp);

        if (!kmp) {
            VLOG_ERR("%s: the port keeps its %"PRIu32" ring entries, %d rx "
                     "and %d tx queues and MTU %d", errp, dev->ring_size,
                     dev->up.n_rxq, dev->up.n_txq, dev->mtu);
            free(errp);
            dev->failed_ring_size = dev->requested_ring_size;
            dev->failed_n_rxq = dev->requested_n_rxq;
            dev->failed_n_txq = dev->requested_n_txq;
            dev->failed_mtu = dev->requested_mtu;
            dev->requested_ring_size = dev->ring_size;
            dev->requested_n_rxq = dev->up.n_rxq;
            dev->requested_n_txq = dev->up.n_txq;
            dev->requested_mtu = dev->mtu;
        } else {
            netdev_kni_destroy_kdev(dev);
            error = netdev_kni_create_kdev(dev, kmp, &errp);
            if (error) {
                VLOG_ERR("%s", errp);
                free(errp);
            }
        }
    }
    ovs_mutex_unlock(&dev->mutex);
    ovs_mutex_unlock(&kni_mutex);
    return error;
}

/* Changes the MTU (when 'mac' is null) or the MAC address of the kernel
 * device of 'dev' from OVS's side, then OVS's copy, under 'dev->mutex' so
 * that an event read in between cannot be overwritten by this older value.
 * The module posts no event for it and never waits for us, so holding the
 * mutex across the ioctl (which takes RTNL) is safe. */
static int
netdev_kni_kernel_set(struct netdev_kni *dev, int mtu,
                      const struct eth_addr *mac)
    OVS_EXCLUDED(dev->mutex)
{
    int error;

    ovs_mutex_lock(&dev->mutex);
    if (!dev->kdev) {
        error = ENODEV;
    } else {
        error = (mac
                 ? kni_dev_set_mac(dev->kdev, mac->ea)
                 : kni_dev_set_mtu(dev->kdev, mtu));
    }
    if (!error) {
        if (mac && !eth_addr_equals(dev->hwaddr, *mac)) {
            dev->hwaddr = *mac;
            netdev_change_seq_changed(&dev->up);
        } else if (!mac && dev->mtu != mtu) {
            netdev_kni_mtu_changed(dev, mtu);
            netdev_change_seq_changed(&dev->up);
        }
    }
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_kni_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *mac = dev->hwaddr;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_kni_set_etheraddr(struct netdev *netdev, const struct eth_addr mac)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    if (dev->kdev) {
        return netdev_kni_kernel_set(dev, 0, &mac);
    }
    ovs_mutex_lock(&dev->mutex);
    if (!eth_addr_equals(dev->hwaddr, mac)) {
        dev->hwaddr = mac;
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_kni_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *mtup = dev->mtu;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_kni_set_mtu(struct netdev *netdev, int mtu)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    bool in_place;

    if (mtu < ETH_PAYLOAD_MIN || mtu > KNI_MTU_MAX) {
        VLOG_WARN_RL(&rl, "%s: MTU %d is outside %d to %d",
                     netdev_get_name(netdev), mtu, ETH_PAYLOAD_MIN,
                     KNI_MTU_MAX);
        return EINVAL;
    }

    ovs_mutex_lock(&dev->mutex);
    if (dev->mtu == mtu) {
        ovs_mutex_unlock(&dev->mutex);
        return 0;
    }
    in_place = dev->kdev && mtu + KNI_FRAME_OVERHEAD <= dev->frame_room;
    if (mtu != dev->failed_mtu) {
        dev->failed_mtu = 0;
    } else if (!in_place && dev->kdev) {
        /* There was no memory for buffers that large: not again. */
        ovs_mutex_unlock(&dev->mutex);
        return ENOMEM;
    }
    dev->requested_mtu = mtu;
    if (dev->kdev && !in_place) {
        /* Larger buffers are needed: reconfigure() gives them. */
        netdev_request_reconfigure(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);

    /* The buffers hold it: change the kernel device in place. */
    return in_place ? netdev_kni_kernel_set(dev, mtu, NULL) : 0;
}

static int
netdev_kni_get_ifindex(const struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    int ifindex;

    ovs_mutex_lock(&dev->mutex);
    ifindex = dev->kdev && !dev->kernel_deleted ? dev->kernel_ifindex
                                                : -ENODEV;
    ovs_mutex_unlock(&dev->mutex);
    return ifindex;
}

static int
netdev_kni_get_carrier(const struct netdev *netdev, bool *carrier)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    *carrier = dev->kdev && dev->kernel_up && !dev->kernel_deleted;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_kni_update_flags(struct netdev *netdev, enum netdev_flags off,
                        enum netdev_flags on, enum netdev_flags *old_flagsp)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    enum netdev_flags new_flags;
    int error = 0;

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }

    ovs_mutex_lock(&dev->mutex);
    *old_flagsp = dev->flags;
    new_flags = (dev->flags & ~off) | on;
    if ((new_flags ^ dev->flags) & NETDEV_UP && dev->kdev) {
        /* The port's state drives the kernel carrier. */
        error = kni_dev_set_carrier(dev->kdev, new_flags & NETDEV_UP);
    }
    if (!error && new_flags != dev->flags) {
        dev->flags = new_flags;
        atomic_store_relaxed(&dev->up_flag, !!(new_flags & NETDEV_UP));
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_kni_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct kni_port_stats s;

    /* netdev_get_stats() set every field to UINT64_MAX, "not counted":
     * leave those this class does not count. */
    kni_port_stats_get(dev, &s);
    stats->rx_packets = s.rx_packets;
    stats->rx_bytes = s.rx_bytes;
    stats->rx_dropped = s.rx_qos_drops;
    stats->tx_packets = s.tx_packets;
    stats->tx_bytes = s.tx_bytes;
    stats->tx_dropped = (s.tx_failure_drops + s.tx_mtu_drops
                         + s.tx_no_mbuf_drops + s.tx_qos_drops
                         + s.tx_bad_offload_drops + s.tx_down_drops);
    return 0;
}

/* Puts queue 'q''s counters, "DIR_qQ_packets" and "DIR_qQ_bytes", at 'i'
 * in 'custom'.  Returns the index after them. */
static int
kni_custom_queue(struct netdev_custom_stats *custom, int i, const char *dir,
                 int q, const atomic_uint64_t *packets,
                 const atomic_uint64_t *bytes)
{
    snprintf(custom->counters[i].name, NETDEV_CUSTOM_STATS_NAME_SIZE,
             "%s_q%d_packets", dir, q);
    custom->counters[i++].value = kni_counter(packets);
    snprintf(custom->counters[i].name, NETDEV_CUSTOM_STATS_NAME_SIZE,
             "%s_q%d_bytes", dir, q);
    custom->counters[i++].value = kni_counter(bytes);
    return i;
}

static int
netdev_kni_get_custom_stats(const struct netdev *netdev,
                            struct netdev_custom_stats *custom)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct kni_dev_ustats us;
    struct kni_port_stats s;
    struct kni_stats ks;
    int n_rxq, n_txq;
    int i = 0;

    memset(&us, 0, sizeof us);
    memset(&ks, 0, sizeof ks);
    ovs_mutex_lock(&dev->mutex);
    if (dev->kdev) {
        kni_dev_get_ustats(dev->kdev, &us);
        kni_dev_get_stats(dev->kdev, &ks);
    }

    kni_port_stats_get(dev, &s);
    /* Queues in use, each counted on its own when there are several. */
    n_rxq = dev->up.n_rxq > 1 ? dev->up.n_rxq : 0;
    n_txq = dev->up.n_txq > 1 ? dev->up.n_txq : 0;

#define KNI_CUSTOM_STATS                                    \
    C("ovs_tx_failure_drops", s.tx_failure_drops)           \
    C("ovs_tx_mtu_exceeded_drops", s.tx_mtu_drops)          \
    C("ovs_tx_qos_drops", s.tx_qos_drops)                   \
    C("ovs_rx_qos_drops", s.rx_qos_drops)                   \
    C("ovs_tx_no_mbuf_drops", s.tx_no_mbuf_drops)           \
    C("ovs_tx_bad_offload_drops", s.tx_bad_offload_drops)   \
    C("tx_zero_copy", s.tx_zero_copy)                       \
    C("tx_copied", s.tx_copied)                             \
    C("rx_tso_packets", s.rx_tso_packets)                   \
    C("tx_tso_packets", s.tx_tso_packets)                   \
    C("tx_sw_segmented", s.tx_sw_segmented)                 \
    C("fill_alloc_failures", us.fill_alloc_failed)          \
    C("kicks", us.kicks)                                    \
    C("kernel_events", dev->kernel_events)                  \
    C("kernel_rx_packets", ks.rx_packets)                   \
    C("kernel_rx_bad_desc", ks.rx_bad_desc)                 \
    C("kernel_rx_nomem", ks.rx_nomem)                       \
    C("kernel_tx_packets", ks.tx_packets)                   \
    C("kernel_tx_no_fill", ks.tx_no_fill)                   \
    C("kernel_tx_ring_full", ks.tx_ring_full)               \
    C("kernel_tx_too_big", ks.tx_too_big)                   \
    C("kernel_fill_bad_desc", ks.fill_bad_desc)             \
    C("kernel_fill_too_small", ks.fill_too_small)           \
    C("kernel_tx_stopped", ks.tx_stopped)                   \
    C("kernel_tx_dropped", ks.tx_dropped)

#define C(NAME, VALUE) + 1
    custom->size = 0 KNI_CUSTOM_STATS;
#undef C
    custom->size += 2 * (n_rxq + n_txq);
    custom->counters = xcalloc(custom->size, sizeof *custom->counters);
#define C(NAME, VALUE)                                                  \
    ovs_strlcpy(custom->counters[i].name, NAME,                         \
                NETDEV_CUSTOM_STATS_NAME_SIZE);                         \
    custom->counters[i++].value = VALUE;
    KNI_CUSTOM_STATS
#undef C
    for (int q = 0; q < n_rxq; q++) {
        i = kni_custom_queue(custom, i, "rx", q, &dev->rxqs[q].stats.packets,
                             &dev->rxqs[q].stats.bytes);
    }
    for (int q = 0; q < n_txq; q++) {
        i = kni_custom_queue(custom, i, "tx", q, &dev->txqs[q].stats.packets,
                             &dev->txqs[q].stats.bytes);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* The datapath would like 'n_txq' transmit queues, one per thread that
 * sends.  The kernel device's queues come from options:n_txq only: making
 * the device again for them would drop its addresses and routes each time
 * PMD threads come or go, and each queue commits ring_size mbufs.  With
 * fewer queues the threads share them, each queue under its own lock
 * (concurrent_txq in send()); with as many, sending takes no lock. */
static int
netdev_kni_set_tx_multiq(struct netdev *netdev, unsigned int n_txq)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    dev->tx_threads = n_txq;
    if (n_txq > (unsigned int) dev->requested_n_txq && !dev->multiq_advised) {
        dev->multiq_advised = true;
        VLOG_INFO("%s: %u threads may send to it on %d tx queues, sharing "
                  "them under a lock; options:n_txq=%u (at most %d) would "
                  "give each a queue of its own", netdev_get_name(netdev),
                  n_txq, dev->requested_n_txq, MIN(n_txq, KNI_MAX_QUEUES),
                  KNI_MAX_QUEUES);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_kni_get_status(const struct netdev *netdev, struct smap *args)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    if (dev->kernel_deleted) {
        smap_add(args, "kernel_device", "deleted by the kernel");
    } else if (dev->kdev) {
        smap_add_format(args, "kernel_ifindex", "%d", dev->kernel_ifindex);
        smap_add_format(args, "ring_size", "%"PRIu32, dev->ring_size);
        smap_add_format(args, "n_rxq", "%d", dev->up.n_rxq);
        smap_add_format(args, "n_txq", "%d", dev->up.n_txq);
        if (dev->tx_threads) {
            smap_add_format(args, "tx_threads", "%u", dev->tx_threads);
        }
        smap_add_format(args, "buffer_size", "%"PRIu32, dev->frame_room);
        smap_add(args, "mempool", dev->mp->name);
        smap_add_format(args, "mempool_mbufs", "%u", dev->mp->size);
        smap_add_format(args, "mempool_ports", "%u", dev->kmp->n_ports);
        smap_add_format(args, "mbufs_committed", "%"PRIu32,
                        dev->commitment);
    }
    smap_add_format(args, "abi_version", "%d", KNI_ABI_VERSION);
    smap_add(args, "kernel_admin_state", dev->kernel_up ? "up" : "down");
    smap_add(args, "kernel_promisc", dev->kernel_promisc ? "true" : "false");
    smap_add(args, "kernel_allmulti", dev->kernel_allmulti ? "true" : "false");
    smap_add_format(args, "kernel_uc_addresses", "%"PRIu32, dev->kernel_n_uc);
    smap_add_format(args, "kernel_mc_addresses", "%"PRIu32, dev->kernel_n_mc);
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_kni_get_numa_id(const struct netdev *netdev OVS_UNUSED)
{
    return kni_socket_id();
}

static long long int
netdev_kni_get_carrier_resets(const struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    long long int resets;

    ovs_mutex_lock(&dev->mutex);
    resets = dev->carrier_resets;
    ovs_mutex_unlock(&dev->mutex);
    return resets;
}

/* The speed and duplex the kernel device reports (the module's default,
 * which this class keeps): 10 Gb/s, full duplex. */
static int
netdev_kni_get_features(const struct netdev *netdev OVS_UNUSED,
                        enum netdev_features *current,
                        enum netdev_features *advertised,
                        enum netdev_features *supported,
                        enum netdev_features *peer)
{
    *current = NETDEV_F_10GB_FD | NETDEV_F_COPPER;
    *advertised = *supported = *peer = 0;
    return 0;
}

#ifdef KNI_OVS_HAVE_GET_SPEED
static int
netdev_kni_get_speed(const struct netdev *netdev OVS_UNUSED,
                     uint32_t *current, uint32_t *max)
{
    *current = *max = KNI_SPEED_DEFAULT;
    return 0;
}
#endif

/* The kernel device's IP addresses, when it lives in ovs-vswitchd's
 * network namespace: a kni device may be a tunnel endpoint. */
static int
netdev_kni_get_addr_list(const struct netdev *netdev, struct in6_addr **addr,
                         struct in6_addr **mask, int *n_cnt)
{
    return netdev_get_addrs(netdev_get_name(netdev), addr, mask, n_cnt);
}

/* Ingress policing (ingress_policing_rate and _burst, kbit/s and kbit):
 * frames from the kernel beyond the rate are dropped before the bridge,
 * as netdev-dpdk does. */
static int
netdev_kni_set_policing(struct netdev *netdev, unsigned int rate,
                        unsigned int burst, unsigned int kpkts_rate,
                        unsigned int kpkts_burst OVS_UNUSED)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct kni_policer *policer = NULL;
    int error = 0;

    if (kpkts_rate) {
        VLOG_WARN_RL(&rl, "%s: a kni interface polices bits, not packets: "
                     "ingress_policing_kpkts_rate is ignored",
                     netdev_get_name(netdev));
    }
    /* As netdev-dpdk: no rate, no burst; a burst of 8000 kbit unless
     * given. */
    burst = !rate ? 0 : !burst ? 8000 : burst;

    ovs_mutex_lock(&dev->mutex);
    if (dev->policing_rate != rate || dev->policing_burst != burst) {
        if (rate) {
            policer = kni_policer_create((uint64_t) rate * 1000 / 8,
                                         (uint64_t) burst * 1000 / 8);
            if (!policer) {
                error = EINVAL;
            }
        }
        if (!error) {
            KNI_POLICER_SET(&dev->ingress_policer, policer);
            dev->policing_rate = rate;
            dev->policing_burst = burst;
        }
    }
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

/* Egress QoS: the "egress-policer" type (other_config:cir in bytes per
 * second, cbs in bytes), as netdev-dpdk offers it: frames to the kernel
 * beyond the rate are dropped. */
#define KNI_QOS_EGRESS_POLICER "egress-policer"

static int
netdev_kni_get_qos_types(const struct netdev *netdev OVS_UNUSED,
                         struct sset *types)
{
    sset_add(types, KNI_QOS_EGRESS_POLICER);
    return 0;
}

static int
netdev_kni_get_qos_capabilities(const struct netdev *netdev OVS_UNUSED,
                                const char *type,
                                struct netdev_qos_capabilities *caps)
{
    if (strcmp(type, KNI_QOS_EGRESS_POLICER)) {
        return EOPNOTSUPP;
    }
    caps->n_queues = 0;
    return 0;
}

static int
netdev_kni_get_qos(const struct netdev *netdev, const char **typep,
                   struct smap *details)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct kni_policer *policer;

    ovs_mutex_lock(&dev->mutex);
    policer = ovsrcu_get_protected(struct kni_policer *,
                                   &dev->egress_policer);
    if (policer) {
        *typep = KNI_QOS_EGRESS_POLICER;
        smap_add_format(details, "cir", "%"PRIu64, policer->cir);
        smap_add_format(details, "cbs", "%"PRIu64, policer->cbs);
    } else {
        *typep = NULL;
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

static int
netdev_kni_set_qos(struct netdev *netdev, const char *type,
                   const struct smap *details)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct kni_policer *policer = NULL;

    if (type && type[0]) {
        if (strcmp(type, KNI_QOS_EGRESS_POLICER)) {
            VLOG_WARN_RL(&rl, "%s: QoS type %s is not supported by a kni "
                         "interface (%s only)", netdev_get_name(netdev),
                         type, KNI_QOS_EGRESS_POLICER);
            return EOPNOTSUPP;
        }
        policer = kni_policer_create(smap_get_ullong(details, "cir", 0),
                                     smap_get_ullong(details, "cbs", 0));
        if (!policer) {
            VLOG_WARN_RL(&rl, "%s: egress-policer with cir %s and cbs %s is "
                         "refused by DPDK", netdev_get_name(netdev),
                         smap_get_def(details, "cir", "0"),
                         smap_get_def(details, "cbs", "0"));
            return EINVAL;
        }
    }
    ovs_mutex_lock(&dev->mutex);
    KNI_POLICER_SET(&dev->egress_policer, policer);
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* Kernel events, read by the main thread. */

/* Sets '*field' to 'value'; true if that changed it. */
static bool
kni_update_bool(bool *field, bool value)
{
    bool changed = *field != value;

    *field = value;
    return changed;
}

/* Applies one kernel event to 'dev'.  Returns true if OVS's view of the
 * port changed. */
static bool
netdev_kni_handle_event(struct netdev_kni *dev, const struct kni_event *ev)
    OVS_REQUIRES(dev->mutex)
{
    const char *name = netdev_get_name(&dev->up);
    struct eth_addr mac;

    dev->kernel_events++;
    COVERAGE_INC(kni_kernel_events);
    switch (ev->type) {
    case KNI_EVENT_UP:
        if (kni_update_bool(&dev->kernel_up, ev->value)) {
            dev->carrier_resets++;
            return true;
        }
        return false;

    case KNI_EVENT_MTU:
        /* The kernel allows no MTU beyond what the buffers hold. */
        if (dev->mtu == ev->value) {
            return false;
        }
        netdev_kni_mtu_changed(dev, ev->value);
        dev->requested_mtu = ev->value;
        return true;

    case KNI_EVENT_MAC:
        memcpy(mac.ea, ev->mac, ETH_ADDR_LEN);
        if (eth_addr_equals(dev->hwaddr, mac)) {
            return false;
        }
        dev->hwaddr = mac;
        return true;

    case KNI_EVENT_PROMISC:
        return kni_update_bool(&dev->kernel_promisc, ev->value);

    case KNI_EVENT_ALLMULTI:
        return kni_update_bool(&dev->kernel_allmulti, ev->value);

    case KNI_EVENT_RX_MODE:
        dev->kernel_n_uc = ev->value;
        dev->kernel_n_mc = ev->aux;
        return false;

    case KNI_EVENT_DELETED:
        VLOG_WARN("%s: the kernel deleted the device (ip link del, or the "
                  "end of its network namespace); the port passes no "
                  "traffic until its options change or it is added again",
                  name);
        dev->kernel_deleted = true;
        if (dev->kernel_up) {
            dev->kernel_up = false;
            dev->carrier_resets++;
        }
        netdev_request_reconfigure(&dev->up);
        return true;

    case KNI_EVENT_NETNS:
        VLOG_INFO("%s: the kernel device moved to another network "
                  "namespace, ifindex %"PRIu32" there", name, ev->value);
        dev->kernel_ifindex = ev->value;
        return true;

    case KNI_EVENT_NAME:
        VLOG_INFO("%s: the kernel device was renamed", name);
        return false;

    default:
        VLOG_WARN_RL(&rl, "%s: unknown kernel event type %"PRIu32,
                     name, ev->type);
        return false;
    }
}

/* Reads the whole state of the kernel device of 'dev', after events were
 * lost. */
static bool
netdev_kni_resync(struct netdev_kni *dev)
    OVS_REQUIRES(dev->mutex)
{
    struct kni_info info;
    struct eth_addr mac;
    bool changed = false;

    if (!dev->kdev || kni_dev_get_info(dev->kdev, &info)) {
        return false;
    }
    if (info.flags & KNI_INFO_F_DELETED) {
        struct kni_event ev = { .type = KNI_EVENT_DELETED };

        return dev->kernel_deleted ? false
                                   : netdev_kni_handle_event(dev, &ev);
    }
    changed |= kni_update_bool(&dev->kernel_up, info.flags & KNI_INFO_F_UP);
    changed |= kni_update_bool(&dev->kernel_promisc,
                               info.flags & KNI_INFO_F_PROMISC);
    changed |= kni_update_bool(&dev->kernel_allmulti,
                               info.flags & KNI_INFO_F_ALLMULTI);
    if (dev->mtu != info.mtu) {
        netdev_kni_mtu_changed(dev, info.mtu);
        dev->requested_mtu = info.mtu;
        changed = true;
    }
    memcpy(mac.ea, info.mac, ETH_ADDR_LEN);
    if (!eth_addr_equals(dev->hwaddr, mac)) {
        dev->hwaddr = mac;
        changed = true;
    }
    dev->kernel_ifindex = info.ifindex;
    dev->kernel_n_uc = info.n_uc;
    dev->kernel_n_mc = info.n_mc;
    return changed;
}

static struct netdev_kni *
netdev_kni_find(const struct kni_dev *kdev)
    OVS_REQUIRES(kni_mutex)
{
    struct netdev_kni *dev;

    LIST_FOR_EACH (dev, node, &kni_list) {
        if (dev->kdev == kdev) {
            return dev;
        }
    }
    return NULL;
}

/* Reads and applies the kernel's events. */
static void
netdev_kni_read_events(void)
    OVS_REQUIRES(kni_mutex)
{
    struct kni_event evs[64];
    struct netdev_kni *dev;
    bool resync = false;
    unsigned int n;

    do {
        n = kni_ctx_read_events(kni_ctx, evs, ARRAY_SIZE(evs));
        for (unsigned int i = 0; i < n; i++) {
            const struct kni_event *ev = &evs[i];
            struct kni_dev *kdev;

            if (ev->type == KNI_EVENT_OVERFLOW) {
                resync = true;
                continue;
            }
            /* Events of a device released since are of no interest. */
            kdev = kni_ctx_find_dev(kni_ctx, ev->dev_id);
            dev = kdev ? netdev_kni_find(kdev) : NULL;
            if (dev) {
                ovs_mutex_lock(&dev->mutex);
                if (netdev_kni_handle_event(dev, ev)) {
                    netdev_change_seq_changed(&dev->up);
                }
                ovs_mutex_unlock(&dev->mutex);
            }
        }
    } while (n == ARRAY_SIZE(evs));

    if (resync) {
        VLOG_WARN_RL(&rl, "kernel events were lost: reading the state of "
                     "every kni device");
        LIST_FOR_EACH (dev, node, &kni_list) {
            ovs_mutex_lock(&dev->mutex);
            if (netdev_kni_resync(dev)) {
                netdev_change_seq_changed(&dev->up);
            }
            ovs_mutex_unlock(&dev->mutex);
        }
    }
}

static void
netdev_kni_run(const struct netdev_class *class OVS_UNUSED)
{
    ovs_mutex_lock(&kni_mutex);
    if (kni_config_seen) {
        /* A reconfiguration happened: the parked devices it did not want
         * belong to Interfaces deleted from the database. */
        struct kni_parked *p;

        LIST_FOR_EACH_SAFE (p, node, &kni_parked_list) {
            if (p->gen != kni_config_gen) {
                kni_parked_release(p);
            }
        }
        kni_config_gen++;
        kni_config_seen = false;
    }
    if (kni_ctx) {
        netdev_kni_read_events();
    }
    if (!ovs_list_is_empty(&kni_mps_sweep)
        && time_msec() >= kni_sweep_next) {
        kni_mp_sweep();
    }
    ovs_mutex_unlock(&kni_mutex);
}

static void
netdev_kni_wait(const struct netdev_class *class OVS_UNUSED)
{
    ovs_mutex_lock(&kni_mutex);
    if (kni_ctx) {
        /* Readable while an event is unread. */
        poll_fd_wait(kni_ctx_fd(kni_ctx), POLLIN);
    }
    if (!ovs_list_is_empty(&kni_mps_sweep)) {
        poll_timer_wait_until(kni_sweep_next);
    }
    ovs_mutex_unlock(&kni_mutex);
}

/* Data path. */

static struct netdev_rxq *
netdev_kni_rxq_alloc(void)
{
    struct netdev_rxq_kni *rx = xzalloc(sizeof *rx);

    return &rx->up;
}

static int
netdev_kni_rxq_construct(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

static void
netdev_kni_rxq_destruct(struct netdev_rxq *rxq OVS_UNUSED)
{
}

static void
netdev_kni_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(netdev_rxq_kni_cast(rxq));
}

static int
netdev_kni_rxq_recv(struct netdev_rxq *rxq, struct dp_packet_batch *batch,
                    int *qfill)
{
    struct netdev_kni *dev = netdev_kni_cast(rxq->netdev);
    struct netdev_rxq_kni *rx = netdev_rxq_kni_cast(rxq);
    struct rte_mbuf **pkts = (struct rte_mbuf **) batch->packets;
    struct kni_policer *policer;
    uint64_t fill_failures;
    size_t n_qos = 0, n_tso = 0;
    uint64_t bytes = 0;
    unsigned int n;

    if (OVS_UNLIKELY(!dev->kdev)) {
        return EAGAIN;
    }
    n = kni_rxq_burst(dev->kdev, rxq->queue_id, pkts, NETDEV_MAX_BURST);
    /* The count is the device's: queue 0 reports it. */
    fill_failures = rxq->queue_id ? 0 : kni_dev_fill_failures(dev->kdev);
    if (OVS_UNLIKELY(fill_failures != rx->fill_failures)) {
        /* The shared mempool ran dry: the kernel waits for buffers.  (A
         * new kernel device counts from 0 again.) */
        if (fill_failures > rx->fill_failures) {
            COVERAGE_ADD(kni_fill_starved,
                         fill_failures - rx->fill_failures);
        }
        rx->fill_failures = fill_failures;
    }
    if (!n) {
        return EAGAIN;
    }
    batch->count = n;
    dp_packet_batch_init_packet_fields(batch);
    if (dev->offloads & KNI_OFFLOAD_CSUM) {
        for (unsigned int i = 0; i < n; i++) {
            if (pkts[i]->ol_flags & (RTE_MBUF_F_RX_L4_CKSUM_MASK
                                     | RTE_MBUF_F_RX_LRO)) {
                n_tso += (pkts[i]->ol_flags & RTE_MBUF_F_RX_LRO) != 0;
                netdev_kni_rx_offloads(pkts[i]);
            }
        }
    }

    policer = ovsrcu_get(struct kni_policer *, &dev->ingress_policer);
    if (OVS_UNLIKELY(policer)) {
        n_qos = kni_policer_run(policer, batch);
        n = dp_packet_batch_size(batch);
    }
    for (unsigned int i = 0; i < n; i++) {
        bytes += dp_packet_size(batch->packets[i]);
    }
    if (qfill) {
        *qfill = 0;
    }

    /* This thread alone polls the queue. */
    struct kni_rxq_stats *st = &dev->rxqs[rxq->queue_id].stats;

    kni_count(&st->packets, n);
    kni_count(&st->bytes, bytes);
    kni_count(&st->tso_packets, n_tso);
    if (OVS_UNLIKELY(n_qos)) {
        kni_count(&st->qos_drops, n_qos);
        COVERAGE_ADD(kni_rx_qos_drops, n_qos);
    }
    return n ? 0 : EAGAIN;
}

static void
netdev_kni_rxq_wait(struct netdev_rxq *rxq OVS_UNUSED)
{
    /* Polled by PMD threads only. */
}

/* Frames on their way to the kernel, handed over NETDEV_MAX_BURST at a
 * time. */
struct kni_txb {
    struct kni_dev *kdev;
    unsigned int qid;
    struct rte_mbuf *pkts[NETDEV_MAX_BURST];
    unsigned int n;
    uint64_t bytes;             /* Bytes of the frames in 'pkts'. */
    uint64_t sent_bytes;
    size_t sent;
    size_t failed;              /* Frames the kernel's ring had no room for. */
};

static void
kni_txb_flush(struct kni_txb *b)
{
    unsigned int sent = kni_txq_burst(b->kdev, b->qid, b->pkts, b->n);

    if (OVS_UNLIKELY(sent < b->n)) {
        for (unsigned int i = sent; i < b->n; i++) {
            b->bytes -= rte_pktmbuf_pkt_len(b->pkts[i]);
        }
        rte_pktmbuf_free_bulk(b->pkts + sent, b->n - sent);
        b->failed += b->n - sent;
    }
    b->sent += sent;
    b->sent_bytes += b->bytes;
    b->bytes = 0;
    b->n = 0;
}

static inline void
kni_txb_add(struct kni_txb *b, struct rte_mbuf *m)
{
    if (OVS_UNLIKELY(b->n == ARRAY_SIZE(b->pkts))) {
        kni_txb_flush(b);
    }
    b->bytes += rte_pktmbuf_pkt_len(m);
    b->pkts[b->n++] = m;
}

/* Offloads.
 *
 * With other_config:userspace-tso-enable=true, kernel devices are created
 * with checksum and TCP segmentation offloads and 64 kB buffers
 * (kni_frame_room()): the stack hands us TCP segments of 64 kB with
 * their checksum left to do, and takes such segments from us, so that
 * neither side cuts or sums what the other would only put back together.
 * The class declares those offloads in 'ol_flags'.
 *
 * Received frames come from lib/kni.c with DPDK's receive flags:
 * RTE_MBUF_F_RX_L4_CKSUM_NONE for a TCP or UDP checksum left to do (the
 * field holds the pseudo header's sum), RTE_MBUF_F_RX_LRO and tso_segsz
 * for a segment to cut.  netdev_kni_rx_offloads() turns them into the
 * offload model of the Open vSwitch we run in (kni-ovs-compat.h).
 * Packets on their way to the kernel get their header lengths and pseudo
 * header sum from netdev_kni_tx_prepare(), and lib/kni.c writes their
 * requests into the descriptors.  A TSO packet larger than our buffers
 * (up to 65535 bytes of IP packet may come, a few more than a buffer
 * holds) is cut here, in software, by kni_sw_segment(). */

#define KNI_TX_OL_MASK (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG \
                        | RTE_MBUF_F_TX_IP_CKSUM)

/* Maps the receive flags lib/kni.c set on 'm' to Open vSwitch's. */
static void
netdev_kni_rx_offloads(struct rte_mbuf *m)
{
    uint64_t ol = m->ol_flags;

#if !KNI_OVS_RX_CSUM_PARTIAL
    /* This Open vSwitch asks the egress port for the checksum with the
     * transmit flags. */
    if ((ol & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE) {
        ol &= ~RTE_MBUF_F_RX_L4_CKSUM_MASK;
        ol |= (RTE_ETH_IS_IPV4_HDR(m->packet_type) ? RTE_MBUF_F_TX_IPV4
                                                   : RTE_MBUF_F_TX_IPV6);
        ol |= ((m->packet_type & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP
               ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
    }
#endif
    /* RTE_MBUF_F_RX_L4_CKSUM_NONE is already Open vSwitch's "partial"
     * checksum where it has one; a segment to cut is a TSO packet in both
     * models. */
    if (ol & RTE_MBUF_F_RX_LRO) {
        ol = (ol & ~RTE_MBUF_F_RX_LRO) | RTE_MBUF_F_TX_TCP_SEG;
    }
    m->ol_flags = ol;
}

/* Makes 'p', which asks for checksum or segmentation offloads, what
 * kni_tx_burst() expects: the header lengths and IP version in its mbuf,
 * and the pseudo header's sum in its L4 checksum field, in DPDK's
 * convention (for TSO, without the length).  The field of a packet from
 * elsewhere may hold the kernel's convention or, once Open vSwitch changed
 * an address, a stale sum.  Returns false if the headers do not match the
 * flags. */
static bool
netdev_kni_tx_prepare(struct dp_packet *p)
{
    const char *eth = dp_packet_data(p);
    const char *l3 = dp_packet_l3(p);
    const char *l4 = dp_packet_l4(p);
    struct rte_mbuf *m = &p->mbuf;
    uint64_t ol = m->ol_flags;
    size_t l4_min;
    int version;

    if (!l3 || !l4 || l4 <= l3) {
        return false;
    }
    version = ((const uint8_t *) l3)[0] >> 4;
    if (version != 4 && version != 6) {
        return false;
    }
    ol &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6);
    ol |= version == 4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
    if (ol & RTE_MBUF_F_TX_TCP_SEG) {
        ol = (ol & ~RTE_MBUF_F_TX_L4_MASK) | RTE_MBUF_F_TX_TCP_CKSUM;
    }
    if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_TCP_CKSUM) {
        l4_min = TCP_HEADER_LEN;
    } else if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM) {
        l4_min = UDP_HEADER_LEN;
    } else if (ol & RTE_MBUF_F_TX_L4_MASK) {
        return false;               /* SCTP: not declared. */
    } else {
        l4_min = 0;
    }
    if (l4 - eth + l4_min > dp_packet_size(p)) {
        return false;
    }
    m->l2_len = l3 - eth;
    m->l3_len = l4 - l3;
    m->l4_len = 0;
    if (ol & RTE_MBUF_F_TX_TCP_SEG) {
        const struct tcp_header *th = (const void *) l4;

        m->l4_len = TCP_OFFSET(th->tcp_ctl) * 4;
        if (m->l4_len < TCP_HEADER_LEN
            || l4 - eth + m->l4_len >= dp_packet_size(p)) {
            return false;
        }
    }
    m->ol_flags = ol;
    return !rte_net_intel_cksum_flags_prepare(m, ol);
}

/* Completes the checksums of the 'len' bytes at 'l3', an IPv4 or IPv6
 * packet whose TCP or UDP header is 'l4_ofs' bytes in: the IPv4 header's
 * and the L4 one. */
static void
kni_sw_csum(void *l3, size_t l4_ofs, size_t len, bool ipv4, bool tcp)
{
    void *l4 = (char *) l3 + l4_ofs;
    size_t l4_len = len - l4_ofs;
    uint32_t partial;

    if (ipv4) {
        struct ip_header *ip = l3;

        ip->ip_csum = 0;
        ip->ip_csum = csum(ip, IP_IHL(ip->ip_ihl_ver) * 4);
        partial = packet_csum_pseudoheader(ip);
    } else {
        partial = packet_csum_pseudoheader6(l3);
    }
    if (tcp) {
        struct tcp_header *th = l4;

        th->tcp_csum = 0;
        th->tcp_csum = csum_finish(csum_continue(partial, th, l4_len));
    } else {
        struct udp_header *uh = l4;

        uh->udp_csum = 0;
        uh->udp_csum = csum_finish(csum_continue(partial, uh, l4_len));
        if (!uh->udp_csum) {
            uh->udp_csum = htons(0xffff);
        }
    }
}

/* Sets the length field of the IPv4 or IPv6 header at 'l3' for an L3
 * packet of 'len' bytes, and the IPv4 identification to 'ip_id'. */
static void
kni_sw_set_l3_len(void *l3, size_t len, bool ipv4, ovs_be16 ip_id)
{
    if (ipv4) {
        struct ip_header *ip = l3;

        ip->ip_tot_len = htons(len);
        ip->ip_id = ip_id;
    } else {
        struct ovs_16aligned_ip6_hdr *ip6 = l3;

        ip6->ip6_plen = htons(len - sizeof *ip6);
    }
}

/* Cuts TSO packet 'packet', prepared by netdev_kni_tx_prepare(), into
 * segments of its MSS (tso_segsz), or the largest the MTU allows if that
 * is smaller or unknown, with their checksums complete, copied into mbufs
 * of 'dev''s mempool and added to 'b'.  'max_frame' is the MTU plus
 * KNI_FRAME_OVERHEAD.  Returns 0, EMSGSIZE if its headers alone fill the
 * MTU, or ENOBUFS if it ran out of mbufs (the segments made so far still
 * go). */
static int
kni_sw_segment(struct netdev_kni *dev, struct dp_packet *packet,
               uint32_t max_frame, struct kni_txb *b)
{
    const struct rte_mbuf *pm = &packet->mbuf;
    uint32_t hdr_len = pm->l2_len + pm->l3_len + pm->l4_len;
    bool ipv4 = pm->ol_flags & RTE_MBUF_F_TX_IPV4;
    const char *eth = dp_packet_data(packet);
    size_t l3_ofs = (const char *) dp_packet_l3(packet) - eth;
    size_t l4_ofs = (const char *) dp_packet_l4(packet) - eth;
    const struct tcp_header *th = dp_packet_l4(packet);
    uint32_t payload = dp_packet_size(packet) - hdr_len;
    uint32_t seq = ntohl(get_16aligned_be32(&th->tcp_seq));
    uint32_t mss = packet->mbuf.tso_segsz;
    ovs_be16 ip_id = 0;

    if (ipv4) {
        ip_id = ((const struct ip_header *) dp_packet_l3(packet))->ip_id;
    }
    uint32_t mtu = max_frame - KNI_FRAME_OVERHEAD;
    uint32_t l3_hdr_len = hdr_len - pm->l2_len;

    if (l3_hdr_len >= mtu) {
        return EMSGSIZE;
    }
    if (!mss || mss > mtu - l3_hdr_len) {
        mss = mtu - l3_hdr_len;
    }
    for (uint32_t off = 0, i = 0; off < payload; off += mss, i++) {
        uint32_t seg_len = MIN(mss, payload - off);
        struct rte_mbuf *m = rte_pktmbuf_alloc(dev->mp);
        struct tcp_header *sth;
        uint16_t ctl;
        char *seg;

        if (OVS_UNLIKELY(!m)) {
            return ENOBUFS;
        }
        seg = rte_pktmbuf_mtod(m, char *);
        memcpy(seg, eth, hdr_len);
        memcpy(seg + hdr_len, eth + hdr_len + off, seg_len);
        m->data_len = m->pkt_len = hdr_len + seg_len;

        kni_sw_set_l3_len(seg + l3_ofs, hdr_len - l3_ofs + seg_len, ipv4,
                          htons(ntohs(ip_id) + i));
        sth = (void *) (seg + l4_ofs);
        put_16aligned_be32(&sth->tcp_seq, htonl(seq + off));
        ctl = ntohs(sth->tcp_ctl);
        if (off + seg_len < payload) {
            ctl &= ~(TCP_FIN | TCP_PSH);
        }
        if (off) {
            ctl &= ~TCP_CWR;
        }
        sth->tcp_ctl = htons(ctl);
        kni_sw_csum(seg + l3_ofs, l4_ofs - l3_ofs,
                    hdr_len - l3_ofs + seg_len, ipv4, true);
        kni_txb_add(b, m);
    }
    return 0;
}

static int
netdev_kni_send(struct netdev *netdev, int qid,
                struct dp_packet_batch *batch, bool concurrent_txq)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    size_t n_zero_copy = 0, n_copied = 0, n_mtu = 0, n_nombuf = 0;
    size_t batch_cnt = dp_packet_batch_size(batch);
    const struct rte_mempool *zc_pool = NULL;
    struct kni_policer *policer;
    struct dp_packet *packet;
    struct kni_dev *kdev = dev->kdev;
    size_t n_qos = 0, n_bad = 0, n_tso = 0, n_seg = 0;
    uint32_t max_frame, buf_size;
    struct kni_txq_stats *st;
    struct kni_txb b;
    uint64_t orig;
    bool up;

    atomic_read_relaxed(&dev->up_flag, &up);
    if (OVS_UNLIKELY(!kdev || !up)) {
        dp_packet_delete_batch(batch, true);
        atomic_add_relaxed(&dev->tx_down_drops, batch_cnt, &orig);
        return 0;
    }

    /* The kernel device's receive queue 'qid'.  OVS keeps 'qid' below
     * the n_txq it read last; reconfigure() changes both while no PMD
     * thread sends. */
    qid = (unsigned int) qid % kni_dev_n_txq(kdev);
    if (OVS_UNLIKELY(concurrent_txq)) {
        rte_spinlock_lock(&dev->txqs[qid].lock);
    }

    policer = ovsrcu_get(struct kni_policer *, &dev->egress_policer);
    if (OVS_UNLIKELY(policer)) {
        n_qos = kni_policer_run(policer, batch);
    }

    b.kdev = kdev;
    b.qid = qid;
    b.n = 0;
    b.bytes = b.sent_bytes = 0;
    b.sent = b.failed = 0;
    atomic_read_relaxed(&dev->max_frame, &max_frame);
    buf_size = kni_dev_buf_size(kdev);
    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        uint32_t size = dp_packet_size(packet);
        uint32_t room = max_frame;
        struct rte_mbuf *m;

        if (*dp_packet_ol_flags_ptr(packet) & KNI_TX_OL_MASK) {
            if (OVS_UNLIKELY(!netdev_kni_tx_prepare(packet))) {
                VLOG_DBG_RL(&rl, "%s: dropped a %"PRIu32"-byte packet whose "
                            "headers do not match its offload flags %#"
                            PRIx64, netdev_get_name(netdev), size,
                            (uint64_t) *dp_packet_ol_flags_ptr(packet));
                n_bad++;
                dp_packet_delete(packet);
                continue;
            }
            if (dp_packet_hwol_is_tso(packet)) {
                room = buf_size;
                n_tso++;
                if (OVS_UNLIKELY(size > buf_size)) {
                    size_t before = b.sent + b.failed + b.n;
                    int error = kni_sw_segment(dev, packet, max_frame, &b);

                    n_nombuf += error == ENOBUFS;
                    n_mtu += error == EMSGSIZE;
                    n_seg += b.sent + b.failed + b.n - before;
                    dp_packet_delete(packet);
                    continue;
                }
            }
        }
        if (OVS_UNLIKELY(size > room)) {
            VLOG_DBG_RL(&rl, "%s: dropped a %"PRIu32"-byte frame, larger "
                        "than the MTU allows (%"PRIu32" bytes, offload flags "
                        "%#"PRIx64")", netdev_get_name(netdev), size,
                        max_frame,
                        (uint64_t) *dp_packet_ol_flags_ptr(packet));
            n_mtu++;
            dp_packet_delete(packet);
            continue;
        }
        if (packet->source == DPBUF_DPDK
            && kni_mbuf_is_registered(dev->ctx, &packet->mbuf, &zc_pool)) {
            /* Zero copy: the kernel reads the buffer where it is. */
            m = &packet->mbuf;
            n_zero_copy++;
        } else {
            m = rte_pktmbuf_alloc(dev->mp);
            if (OVS_UNLIKELY(!m)) {
                n_nombuf++;
                dp_packet_delete(packet);
                continue;
            }
            memcpy(rte_pktmbuf_mtod(m, void *), dp_packet_data(packet), size);
            m->data_len = size;
            m->pkt_len = size;
            /* The offload requests, header lengths and hash. */
            m->ol_flags = packet->mbuf.ol_flags;
            m->tx_offload = packet->mbuf.tx_offload;
            m->hash.rss = packet->mbuf.hash.rss;
            n_copied++;
            dp_packet_delete(packet);
        }
        kni_txb_add(&b, m);
    }
    kni_txb_flush(&b);

    /* The queue's own counters: this thread alone sends on it, or holds
     * its lock. */
    st = &dev->txqs[qid].stats;
    kni_count(&st->packets, b.sent);
    kni_count(&st->bytes, b.sent_bytes);
    kni_count(&st->zero_copy, n_zero_copy);
    kni_count(&st->copied, n_copied);
    kni_count(&st->tso_packets, n_tso);
    if (OVS_UNLIKELY(b.failed || n_mtu || n_nombuf || n_qos || n_bad
                     || n_seg)) {
        kni_count(&st->failure_drops, b.failed);
        kni_count(&st->mtu_drops, n_mtu);
        kni_count(&st->no_mbuf_drops, n_nombuf);
        kni_count(&st->qos_drops, n_qos);
        kni_count(&st->bad_offload_drops, n_bad);
        kni_count(&st->sw_segmented, n_seg);
        COVERAGE_ADD(kni_tx_failure_drops, b.failed);
        COVERAGE_ADD(kni_tx_mtu_exceeded_drops, n_mtu);
        COVERAGE_ADD(kni_tx_no_mbuf_drops, n_nombuf);
        COVERAGE_ADD(kni_tx_qos_drops, n_qos);
        COVERAGE_ADD(kni_tx_bad_offload_drops, n_bad);
        COVERAGE_ADD(kni_tx_sw_segments, n_seg);
    }
    if (OVS_UNLIKELY(concurrent_txq)) {
        rte_spinlock_unlock(&dev->txqs[qid].lock);
    }
    return 0;
}

/* ovs-appctl commands. */

static void
netdev_kni_format(struct ds *ds, struct netdev_kni *dev)
    OVS_REQUIRES(kni_mutex)
{
    ovs_mutex_lock(&dev->mutex);
    ds_put_format(ds, "%s:", netdev_get_name(&dev->up));
    if (dev->kdev) {
        ds_put_format(ds, " ifindex %d, mtu %d, mac "ETH_ADDR_FMT", "
                      "ring %"PRIu32", buffers %"PRIu32" bytes, queues "
                      "rx %d tx %d, kernel %s, port %s\n",
                      kni_dev_ifindex(dev->kdev), dev->mtu,
                      ETH_ADDR_ARGS(dev->hwaddr), dev->ring_size,
                      dev->frame_room, dev->up.n_rxq, dev->up.n_txq,
                      dev->kernel_up ? "up" : "down",
                      dev->flags & NETDEV_UP ? "up" : "down");
    } else {
        ds_put_cstr(ds, " no kernel device\n");
    }
    ovs_mutex_unlock(&dev->mutex);
}

static void
netdev_kni_unixctl_show(struct unixctl_conn *conn, int argc,
                        const char *argv[], void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct netdev_kni *dev;
    bool found = false;

    ovs_mutex_lock(&kni_mutex);
    if (kni_ctx) {
        ds_put_format(&ds, "%s: ABI version %"PRIu32"\n", KNI_DEVICE_PATH,
                      kni_ctx_abi_version(kni_ctx));
    } else {
        ds_put_format(&ds, "%s: not open\n", KNI_DEVICE_PATH);
    }
    LIST_FOR_EACH (dev, node, &kni_list) {
        if (argc < 2 || !strcmp(argv[1], netdev_get_name(&dev->up))) {
            netdev_kni_format(&ds, dev);
            found = true;
        }
    }
    ovs_mutex_unlock(&kni_mutex);

    if (argc > 1 && !found) {
        unixctl_command_reply_error(conn, "no such kni port");
    } else {
        unixctl_command_reply(conn, ds_cstr(&ds));
    }
    ds_destroy(&ds);
}

static int
netdev_kni_class_init(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    /* Runs before main(): no DPDK call here. */
    if (ovsthread_once_start(&once)) {
        unixctl_command_register("netdev-kni/show", "[port]", 0, 1,
                                 netdev_kni_unixctl_show, NULL);
        unixctl_command_register("kni/show", "[port]", 0, 1,
                                 netdev_kni_unixctl_show, NULL);
        ovsthread_once_done(&once);
    }
    return 0;
}

static const struct netdev_class netdev_kni_class = {
    .type = "kni",
    .is_pmd = true,
    .init = netdev_kni_class_init,
    .run = netdev_kni_run,
    .wait = netdev_kni_wait,
    .alloc = netdev_kni_alloc,
    .construct = netdev_kni_construct,
    .destruct = netdev_kni_destruct,
    .dealloc = netdev_kni_dealloc,
    .get_config = netdev_kni_get_config,
    .set_config = netdev_kni_set_config,
    .reconfigure = netdev_kni_reconfigure,
    .set_tx_multiq = netdev_kni_set_tx_multiq,
    .send = netdev_kni_send,
    .get_etheraddr = netdev_kni_get_etheraddr,
    .set_etheraddr = netdev_kni_set_etheraddr,
    .get_mtu = netdev_kni_get_mtu,
    .set_mtu = netdev_kni_set_mtu,
    .get_ifindex = netdev_kni_get_ifindex,
    .get_numa_id = netdev_kni_get_numa_id,
    .get_carrier = netdev_kni_get_carrier,
    .get_carrier_resets = netdev_kni_get_carrier_resets,
    .get_features = netdev_kni_get_features,
    KNI_OVS_GET_SPEED(netdev_kni_get_speed)
    .get_addr_list = netdev_kni_get_addr_list,
    .set_policing = netdev_kni_set_policing,
    .get_qos_types = netdev_kni_get_qos_types,
    .get_qos_capabilities = netdev_kni_get_qos_capabilities,
    .get_qos = netdev_kni_get_qos,
    .set_qos = netdev_kni_set_qos,
    .get_stats = netdev_kni_get_stats,
    .get_custom_stats = netdev_kni_get_custom_stats,
    .get_status = netdev_kni_get_status,
    .update_flags = netdev_kni_update_flags,
    .rxq_alloc = netdev_kni_rxq_alloc,
    .rxq_construct = netdev_kni_rxq_construct,
    .rxq_destruct = netdev_kni_rxq_destruct,
    .rxq_dealloc = netdev_kni_rxq_dealloc,
    .rxq_recv = netdev_kni_rxq_recv,
    .rxq_wait = netdev_kni_rxq_wait,
};

OVS_CONSTRUCTOR(netdev_kni_register) {
    netdev_register_provider(&netdev_kni_class);
}
