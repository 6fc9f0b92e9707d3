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

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include "dp-packet.h"
#include "dpdk.h"
#include "kni.h"
#include "netdev-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_kni);

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

#define KNI_MP_CACHE_SIZE 256

/* One /dev/kni for the whole process, opened by the first kni port. */
static struct ovs_mutex kni_mutex = OVS_MUTEX_INITIALIZER;
static struct kni_ctx *kni_ctx OVS_GUARDED_BY(kni_mutex);
static struct ovs_list kni_list OVS_GUARDED_BY(kni_mutex)
    = OVS_LIST_INITIALIZER(&kni_list);

/* Mempools of destroyed ports, freed once all their mbufs are back. */
struct kni_mp_sweep {
    struct ovs_list node;
    struct rte_mempool *mp;
};
static struct ovs_list kni_mp_sweep_list OVS_GUARDED_BY(kni_mutex)
    = OVS_LIST_INITIALIZER(&kni_mp_sweep_list);

struct netdev_kni {
    struct netdev up;

    /* The kernel device and the mempool its fill buffers come from.  Set by
     * the main thread while no PMD thread uses the port (set_config before
     * the port is added, reconfigure), read by PMD threads. */
    struct kni_ctx *ctx;
    struct kni_dev *kdev;
    struct rte_mempool *mp;
    uint32_t frame_room;            /* Largest frame a buffer holds. */

    struct ovs_list node OVS_GUARDED_BY(kni_mutex);

    struct ovs_mutex mutex OVS_ACQ_AFTER(kni_mutex);

    /* Protected by 'mutex'. */
    struct eth_addr hwaddr;
    int mtu;
    enum netdev_flags flags;
    bool kernel_up;                 /* The kernel side is administratively
                                     * up ('ip link set up'). */
    bool kernel_promisc;
    bool kernel_allmulti;
    bool kernel_deleted;            /* The kernel deleted the device. */
    int kernel_ifindex;             /* In the device's network namespace. */
    uint32_t kernel_n_uc;           /* Addresses upper devices added. */
    uint32_t kernel_n_mc;
    uint32_t ring_size;

    /* Requested configuration, from set_config() and set_mtu(). */
    uint32_t requested_ring_size;
    int requested_mtu;
    struct eth_addr requested_mac;  /* eth_addr_zero: the kernel's. */
    uint32_t core_id;
    bool force_bind;
    struct smap options;            /* As last given to set_config(). */

    uint64_t kernel_events;         /* Events read for this port. */

    /* Serialises senders when OVS asks for it (concurrent_txq). */
    rte_spinlock_t tx_lock;

    rte_spinlock_t stats_lock;
    struct netdev_stats stats;      /* Protected by 'stats_lock'. */
    uint64_t tx_zero_copy;
    uint64_t tx_copied;
    uint64_t tx_ring_full_drops;
    uint64_t tx_mtu_drops;
    uint64_t tx_no_mbuf_drops;
};

struct netdev_rxq_kni {
    struct netdev_rxq up;
};

static int netdev_kni_construct(struct netdev *);
static int netdev_kni_set_etheraddr(struct netdev *, const struct eth_addr);

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

/* Mempools. */

static void
kni_mbuf_init(struct rte_mempool *mp OVS_UNUSED, void *aux OVS_UNUSED,
              void *obj, unsigned int i OVS_UNUSED)
{
    dp_packet_init_dpdk(obj);
}

static uint32_t
kni_frame_room(int mtu)
{
    uint32_t room = ROUND_UP(mtu + KNI_FRAME_OVERHEAD, 1024);

    return MAX(room, KNI_MIN_FRAME_ROOM);
}

/* Creates a mempool of dp_packets for port 'name' whose buffers hold
 * 'frame_room' bytes after the headroom. */
static struct rte_mempool *
kni_mp_create(const char *name, uint32_t n_mbufs, uint32_t frame_room)
{
    uint16_t data_room = RTE_PKTMBUF_HEADROOM + frame_room;
    uint32_t pkt_size = sizeof(struct dp_packet) + data_room;
    uint32_t priv = sizeof(struct dp_packet) - sizeof(struct rte_mbuf);
    char mp_name[RTE_MEMPOOL_NAMESIZE];
    struct rte_mempool *mp;
    static uint32_t serial;

    /* Keep the buffers cache aligned, as netdev-dpdk does. */
    priv += ROUND_UP(pkt_size, RTE_CACHE_LINE_SIZE) - pkt_size;

    /* A destroyed port's mempool may still be waiting to be freed: make
     * every name unique. */
    snprintf(mp_name, sizeof mp_name, "kni%u_%s", serial++, name);
    mp = rte_pktmbuf_pool_create(mp_name, n_mbufs, KNI_MP_CACHE_SIZE, priv,
                                 data_room, SOCKET_ID_ANY);
    if (mp) {
        rte_mempool_obj_iter(mp, kni_mbuf_init, NULL);
    }
    return mp;
}

