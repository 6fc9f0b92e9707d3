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

/* net_kni: a DPDK ethdev on a KNI of librte_kni (lib/rte_kni.h), as DPDK
 * 22.11's net_kni PMD was, loaded as an EAL plugin:
 *
 *     dpdk-testpmd -d librte_net_kni.so --vdev net_kni0 ...
 *
 * Port "net_kniN" is the kernel interface "kniN", created at the port's
 * first start from the mempool of its receive queue and released when the
 * port is closed.  One queue each way.  The ethdev's receive burst returns
 * what the kernel stack sent on the interface; its transmit burst hands
 * frames to the kernel stack.
 *
 * Control, both ways:
 *   - rte_eth_dev_set_mtu() and rte_eth_dev_default_mac_addr_set() change
 *     the kernel interface.
 *   - "ip link set kniN mtu/address/promisc/allmulticast/up/down" reach the
 *     ethdev's MTU, MAC address, promiscuous and all-multicast state.  The
 *     link is up while the port is started and the kernel interface is up;
 *     a change fires RTE_ETH_EVENT_INTR_LSC when the application asked for
 *     link state interrupts (rte_eth_conf.intr_conf.lsc).
 *   - The kernel's changes are read by one thread for all the process's
 *     net_kni ports, which sleeps in poll() until the kernel posts one.
 *     With the devarg "no_request_thread=1" a port is left out: the
 *     application calls rte_kni_handle_request(rte_kni_get("kniN")) itself.
 *
 * The kernel interface has carrier while the port is started and its link
 * set up (rte_eth_dev_set_link_up(), the default; _down() takes it away,
 * as pulling a cable would). */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1           /* pthread_setname_np() */
#endif
#define ALLOW_EXPERIMENTAL_API 1
#define ALLOW_INTERNAL_API 1

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <net/if.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "rte_kni.h"
#include "rte_kni-pmd.h"

RTE_LOG_REGISTER(eth_kni_logtype, pmd.net.kni, NOTICE);

