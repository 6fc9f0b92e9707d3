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
 * Every reason a kni interface cannot be created is reported through
 * set_config()'s 'errp', which bridge.c stores in the Interface's "error"
 * column, in this order: bad options, DPDK not initialised, kni module
 * missing or of another ABI version (lib/kni.c words those), and then what
 * comes next on the way to a device. */

#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "dp-packet.h"
#include "dpdk.h"
#include "kni.h"
#include "netdev-provider.h"
#include "openvswitch/compiler.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_kni);

struct netdev_kni {
    struct netdev up;

    struct ovs_mutex mutex;

    /* Configuration, from the Interface's options column. */
    struct eth_addr requested_mac OVS_GUARDED;  /* eth_addr_zero: kernel's. */
    unsigned int requested_ring_size OVS_GUARDED;   /* 0: default. */

    /* Counters of a port that has no kernel device yet. */
    uint64_t tx_dropped OVS_GUARDED;
};

struct netdev_rxq_kni {
    struct netdev_rxq up;
};

static int netdev_kni_construct(struct netdev *);

static bool
is_netdev_kni_class(const struct netdev_class *class)
{
    return class->construct == netdev_kni_construct;
}

static struct netdev_kni *
netdev_kni_cast(const struct netdev *netdev)
{
    ovs_assert(is_netdev_kni_class(netdev_get_class(netdev)));
    return CONTAINER_OF(netdev, struct netdev_kni, up);
}

static struct netdev_rxq_kni *
netdev_rxq_kni_cast(const struct netdev_rxq *rxq)
{
    return CONTAINER_OF(rxq, struct netdev_rxq_kni, up);
}

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
    dev->requested_mac = eth_addr_zero;
    dev->requested_ring_size = 0;
    dev->tx_dropped = 0;
    return 0;
}

static void
netdev_kni_destruct(struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_destroy(&dev->mutex);
}

static void
netdev_kni_dealloc(struct netdev *netdev)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    free(dev);
}

static int
netdev_kni_get_config(const struct netdev *netdev, struct smap *args)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    ovs_mutex_lock(&dev->mutex);
    if (!eth_addr_is_zero(dev->requested_mac)) {
        smap_add_format(args, "mac", ETH_ADDR_FMT,
                        ETH_ADDR_ARGS(dev->requested_mac));
    }
    if (dev->requested_ring_size) {
        smap_add_format(args, "ring_size", "%u", dev->requested_ring_size);
    }
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

/* Parses the options column into 'mac' and 'ring_size'.  Returns 0, or
 * EINVAL with a message for the operator in '*errp'. */