/* Frees the mempools in the sweep list whose mbufs have all come back. */
static void
kni_mp_sweep(void)
    OVS_REQUIRES(kni_mutex)
{
    struct kni_mp_sweep *s;

    LIST_FOR_EACH_SAFE (s, node, &kni_mp_sweep_list) {
        if (rte_mempool_full(s->mp)) {
            kni_unregister_mempool(kni_ctx, s->mp);
            rte_mempool_free(s->mp);
            ovs_list_remove(&s->node);
            free(s);
        }
    }
}

static void
kni_mp_release(struct rte_mempool *mp)
    OVS_REQUIRES(kni_mutex)
{
    struct kni_mp_sweep *s;

    if (!mp) {
        return;
    }
    s = xmalloc(sizeof *s);
    s->mp = mp;
    ovs_list_push_back(&kni_mp_sweep_list, &s->node);
    kni_mp_sweep();
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

/* Creates the kernel device of 'dev' with its requested configuration. */
static int
netdev_kni_create_kdev(struct netdev_kni *dev, char **errp)
    OVS_REQUIRES(kni_mutex, dev->mutex)
{
    const char *name = netdev_get_name(&dev->up);
    uint32_t frame_room = kni_frame_room(dev->requested_mtu);
    uint32_t n_mbufs = 4 * dev->requested_ring_size;
    struct kni_dev_conf conf;
    struct rte_mempool *mp;
    struct kni_dev *kdev;
    int error;

    mp = kni_mp_create(name, n_mbufs, frame_room);
    if (!mp) {
        *errp = xasprintf("%s: cannot create a mempool of %"PRIu32" mbufs "
                          "of %"PRIu32" bytes (%s): give DPDK more memory "
                          "or lower options:ring_size", name, n_mbufs,
                          frame_room, rte_strerror(rte_errno));
        return ENOMEM;
    }
    error = kni_register_mempool(kni_ctx, mp);
    if (error) {
        *errp = xasprintf("%s: cannot register %"PRIu32" mbufs with the kni "
                          "module (%s)", name, n_mbufs, ovs_strerror(error));
        rte_mempool_free(mp);
        return error;
    }

    memset(&conf, 0, sizeof conf);
    conf.name = name;
    conf.mp = mp;
    conf.mtu = dev->requested_mtu;
    conf.ring_size = dev->requested_ring_size;
    conf.force_bind = dev->force_bind;
    conf.core_id = dev->core_id;
    /* The kernel side may change the MTU within the buffers, the MAC
     * address, and tell us of promisc, allmulti and address lists. */
    conf.policy = KNI_POLICY_MAC | KNI_POLICY_RX_MODE;
    conf.mac_set = true;
    memcpy(conf.mac, (eth_addr_is_zero(dev->requested_mac)
                      ? dev->hwaddr.ea : dev->requested_mac.ea), ETH_ADDR_LEN);

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
        kni_unregister_mempool(kni_ctx, mp);
        rte_mempool_free(mp);
        return error;
    }

    dev->ctx = kni_ctx;
    dev->kdev = kdev;
    dev->mp = mp;
    dev->frame_room = kni_dev_buf_size(kdev);
    dev->ring_size = kni_dev_ring_size(kdev);
    dev->mtu = dev->requested_mtu;
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
              "entries, %"PRIu32"-byte buffers", name, kni_dev_ifindex(kdev),
              dev->ring_size, dev->frame_room);
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
        kni_mp_release(dev->mp);
        dev->mp = NULL;
    }
}

/* netdev_class functions. */

static struct netdev *
netdev_kni_alloc(void)
{
    struct netdev_kni *dev = xzalloc(sizeof *dev);

    return &dev->up;
}

