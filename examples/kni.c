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

/* kni - bridges every ethdev port to a kernel interface through the
 * rte_kni API alone, the way DPDK's KNI sample application did.
 *
 *   kni [EAL-OPTION]... [-- [--name-prefix PREFIX] [--max-mtu MTU]]
 *
 * Port N gets the KNI PREFIX<N> (default "vEth0", "vEth1", ...).  With
 * --max-mtu, the MTU callback refuses an MTU above MTU (an application's
 * own limit), whatever the port would take.  One
 * lcore runs everything: frames the port receives go to the kernel
 * interface (rte_kni_tx_burst), frames the kernel sends on it go out of
 * the port (rte_kni_rx_burst), and rte_kni_handle_request() runs the
 * callbacks, which print a line each and apply the change to the port:
 * "ip link set vEth0 mtu 1400" sets the port's MTU, "up" and "down" start
 * and stop it, promisc follows.  The port's link state is copied to the
 * KNI's carrier.  When nothing moves it sleeps 100 us between rounds.
 * SIGINT or SIGTERM ends it, after printing the counts. */

#define ALLOW_EXPERIMENTAL_API 1  /* rte_kni_update_link() */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rte_kni.h"

#define NB_MBUFS 8191
#define MBUF_CACHE 250
#define NB_RXD 1024
#define NB_TXD 1024
#define BURST 32

struct port {
    uint16_t id;
    struct rte_kni *kni;
    uint64_t to_kernel, from_kernel, dropped;
    int link;                   /* Carrier last given to the KNI. */
};

static volatile sig_atomic_t quit;
static unsigned int max_mtu = UINT16_MAX;
static struct port ports[RTE_MAX_ETHPORTS];
static unsigned int n_ports;

static void
on_signal(int signo)
{
    (void) signo;
    quit = 1;
}

static int
port_setup(uint16_t port_id, struct rte_mempool *mp)
{
    struct rte_eth_conf conf;
    int ret;

    memset(&conf, 0, sizeof conf);
    ret = rte_eth_dev_configure(port_id, 1, 1, &conf);
    if (!ret) {
        ret = rte_eth_rx_queue_setup(port_id, 0, NB_RXD,
                                     rte_eth_dev_socket_id(port_id), NULL,
                                     mp);
    }
    if (!ret) {
        ret = rte_eth_tx_queue_setup(port_id, 0, NB_TXD,
                                     rte_eth_dev_socket_id(port_id), NULL);
    }
    if (!ret) {
        ret = rte_eth_dev_start(port_id);
    }
    if (ret) {
        fprintf(stderr, "kni: port %u: set-up failed: %s\n", port_id,
                rte_strerror(-ret));
    }
    return ret;
}

/* The callbacks: each prints what the kernel side did, then applies it to
 * the port; a nonzero return refuses it (rte_kni.h). */
static int
change_mtu(uint16_t port_id, unsigned int new_mtu)
{
    int ret = (new_mtu > max_mtu ? -EINVAL
               : rte_eth_dev_set_mtu(port_id, new_mtu));

    printf("kni: port %u: MTU %u: %s\n", port_id, new_mtu,
           ret ? rte_strerror(-ret) : "ok");
    fflush(stdout);
    return ret;
}

static int
config_network_if(uint16_t port_id, uint8_t if_up)
{
    int ret = if_up ? rte_eth_dev_start(port_id) : rte_eth_dev_stop(port_id);

    printf("kni: port %u: %s: %s\n", port_id, if_up ? "up" : "down",
           ret ? rte_strerror(-ret) : "ok");
    fflush(stdout);
    return ret;
}

static int
config_mac_address(uint16_t port_id, uint8_t mac_addr[])
{
    struct rte_ether_addr ea;
    int ret;

    memcpy(ea.addr_bytes, mac_addr, RTE_ETHER_ADDR_LEN);
    ret = rte_eth_dev_default_mac_addr_set(port_id, &ea);
    printf("kni: port %u: MAC " RTE_ETHER_ADDR_PRT_FMT ": %s\n", port_id,
           RTE_ETHER_ADDR_BYTES(&ea), ret ? rte_strerror(-ret) : "ok");
    fflush(stdout);
    return ret;
}

static int
config_promiscusity(uint16_t port_id, uint8_t to_on)
{
    int ret = (to_on ? rte_eth_promiscuous_enable(port_id)
               : rte_eth_promiscuous_disable(port_id));

    printf("kni: port %u: promisc %s: %s\n", port_id, to_on ? "on" : "off",
           ret ? rte_strerror(-ret) : "ok");
    fflush(stdout);
    return ret;
}