#define PMD_LOG(LEVEL, ...) \
    rte_log(RTE_LOG_##LEVEL, eth_kni_logtype, "net_kni: " __VA_ARGS__)

#define ETH_KNI_NO_REQUEST_THREAD_ARG "no_request_thread"

/* The largest MTU offered; the kernel refuses one its buffers cannot
 * hold (rte_eth_dev_set_mtu() then fails with EINVAL). */
#define ETH_KNI_MAX_MTU 9000

struct pmd_queue_stats {
    uint64_t pkts;
    uint64_t bytes;
    uint64_t errors;
};

struct pmd_queue {
    struct pmd_internals *internals;
    struct rte_mempool *mb_pool;        /* Receive queue only. */
    struct pmd_queue_stats stats;
};

struct pmd_internals {
    struct rte_kni *kni;        /* Created at the first start. */
    char kni_name[RTE_KNI_NAMESIZE];
    uint16_t port_id;
    bool no_request_thread;
    bool kernel_up;             /* The kernel interface is up.  Under the
                                 * rte_kni's request lock (set by its
                                 * callbacks) or with the port stopped. */
    bool link_enabled;          /* rte_eth_dev_set_link_up(), not _down(). */
    struct pmd_internals *next_req; /* In 'req_ports', under 'req_mutex'. */

    struct pmd_queue rxq;
    struct pmd_queue txq;
};

/* The request thread, shared by every started port with one.  Its
 * start and stop are under 'req_ctl_mutex' (which the thread never
 * takes), its list of ports under 'req_mutex'. */
static pthread_mutex_t req_ctl_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t req_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct pmd_internals *req_ports; /* Under 'req_mutex'. */
static pthread_t req_thread;            /* Under 'req_ctl_mutex'. */
static int req_stop_fd = -1;            /* eventfd: the thread exits.
                                         * Under 'req_ctl_mutex'. */

static uint16_t
eth_kni_rx(void *queue, struct rte_mbuf **bufs, uint16_t nb_bufs)
{
    struct pmd_queue *q = queue;
    uint16_t port_id = q->internals->port_id;
    uint64_t bytes = 0;
    unsigned int i, n;

    n = rte_kni_rx_burst(q->internals->kni, bufs, nb_bufs);
    for (i = 0; i < n; i++) {
        bufs[i]->port = port_id;
        bytes += rte_pktmbuf_pkt_len(bufs[i]);
    }
    q->stats.pkts += n;
    q->stats.bytes += bytes;
    return n;
}

static uint16_t
eth_kni_tx(void *queue, struct rte_mbuf **bufs, uint16_t nb_bufs)
{
    struct pmd_queue *q = queue;
    uint64_t bytes = 0;
    unsigned int i, n;

    /* Counted first: the mbufs sent belong to the library afterwards. */
    for (i = 0; i < nb_bufs; i++) {
        bytes += rte_pktmbuf_pkt_len(bufs[i]);
    }
    n = rte_kni_tx_burst(q->internals->kni, bufs, nb_bufs);
    for (i = n; i < nb_bufs; i++) {
        bytes -= rte_pktmbuf_pkt_len(bufs[i]);
    }
    q->stats.pkts += n;
    q->stats.bytes += bytes;
    q->stats.errors += nb_bufs - n;
    return n;
}

/* Sets the ethdev link from the port's and the kernel interface's state;
 * fires RTE_ETH_EVENT_INTR_LSC on a change if the application asked. */
static void
eth_kni_update_link(struct rte_eth_dev *dev, bool notify)
{
    struct pmd_internals *internals = dev->data->dev_private;
    struct rte_eth_link link = {
        .link_speed = RTE_ETH_SPEED_NUM_10G,
        .link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
        .link_autoneg = RTE_ETH_LINK_FIXED,
    };

    link.link_status = (dev->data->dev_started && internals->link_enabled
                        && internals->kernel_up
                        ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN);
    if (!rte_eth_linkstatus_set(dev, &link) && notify
        && dev->data->dev_conf.intr_conf.lsc) {
        rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
    }
}

/* Callbacks of the KNI: the kernel interface changed.  They run in the
 * thread that calls rte_kni_handle_request() and never refuse. */

static struct rte_eth_dev *
eth_kni_dev(uint16_t port_id)
{
    return rte_eth_dev_is_valid_port(port_id) ? &rte_eth_devices[port_id]
                                               : NULL;
}

static int
eth_kni_kernel_mtu(uint16_t port_id, unsigned int mtu)
{
    struct rte_eth_dev *dev = eth_kni_dev(port_id);

    if (dev) {
        dev->data->mtu = mtu;
    }
    return 0;
}

static int
eth_kni_kernel_up(uint16_t port_id, uint8_t up)
{
    struct rte_eth_dev *dev = eth_kni_dev(port_id);

    if (dev) {
        struct pmd_internals *internals = dev->data->dev_private;

        internals->kernel_up = up != 0;
        eth_kni_update_link(dev, true);
    }
    return 0;
}

static int
eth_kni_kernel_mac(uint16_t port_id, uint8_t mac[])
{
    struct rte_eth_dev *dev = eth_kni_dev(port_id);

    if (dev) {
        memcpy(dev->data->mac_addrs[0].addr_bytes, mac, RTE_ETHER_ADDR_LEN);
    }
    return 0;
}

static int
eth_kni_kernel_promisc(uint16_t port_id, uint8_t on)
{
    struct rte_eth_dev *dev = eth_kni_dev(port_id);

    if (dev) {
        dev->data->promiscuous = on != 0;
    }
    return 0;
}

static int
eth_kni_kernel_allmulti(uint16_t port_id, uint8_t on)
{
    struct rte_eth_dev *dev = eth_kni_dev(port_id);

    if (dev) {
        dev->data->all_multicast = on != 0;
    }
    return 0;
}

static void *
eth_kni_request_thread(void *arg)
{
    int stop_fd = (int) (intptr_t) arg;

    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = rte_kni_event_fd(), .events = POLLIN },
            { .fd = stop_fd, .events = POLLIN },
        };
        struct pmd_internals *p;

        if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
            PMD_LOG(ERR, "request thread: poll failed: %s\n",
                    rte_strerror(errno));
            break;
        }
        if (pfd[1].revents) {
            break;
        }
        /* Every port, for reading the kernel's changes takes those of
         * every KNI. */
        pthread_mutex_lock(&req_mutex);
        for (p = req_ports; p; p = p->next_req) {
            rte_kni_handle_request(p->kni);
        }
        pthread_mutex_unlock(&req_mutex);
    }
    return NULL;
}