static int
netdev_kni_parse_options(const char *name, const struct smap *args,
                         struct eth_addr *mac, unsigned int *ring_size,
                         char **errp)
{
    struct smap_node *node;

    *mac = eth_addr_zero;
    *ring_size = 0;

    SMAP_FOR_EACH (node, args) {
        if (!strcmp(node->key, "mac")) {
            if (!eth_addr_from_string(node->value, mac)
                || eth_addr_is_zero(*mac) || eth_addr_is_multicast(*mac)) {
                *errp = xasprintf("%s: options:mac=%s is not a unicast "
                                  "Ethernet address", name, node->value);
                return EINVAL;
            }
        } else if (!strcmp(node->key, "ring_size")) {
            unsigned int size;

            if (!str_to_uint(node->value, 10, &size)
                || size < KNI_RING_SIZE_MIN || size > KNI_RING_SIZE_MAX
                || !is_pow2(size)) {
                *errp = xasprintf("%s: options:ring_size=%s must be a power "
                                  "of two from %d to %d", name, node->value,
                                  KNI_RING_SIZE_MIN, KNI_RING_SIZE_MAX);
                return EINVAL;
            }
            *ring_size = size;
        } else {
            *errp = xasprintf("%s: unknown option '%s' (a kni interface "
                              "takes 'mac' and 'ring_size')",
                              name, node->key);
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
    unsigned int ring_size;
    struct kni_ctx *ctx;
    struct eth_addr mac;
    char *msg = NULL;
    int error;

    if (strlen(name) >= KNI_NAMESIZE) {
        *errp = xasprintf("%s: a kni interface name has at most %d bytes "
                          "(the kernel's limit)", name, KNI_NAMESIZE - 1);
        return EINVAL;
    }

    error = netdev_kni_parse_options(name, args, &mac, &ring_size, errp);
    if (error) {
        return error;
    }

    ovs_mutex_lock(&dev->mutex);
    dev->requested_mac = mac;
    dev->requested_ring_size = ring_size;
    ovs_mutex_unlock(&dev->mutex);

    if (!dpdk_available()) {
        *errp = xasprintf("%s: DPDK is not initialized: a kni interface "
                          "needs other_config:dpdk-init=true in the "
                          "Open_vSwitch table", name);
        return EOPNOTSUPP;
    }

    error = kni_ctx_open(NULL, &ctx, &msg);
    if (error) {
        *errp = xasprintf("%s: %s", name,
                          msg ? msg : ovs_strerror(error));
        free(msg);
        return error;
    }
    VLOG_DBG("%s: kni module ABI version %"PRIu32, name,
             kni_ctx_abi_version(ctx));
    kni_ctx_close(ctx);

    /* The module answered and speaks our ABI.  Creating the kernel device
     * on it (mempool, memory registration, kni_dev_create()) is the next
     * step and is not written yet. */
    *errp = xasprintf("%s: kni device creation is not implemented yet "
                      "(the kni module, ABI version %d, is loaded and "
                      "answered)", name, KNI_ABI_VERSION);
    return EOPNOTSUPP;
}

static int
netdev_kni_send(struct netdev *netdev, int qid OVS_UNUSED,
                struct dp_packet_batch *batch,
                bool concurrent_txq OVS_UNUSED)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    /* No kernel device: everything sent is dropped and counted. */
    ovs_mutex_lock(&dev->mutex);
    dev->tx_dropped += dp_packet_batch_size(batch);
    ovs_mutex_unlock(&dev->mutex);
    dp_packet_delete_batch(batch, true);
    return 0;
}

static int
netdev_kni_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    struct netdev_kni *dev = netdev_kni_cast(netdev);

    memset(stats, 0, sizeof *stats);
    ovs_mutex_lock(&dev->mutex);
    stats->tx_dropped = dev->tx_dropped;
    ovs_mutex_unlock(&dev->mutex);
    return 0;
}

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
netdev_kni_rxq_recv(struct netdev_rxq *rxq OVS_UNUSED,
                    struct dp_packet_batch *batch OVS_UNUSED,
                    int *qfill)
{
    if (qfill) {
        *qfill = 0;
    }
    return EAGAIN;
}

/* netdev_rxq_wait() calls this without a NULL check.  PMD threads poll and
 * never wait, so there is nothing to do. */
static void
netdev_kni_rxq_wait(struct netdev_rxq *rxq OVS_UNUSED)
{
}

static const struct netdev_class netdev_kni_class = {
    .type = "kni",
    .is_pmd = true,
    .alloc = netdev_kni_alloc,
    .construct = netdev_kni_construct,
    .destruct = netdev_kni_destruct,
    .dealloc = netdev_kni_dealloc,
    .get_config = netdev_kni_get_config,
    .set_config = netdev_kni_set_config,
    .send = netdev_kni_send,
    .get_stats = netdev_kni_get_stats,
    .rxq_alloc = netdev_kni_rxq_alloc,
    .rxq_construct = netdev_kni_rxq_construct,
    .rxq_destruct = netdev_kni_rxq_destruct,
    .rxq_dealloc = netdev_kni_rxq_dealloc,
    .rxq_recv = netdev_kni_rxq_recv,
    .rxq_wait = netdev_kni_rxq_wait,
};

/* Runs before main(): no DPDK call may happen here or in anything it
 * reaches. */
OVS_CONSTRUCTOR(netdev_kni_register)
{
    netdev_register_provider(&netdev_kni_class);
}