static int
kni_setup(struct port *p, struct rte_mempool *mp, const char *prefix)
{
    struct rte_kni_ops ops;
    struct rte_kni_conf conf;
    struct rte_ether_addr mac;
    uint16_t mtu;

    memset(&conf, 0, sizeof conf);
    snprintf(conf.name, sizeof conf.name, "%s%u", prefix, p->id);
    conf.mbuf_size = RTE_MBUF_DEFAULT_DATAROOM;
    if (!rte_eth_macaddr_get(p->id, &mac)) {
        memcpy(conf.mac_addr, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
    }
    if (!rte_eth_dev_get_mtu(p->id, &mtu)) {
        conf.mtu = mtu;
    }

    /* Allocated without callbacks, then registered, to use both calls. */
    p->kni = rte_kni_alloc(mp, &conf, NULL);
    if (!p->kni) {
        fprintf(stderr, "kni: port %u: rte_kni_alloc(%s) failed\n", p->id,
                conf.name);
        return -1;
    }
    memset(&ops, 0, sizeof ops);
    ops.port_id = p->id;
    ops.change_mtu = change_mtu;
    ops.config_network_if = config_network_if;
    ops.config_mac_address = config_mac_address;
    ops.config_promiscusity = config_promiscusity;
    if (rte_kni_register_handlers(p->kni, &ops)
        || rte_kni_get(conf.name) != p->kni
        || strcmp(rte_kni_get_name(p->kni), conf.name)) {
        fprintf(stderr, "kni: %s: handlers or lookup failed\n", conf.name);
        return -1;
    }
    p->link = -1;
    printf("kni: port %u is %s\n", p->id, rte_kni_get_name(p->kni));
    return 0;
}

/* Moves one burst each way; returns how many frames moved. */
static unsigned int
forward(struct port *p)
{
    struct rte_mbuf *pkts[BURST];
    unsigned int n, sent, moved;
    struct rte_eth_link link;

    n = rte_eth_rx_burst(p->id, 0, pkts, BURST);
    moved = n;
    sent = n ? rte_kni_tx_burst(p->kni, pkts, n) : 0;
    p->to_kernel += sent;
    if (sent < n) {
        rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
        p->dropped += n - sent;
    }

    n = rte_kni_rx_burst(p->kni, pkts, BURST);
    moved += n;
    sent = n ? rte_eth_tx_burst(p->id, 0, pkts, n) : 0;
    p->from_kernel += sent;
    if (sent < n) {
        rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
        p->dropped += n - sent;
    }

    rte_kni_handle_request(p->kni);

    if (!rte_eth_link_get_nowait(p->id, &link)
        && link.link_status != p->link) {
        int prev = rte_kni_update_link(p->kni, link.link_status);

        if (prev >= 0) {
            p->link = link.link_status;
        }
    }
    return moved;
}

int
main(int argc, char *argv[])
{
    static const struct option longopts[] = {
        { "name-prefix", required_argument, NULL, 'n' },
        { "max-mtu", required_argument, NULL, 'm' },
        { NULL, 0, NULL, 0 },
    };
    const char *prefix = "vEth";
    struct rte_mempool *mp;
    unsigned int i;
    uint16_t id;
    int ret, c;

    ret = rte_eal_init(argc, argv);
    if (ret < 0) {
        fprintf(stderr, "kni: EAL initialisation failed\n");
        return EXIT_FAILURE;
    }
    argc -= ret;
    argv += ret;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'n') {
            prefix = optarg;
        } else if (c == 'm') {
            max_mtu = strtoul(optarg, NULL, 10);
        } else {
            fprintf(stderr, "usage: kni [EAL-OPTION]... "
                    "[-- [--name-prefix PREFIX] [--max-mtu MTU]]\n");
            return EXIT_FAILURE;
        }
    }

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    mp = rte_pktmbuf_pool_create("kni_pool", NB_MBUFS, MBUF_CACHE, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
    if (!mp) {
        fprintf(stderr, "kni: mempool: %s\n", rte_strerror(rte_errno));
        return EXIT_FAILURE;
    }
    if (rte_kni_init(RTE_MAX_ETHPORTS) < 0) {
        fprintf(stderr, "kni: rte_kni_init failed (is the module loaded?)\n");
        return EXIT_FAILURE;
    }
    RTE_ETH_FOREACH_DEV (id) {
        struct port *p = &ports[n_ports];

        p->id = id;
        if (port_setup(id, mp) || kni_setup(p, mp, prefix)) {
            rte_kni_close();
            return EXIT_FAILURE;
        }
        n_ports++;
    }
    if (!n_ports) {
        fprintf(stderr, "kni: no ethdev port (try --vdev net_tap0)\n");
        return EXIT_FAILURE;
    }
    printf("kni: forwarding\n");
    fflush(stdout);

    while (!quit) {
        unsigned int moved = 0;

        for (i = 0; i < n_ports; i++) {
            moved += forward(&ports[i]);
        }
        if (!moved) {
            usleep(100);        /* Idle: leave the CPU to the kernel. */
        }
    }

    for (i = 0; i < n_ports; i++) {
        struct port *p = &ports[i];

        printf("kni: port %u: %"PRIu64" frames to the kernel, %"PRIu64
               " from it, %"PRIu64" dropped\n", p->id, p->to_kernel,
               p->from_kernel, p->dropped);
        rte_kni_unregister_handlers(p->kni);
        if (rte_kni_release(p->kni)) {
            fprintf(stderr, "kni: rte_kni_release failed\n");
        }
        rte_eth_dev_stop(p->id);
        rte_eth_dev_close(p->id);
    }
    rte_kni_close();
    rte_eal_cleanup();
    return EXIT_SUCCESS;
}