/* Adds 'internals' to the ports the request thread serves, starting the
 * thread for the first one. */
static int
eth_kni_request_add(struct pmd_internals *internals)
{
    int error = 0;

    pthread_mutex_lock(&req_ctl_mutex);
    if (req_stop_fd < 0) {
        req_stop_fd = eventfd(0, EFD_CLOEXEC);
        if (req_stop_fd < 0) {
            error = errno;
        } else {
            error = pthread_create(&req_thread, NULL, eth_kni_request_thread,
                                   (void *) (intptr_t) req_stop_fd);
            if (error) {
                close(req_stop_fd);
                req_stop_fd = -1;
            } else {
                pthread_setname_np(req_thread, "kni-request");
            }
        }
    }
    if (!error) {
        pthread_mutex_lock(&req_mutex);
        internals->next_req = req_ports;
        req_ports = internals;
        pthread_mutex_unlock(&req_mutex);
    }
    pthread_mutex_unlock(&req_ctl_mutex);
    if (error) {
        PMD_LOG(ERR, "%s: starting the request thread failed: %s\n",
                internals->kni_name, rte_strerror(error));
    }
    return -error;
}

/* Removes 'internals' from the request thread's ports, if there; stops
 * the thread after the last one. */
static void
eth_kni_request_remove(struct pmd_internals *internals)
{
    struct pmd_internals **p;
    bool stop = false;

    pthread_mutex_lock(&req_ctl_mutex);
    pthread_mutex_lock(&req_mutex);
    for (p = &req_ports; *p; p = &(*p)->next_req) {
        if (*p == internals) {
            *p = internals->next_req;
            stop = !req_ports;
            break;
        }
    }
    pthread_mutex_unlock(&req_mutex);

    /* The thread may be waiting for 'req_mutex': it is free now. */
    if (stop) {
        uint64_t one = 1;

        if (write(req_stop_fd, &one, sizeof one) == sizeof one) {
            pthread_join(req_thread, NULL);
            close(req_stop_fd);
            req_stop_fd = -1;
        } else {
            /* The thread keeps running, serving no port. */
            PMD_LOG(ERR, "stopping the request thread failed: %s\n",
                    rte_strerror(errno));
        }
    }
    pthread_mutex_unlock(&req_ctl_mutex);
}

static int
eth_kni_create_kni(struct rte_eth_dev *dev)
{
    struct pmd_internals *internals = dev->data->dev_private;
    struct rte_kni_ops ops = {
        .port_id = dev->data->port_id,
        .change_mtu = eth_kni_kernel_mtu,
        .config_network_if = eth_kni_kernel_up,
        .config_mac_address = eth_kni_kernel_mac,
        .config_promiscusity = eth_kni_kernel_promisc,
        .config_allmulticast = eth_kni_kernel_allmulti,
    };
    struct rte_kni_conf conf;

    if (!internals->rxq.mb_pool) {
        PMD_LOG(ERR, "%s: set up the receive queue before starting\n",
                internals->kni_name);
        return -EINVAL;
    }
    memset(&conf, 0, sizeof conf);
    memcpy(conf.name, internals->kni_name, sizeof conf.name);
    conf.mtu = dev->data->mtu;
    memcpy(conf.mac_addr, dev->data->mac_addrs[0].addr_bytes,
           RTE_ETHER_ADDR_LEN);
    internals->kni = rte_kni_alloc(internals->rxq.mb_pool, &conf, &ops);
    if (!internals->kni) {
        PMD_LOG(ERR, "%s: creating the kernel interface failed (the log "
                "above says why)\n", internals->kni_name);
        return -EIO;
    }
    internals->kernel_up = false;
    return 0;
}