static int
netdev_kni_construct(struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_init(&dev->mutex);
    rte_spinlock_init(&dev->tx_lock);
    rte_spinlock_init(&dev->stats_lock);
    dev->flags = NETDEV_UP | NETDEV_PROMISC;
    dev->mtu = ETH_PAYLOAD_MAX;
    dev->requested_mtu = ETH_PAYLOAD_MAX;
    dev->requested_ring_size = KNI_RING_SIZE_DEFAULT;
    smap_init(&dev->options);
    eth_addr_random(&dev->hwaddr);
    netdev->n_rxq = 1;
    netdev->n_txq = 1;

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
    netdev_kni_destroy_kdev(dev);
    ovs_mutex_unlock(&dev->mutex);
    ovs_list_remove(&dev->node);
    ovs_mutex_unlock(&kni_mutex);
    smap_destroy(&dev->options);
    ovs_mutex_destroy(&dev->mutex);
}

static void
netdev_kni_dealloc(struct netdev *netdev)
{
    free(netdev_kni_cast(netdev));
}

static int
netdev_kni_get_config(const struct netdev *netdev, struct smap *args)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    smap_add_format(args, "ring_size", "%"PRIu32, dev->requested_ring_size);
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
static int
netdev_kni_parse_options(const char *name, const struct smap *args,
                         struct eth_addr *mac, uint32_t *ring_size,
                         bool *force_bind, uint32_t *core_id, char **errp)
{
    struct smap_node *node;

    *mac = eth_addr_zero;
    *ring_size = KNI_RING_SIZE_DEFAULT;
    *force_bind = false;
    *core_id = 0;

    SMAP_FOR_EACH (node, args) {
        unsigned int value;

        if (!strcmp(node->key, "mac")) {
            if (!eth_addr_from_string(node->value, mac)
                || eth_addr_is_zero(*mac) || eth_addr_is_multicast(*mac)) {
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
            *ring_size = value;
        } else if (!strcmp(node->key, "kthread_core")) {
            if (!str_to_uint(node->value, 10, &value)) {
                *errp = xasprintf("%s: options:kthread_core=%s is not a CPU "
                                  "number", name, node->value);
                return EINVAL;
            }
            *force_bind = true;
            *core_id = value;
        } else {
            *errp = xasprintf("%s: unknown option '%s' (a kni interface "
                              "takes 'mac', 'ring_size' and "
                              "'kthread_core')", name, node->key);
            return EINVAL;
        }
    }
    return 0;
}

static int
netdev_kni_set_config(struct netdev *netdev, const struct smap *args,
                      char **errp)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    const char *name = netdev_get_name(netdev);
    uint32_t ring_size, core_id;
    bool apply_mac = false;
    struct eth_addr mac;
    bool force_bind;
    bool options_changed;
    int error;

    if (strlen(name) >= KNI_NAMESIZE) {
        *errp = xasprintf("%s: a kni interface name has at most %d bytes "
                          "(the kernel's limit)", name, KNI_NAMESIZE - 1);
        return EINVAL;
    }

    error = netdev_kni_parse_options(name, args, &mac, &ring_size,
                                     &force_bind, &core_id, errp);
    if (error) {
        return error;
    }

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
    if (dev->requested_ring_size != ring_size
        || dev->force_bind != force_bind || dev->core_id != core_id) {
        dev->requested_ring_size = ring_size;
        dev->force_bind = force_bind;
        dev->core_id = core_id;
        if (dev->kdev) {
            netdev_request_reconfigure(netdev);
        }
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
         * 'error' column. */
        error = netdev_kni_create_kdev(dev, errp);
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
    struct rte_mempool *mp, *old_mp;
    uint32_t frame_room, n_mbufs;
    int error, mtu;

    ovs_mutex_lock(&dev->mutex);
    mtu = dev->requested_mtu;
    frame_room = kni_frame_room(mtu);
    n_mbufs = 4 * dev->ring_size;
    ovs_mutex_unlock(&dev->mutex);

    mp = kni_mp_create(name, n_mbufs, frame_room);
    if (!mp) {
        VLOG_ERR("%s: cannot create a mempool of %"PRIu32" mbufs of "
                 "%"PRIu32" bytes for MTU %d (%s): the MTU stays as it was",
                 name, n_mbufs, frame_room, mtu, rte_strerror(rte_errno));
        return ENOMEM;
    }
    error = kni_register_mempool(kni_ctx, mp);
    if (!error) {
        error = kni_dev_set_mempool(dev->kdev, mp);
        if (error) {
            kni_unregister_mempool(kni_ctx, mp);
        }
    }
    if (error) {
        VLOG_ERR("%s: the kni module refused buffers of %"PRIu32" bytes for "
                 "MTU %d (%s): the MTU stays as it was", name, frame_room,
                 mtu, ovs_strerror(error));
        rte_mempool_free(mp);
        return error;
    }

    ovs_mutex_lock(&dev->mutex);
    old_mp = dev->mp;
    dev->mp = mp;
    dev->frame_room = kni_dev_buf_size(dev->kdev);
    ovs_mutex_unlock(&dev->mutex);
    kni_mp_release(old_mp);
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
    grow = (dev->kdev && dev->ring_size == dev->requested_ring_size
            && dev->frame_room < dev->requested_mtu + KNI_FRAME_OVERHEAD);
    ovs_mutex_unlock(&dev->mutex);
    if (grow) {
        /* On failure the port goes on with the MTU it had: an error from
         * reconfigure() would take it out of the datapath. */
        if (netdev_kni_grow_buffers(dev)) {
            ovs_mutex_lock(&dev->mutex);
            dev->requested_mtu = dev->mtu;
            ovs_mutex_unlock(&dev->mutex);
        }
        ovs_mutex_unlock(&kni_mutex);
        return 0;
    }

    ovs_mutex_lock(&dev->mutex);
    if (!dev->kdev || dev->ring_size != dev->requested_ring_size
        || dev->frame_room < dev->requested_mtu + KNI_FRAME_OVERHEAD) {
        netdev_kni_destroy_kdev(dev);
        error = netdev_kni_create_kdev(dev, &errp);
        if (error) {
            VLOG_ERR("%s", errp);
            free(errp);
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
            dev->mtu = mtu;
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
    dev->requested_mtu = mtu;
    in_place = dev->kdev && mtu + KNI_FRAME_OVERHEAD <= dev->frame_room;
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
        netdev_change_seq_changed(netdev);
    }
    ovs_mutex_unlock(&dev->mutex);
    return error;
}

static int
netdev_kni_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    rte_spinlock_lock(&dev->stats_lock);
    *stats = dev->stats;
    rte_spinlock_unlock(&dev->stats_lock);
    return 0;
}

static int
netdev_kni_get_custom_stats(const struct netdev *netdev,
                            struct netdev_custom_stats *custom)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct kni_dev_ustats us;
    struct kni_stats ks;
    int i = 0;

    memset(&us, 0, sizeof us);
    memset(&ks, 0, sizeof ks);
    ovs_mutex_lock(&dev->mutex);
    if (dev->kdev) {
        kni_dev_get_ustats(dev->kdev, &us);
        kni_dev_get_stats(dev->kdev, &ks);
    }

#define KNI_CUSTOM_STATS                                    \
    C("tx_zero_copy", dev->tx_zero_copy)                    \
    C("tx_copied", dev->tx_copied)                          \
    C("tx_ring_full_drops", dev->tx_ring_full_drops)        \
    C("tx_mtu_exceeded_drops", dev->tx_mtu_drops)           \
    C("tx_no_mbuf_drops", dev->tx_no_mbuf_drops)            \
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
    custom->counters = xcalloc(custom->size, sizeof *custom->counters);
    rte_spinlock_lock(&dev->stats_lock);
#define C(NAME, VALUE)                                                  \
    ovs_strlcpy(custom->counters[i].name, NAME,                         \
                NETDEV_CUSTOM_STATS_NAME_SIZE);                         \
    custom->counters[i++].value = VALUE;
    KNI_CUSTOM_STATS
#undef C
    rte_spinlock_unlock(&dev->stats_lock);
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
        smap_add_format(args, "buffer_size", "%"PRIu32, dev->frame_room);
        smap_add(args, "mempool", dev->mp->name);
        smap_add_format(args, "mempool_mbufs", "%u", dev->mp->size);
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
    switch (ev->type) {
    case KNI_EVENT_UP:
        return kni_update_bool(&dev->kernel_up, ev->value);

    case KNI_EVENT_MTU:
        /* The kernel allows no MTU beyond what the buffers hold. */
        if (dev->mtu == ev->value) {
            return false;
        }
        dev->mtu = ev->value;
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
        dev->kernel_up = false;
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
        dev->mtu = dev->requested_mtu = info.mtu;
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
    if (kni_ctx) {
        netdev_kni_read_events();
    }
    if (!ovs_list_is_empty(&kni_mp_sweep_list)) {
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
    if (!ovs_list_is_empty(&kni_mp_sweep_list)) {
        poll_timer_wait(100);
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
    struct rte_mbuf **pkts = (struct rte_mbuf **) batch->packets;
    uint64_t bytes = 0;
    unsigned int n;

    if (OVS_UNLIKELY(!dev->kdev)) {
        return EAGAIN;
    }
    n = kni_rx_burst(dev->kdev, pkts, NETDEV_MAX_BURST);
    if (!n) {
        return EAGAIN;
    }
    for (unsigned int i = 0; i < n; i++) {
        bytes += rte_pktmbuf_pkt_len(pkts[i]);
    }
    batch->count = n;
    dp_packet_batch_init_packet_fields(batch);
    if (qfill) {
        *qfill = 0;
    }

    rte_spinlock_lock(&dev->stats_lock);
    dev->stats.rx_packets += n;
    dev->stats.rx_bytes += bytes;
    rte_spinlock_unlock(&dev->stats_lock);
    return 0;
}

static void
netdev_kni_rxq_wait(struct netdev_rxq *rxq OVS_UNUSED)
{
    /* Polled by PMD threads only. */
}

static int
netdev_kni_send(struct netdev *netdev, int qid OVS_UNUSED,
                struct dp_packet_batch *batch, bool concurrent_txq)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);
    struct rte_mbuf *pkts[NETDEV_MAX_BURST];
    size_t n_zero_copy = 0, n_copied = 0, n_mtu = 0, n_nombuf = 0;
    size_t batch_cnt = dp_packet_batch_size(batch);
    const struct rte_mempool *zc_pool = NULL;
    struct kni_dev *kdev = dev->kdev;
    struct dp_packet *packet;
    unsigned int n = 0, sent;
    uint64_t bytes = 0;

    if (OVS_UNLIKELY(!kdev || !(dev->flags & NETDEV_UP))) {
        dp_packet_delete_batch(batch, true);
        rte_spinlock_lock(&dev->stats_lock);
        dev->stats.tx_dropped += batch_cnt;
        rte_spinlock_unlock(&dev->stats_lock);
        return 0;
    }

    if (OVS_UNLIKELY(concurrent_txq)) {
        rte_spinlock_lock(&dev->tx_lock);
    }

    DP_PACKET_BATCH_FOR_EACH (i, packet, batch) {
        uint32_t size = dp_packet_size(packet);
        struct rte_mbuf *m;

        if (OVS_UNLIKELY(size > dev->frame_room)) {
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
            n_copied++;
            dp_packet_delete(packet);
        }
        bytes += size;
        pkts[n++] = m;
    }

    sent = kni_tx_burst(kdev, pkts, n);
    if (OVS_UNLIKELY(sent < n)) {
        for (unsigned int i = sent; i < n; i++) {
            bytes -= rte_pktmbuf_pkt_len(pkts[i]);
        }
        rte_pktmbuf_free_bulk(pkts + sent, n - sent);
    }

    if (OVS_UNLIKELY(concurrent_txq)) {
        rte_spinlock_unlock(&dev->tx_lock);
    }

    rte_spinlock_lock(&dev->stats_lock);
    dev->stats.tx_packets += sent;
    dev->stats.tx_bytes += bytes;
    dev->stats.tx_dropped += batch_cnt - sent;
    dev->tx_zero_copy += n_zero_copy;
    dev->tx_copied += n_copied;
    dev->tx_ring_full_drops += n - sent;
    dev->tx_mtu_drops += n_mtu;
    dev->tx_no_mbuf_drops += n_nombuf;
    rte_spinlock_unlock(&dev->stats_lock);
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
                      "ring %"PRIu32", buffers %"PRIu32" bytes, kernel %s, "
                      "port %s\n", kni_dev_ifindex(dev->kdev), dev->mtu,
                      ETH_ADDR_ARGS(dev->hwaddr), dev->ring_size,
                      dev->frame_room, dev->kernel_up ? "up" : "down",
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
    .send = netdev_kni_send,
    .get_etheraddr = netdev_kni_get_etheraddr,
    .set_etheraddr = netdev_kni_set_etheraddr,
    .get_mtu = netdev_kni_get_mtu,
    .set_mtu = netdev_kni_set_mtu,
    .get_ifindex = netdev_kni_get_ifindex,
    .get_carrier = netdev_kni_get_carrier,
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