static int
eth_kni_dev_start(struct rte_eth_dev *dev)
{
    struct pmd_internals *internals = dev->data->dev_private;
    int error;

    if (!internals->kni) {
        error = eth_kni_create_kni(dev);
    } else {
        error = rte_kni_set_mtu(internals->kni, dev->data->mtu);
        if (error) {
            PMD_LOG(ERR, "%s: the kernel interface refused MTU %"PRIu16
                    ": %s\n", internals->kni_name, dev->data->mtu,
                    rte_strerror(-error));
        }
    }
    if (error) {
        return error;
    }
    if (!internals->no_request_thread) {
        error = eth_kni_request_add(internals);
        if (error) {
            return error;
        }
    }
    rte_kni_update_link(internals->kni, internals->link_enabled);
    dev->data->rx_queue_state[0] = RTE_ETH_QUEUE_STATE_STARTED;
    dev->data->tx_queue_state[0] = RTE_ETH_QUEUE_STATE_STARTED;
    /* dev_started is set after this returns. */
    dev->data->dev_started = 1;
    eth_kni_update_link(dev, false);
    return 0;
}

static int
eth_kni_dev_stop(struct rte_eth_dev *dev)
{
    struct pmd_internals *internals = dev->data->dev_private;

    eth_kni_request_remove(internals);
    if (internals->kni) {
        rte_kni_update_link(internals->kni, 0);
    }
    dev->data->rx_queue_state[0] = RTE_ETH_QUEUE_STATE_STOPPED;
    dev->data->tx_queue_state[0] = RTE_ETH_QUEUE_STATE_STOPPED;
    dev->data->dev_started = 0;
    eth_kni_update_link(dev, false);
    return 0;
}

/* The kernel interface's carrier is the port's link, as a cable is. */
static int
eth_kni_set_link(struct rte_eth_dev *dev, bool up)
{
    struct pmd_internals *internals = dev->data->dev_private;

    internals->link_enabled = up;
    if (internals->kni && dev->data->dev_started) {
        rte_kni_update_link(internals->kni, up);
    }
    eth_kni_update_link(dev, false);
    return 0;
}

static int
eth_kni_set_link_up(struct rte_eth_dev *dev)
{
    return eth_kni_set_link(dev, true);
}

static int
eth_kni_set_link_down(struct rte_eth_dev *dev)
{
    return eth_kni_set_link(dev, false);
}

static int
eth_kni_dev_close(struct rte_eth_dev *dev)
{
    struct pmd_internals *internals = dev->data->dev_private;

    if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
        return 0;
    }
    eth_kni_dev_stop(dev);
    if (internals->kni) {
        rte_kni_release(internals->kni);
        internals->kni = NULL;
    }
    return 0;
}

static int
eth_kni_dev_configure(struct rte_eth_dev *dev __rte_unused)
{
    return 0;
}

static int
eth_kni_dev_info(struct rte_eth_dev *dev __rte_unused,
                 struct rte_eth_dev_info *info)
{
    info->max_mac_addrs = 1;
    info->max_rx_queues = 1;
    info->max_tx_queues = 1;
    info->min_rx_bufsize = 0;
    info->min_mtu = RTE_ETHER_MIN_MTU;
    info->max_mtu = ETH_KNI_MAX_MTU;
    info->max_rx_pktlen = ETH_KNI_MAX_MTU + RTE_ETHER_HDR_LEN
                          + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
    info->speed_capa = RTE_ETH_LINK_SPEED_10G | RTE_ETH_LINK_SPEED_FIXED;
    return 0;
}

static int
eth_kni_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
                       uint16_t nb_desc __rte_unused,
                       unsigned int socket_id __rte_unused,
                       const struct rte_eth_rxconf *conf __rte_unused,
                       struct rte_mempool *mb_pool)
{
    struct pmd_internals *internals = dev->data->dev_private;

    if (internals->kni && mb_pool != internals->rxq.mb_pool) {
        /* The port is stopped: nothing else uses the kernel interface. */
        int error = rte_kni_set_mempool(internals->kni, mb_pool);

        if (error) {
            PMD_LOG(ERR, "%s: the kernel interface cannot take buffers from "
                    "mempool %s: %s\n", internals->kni_name, mb_pool->name,
                    rte_strerror(-error));
            return error;
        }
    }
    internals->rxq.internals = internals;
    internals->rxq.mb_pool = mb_pool;
    dev->data->rx_queues[qid] = &internals->rxq;
    return 0;
}

static int
eth_kni_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid,
                       uint16_t nb_desc __rte_unused,
                       unsigned int socket_id __rte_unused,
                       const struct rte_eth_txconf *conf __rte_unused)
{
    struct pmd_internals *internals = dev->data->dev_private;

    internals->txq.internals = internals;
    dev->data->tx_queues[qid] = &internals->txq;
    return 0;
}

static void
eth_kni_queue_release(struct rte_eth_dev *dev __rte_unused,
                      uint16_t qid __rte_unused)
{
}

static int
eth_kni_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
    eth_kni_update_link(dev, false);
    return 0;
}

static int
eth_kni_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
    struct pmd_internals *internals = dev->data->dev_private;

    /* A stopped port takes the MTU at its start, after its receive queue
     * may have brought buffers big enough. */
    return (internals->kni && dev->data->dev_started
            ? rte_kni_set_mtu(internals->kni, mtu) : 0);
}

static int
eth_kni_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
    struct pmd_internals *internals = dev->data->dev_private;

    return (internals->kni
            ? rte_kni_set_mac_addr(internals->kni, addr->addr_bytes) : 0);
}

/* The kernel interface takes every frame given to it: the receive modes
 * filter nothing here, and "ip link" sets the kernel's own. */
static int
eth_kni_mode_set(struct rte_eth_dev *dev __rte_unused)
{
    return 0;
}

static int
eth_kni_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
    struct pmd_internals *internals = dev->data->dev_private;

    stats->ipackets = stats->q_ipackets[0] = internals->rxq.stats.pkts;
    stats->ibytes = stats->q_ibytes[0] = internals->rxq.stats.bytes;
    stats->opackets = stats->q_opackets[0] = internals->txq.stats.pkts;
    stats->obytes = stats->q_obytes[0] = internals->txq.stats.bytes;
    stats->oerrors = internals->txq.stats.errors;
    return 0;
}

static int
eth_kni_stats_reset(struct rte_eth_dev *dev)
{
    struct pmd_internals *internals = dev->data->dev_private;

    memset(&internals->rxq.stats, 0, sizeof internals->rxq.stats);
    memset(&internals->txq.stats, 0, sizeof internals->txq.stats);
    return 0;
}

static const struct eth_dev_ops eth_kni_ops = {
    .dev_start = eth_kni_dev_start,
    .dev_stop = eth_kni_dev_stop,
    .dev_close = eth_kni_dev_close,
    .dev_set_link_up = eth_kni_set_link_up,
    .dev_set_link_down = eth_kni_set_link_down,
    .dev_configure = eth_kni_dev_configure,
    .dev_infos_get = eth_kni_dev_info,
    .rx_queue_setup = eth_kni_rx_queue_setup,
    .tx_queue_setup = eth_kni_tx_queue_setup,
    .rx_queue_release = eth_kni_queue_release,
    .tx_queue_release = eth_kni_queue_release,
    .link_update = eth_kni_link_update,
    .mtu_set = eth_kni_mtu_set,
    .mac_addr_set = eth_kni_mac_addr_set,
    .promiscuous_enable = eth_kni_mode_set,
    .promiscuous_disable = eth_kni_mode_set,
    .allmulticast_enable = eth_kni_mode_set,
    .allmulticast_disable = eth_kni_mode_set,
    .stats_get = eth_kni_stats_get,
    .stats_reset = eth_kni_stats_reset,
};

static int
eth_kni_parse_args(const char *name, const char *params, bool *no_req)
{
    static const char *const valid[] = {
        ETH_KNI_NO_REQUEST_THREAD_ARG, NULL
    };
    struct rte_kvargs *kvlist;

    *no_req = false;
    if (!params || !params[0]) {
        return 0;
    }
    kvlist = rte_kvargs_parse(params, valid);
    if (!kvlist) {
        PMD_LOG(ERR, "%s: bad arguments \"%s\" (valid: %s=1)\n", name,
                params, ETH_KNI_NO_REQUEST_THREAD_ARG);
        return -EINVAL;
    }
    *no_req = rte_kvargs_count(kvlist, ETH_KNI_NO_REQUEST_THREAD_ARG) > 0;
    rte_kvargs_free(kvlist);
    return 0;
}

static int
eth_kni_probe(struct rte_vdev_device *vdev)
{
    const char *name = rte_vdev_device_name(vdev);
    struct pmd_internals *internals;
    struct rte_eth_dev *dev;
    bool no_req;
    int error;

    if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
        PMD_LOG(ERR, "%s: secondary processes are not supported\n", name);
        return -ENOTSUP;
    }
    if (strlen(name) - strlen("net_") >= IFNAMSIZ) {
        PMD_LOG(ERR, "%s: the interface name \"%s\" is longer than %d "
                "bytes\n", name, name + strlen("net_"), IFNAMSIZ - 1);
        return -EINVAL;
    }
    error = eth_kni_parse_args(name, rte_vdev_device_args(vdev), &no_req);
    if (error) {
        return error;
    }
    if (rte_kni_init(RTE_MAX_ETHPORTS) < 0) {
        PMD_LOG(ERR, "%s: the kni module cannot be used (the log above "
                "says why)\n", name);
        return -ENODEV;
    }

    dev = rte_eth_vdev_allocate(vdev, sizeof *internals);
    if (!dev) {
        return -ENOMEM;
    }
    internals = dev->data->dev_private;
    internals->port_id = dev->data->port_id;
    internals->no_request_thread = no_req;
    internals->link_enabled = true;
    /* "net_kni0" makes "kni0", as DPDK's PMD did. */
    snprintf(internals->kni_name, sizeof internals->kni_name, "%s",
             name + strlen("net_"));

    dev->data->mac_addrs = rte_zmalloc(name, sizeof *dev->data->mac_addrs,
                                       0);
    if (!dev->data->mac_addrs) {
        rte_eth_dev_release_port(dev);
        return -ENOMEM;
    }
    rte_eth_random_addr(dev->data->mac_addrs[0].addr_bytes);
    dev->data->dev_flags |= (RTE_ETH_DEV_INTR_LSC
                             | RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS);
    dev->data->nb_rx_queues = 1;
    dev->data->nb_tx_queues = 1;
    dev->data->mtu = RTE_ETHER_MTU;
    dev->dev_ops = &eth_kni_ops;
    dev->rx_pkt_burst = eth_kni_rx;
    dev->tx_pkt_burst = eth_kni_tx;
    eth_kni_update_link(dev, false);
    rte_eth_dev_probing_finish(dev);
    PMD_LOG(INFO, "%s: port %u, kernel interface %s\n", name,
            dev->data->port_id, internals->kni_name);
    return 0;
}

static int
eth_kni_remove(struct rte_vdev_device *vdev)
{
    struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(
                                                        vdev));

    if (!dev) {
        return 0;
    }
    eth_kni_dev_close(dev);
    return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver eth_kni_drv = {
    .probe = eth_kni_probe,
    .remove = eth_kni_remove,
};

RTE_PMD_REGISTER_VDEV(net_kni, eth_kni_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_kni, ETH_KNI_NO_REQUEST_THREAD_ARG "=1");
