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

/* DPDK 22.11's rte_kni API on lib/kni.h: see rte_kni.h. */

/* rte_kni_update_link() is experimental, as in DPDK. */
#define ALLOW_EXPERIMENTAL_API 1

#include "rte_kni.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "kni.h"
#include "rte_kni-pmd.h"

RTE_LOG_REGISTER_DEFAULT(rte_kni_logtype, INFO);

#define KNI_LOG(LEVEL, ...) \
    rte_log(RTE_LOG_##LEVEL, rte_kni_logtype, "KNI: " __VA_ARGS__)

/* Changes of the kernel device not yet given to the callbacks. */
enum {
    PENDING_MTU = 1 << 0,
    PENDING_MAC = 1 << 1,
    PENDING_PROMISC = 1 << 2,
    PENDING_ALLMULTI = 1 << 3,
    PENDING_UP = 1 << 4,
};

struct rte_kni {
    struct rte_kni *next;       /* In 'knis'. */
    struct kni_dev *dev;
    char name[RTE_KNI_NAMESIZE];
    struct rte_mempool *pool;   /* Fill buffers; copies for tx. */

    /* Under 'kni_mutex'. */
    struct rte_kni_ops ops;
    uint32_t pending;           /* PENDING_*. */
    uint32_t new_mtu;
    uint8_t new_mac[RTE_ETHER_ADDR_LEN];
    bool new_promisc, new_allmulti, new_up;

    /* Held while rte_kni_handle_request() runs the callbacks and by
     * rte_kni_set_mtu() and rte_kni_set_mac_addr().  Recursive: a callback
     * may call those. */
    pthread_mutex_t req_mutex;

    /* What the callbacks last saw, or accepted: a refusal restores it.
     * Under 'req_mutex'. */
    uint32_t mtu;
    uint8_t mac[RTE_ETHER_ADDR_LEN];
    bool promisc, allmulti, up;
};

/* Pools rte_kni_tx_burst() found unregistered and tried to register, so
 * that a pool the kernel refuses is tried once. */
#define KNI_TRIED_POOLS 16

static pthread_mutex_t kni_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct kni_ctx *kni_ctx;         /* Under 'kni_mutex'. */
static struct rte_kni *knis;            /* Under 'kni_mutex'. */
static const struct rte_mempool *tried_pools[KNI_TRIED_POOLS];
static unsigned int n_tried_pools;

int
rte_kni_init(unsigned int max_kni_ifaces)
{
    char msg[256];
    int error = 0;

    (void) max_kni_ifaces;
    pthread_mutex_lock(&kni_mutex);
    if (!kni_ctx) {
        error = kni_ctx_open(NULL, &kni_ctx, msg, sizeof msg);
        if (error) {
            KNI_LOG(ERR, "%s\n", msg);
        }
    }
    pthread_mutex_unlock(&kni_mutex);
    return error ? -1 : 0;
}

static struct rte_kni *
kni_find_locked(const char *name)
{
    struct rte_kni *kni;

    for (kni = knis; kni; kni = kni->next) {
        if (!strncmp(kni->name, name, RTE_KNI_NAMESIZE)) {
            return kni;
        }
    }
    return NULL;
}

static bool
mac_is_zero(const uint8_t mac[RTE_ETHER_ADDR_LEN])
{
    static const uint8_t zero[RTE_ETHER_ADDR_LEN];

    return !memcmp(mac, zero, RTE_ETHER_ADDR_LEN);
}

/* Reads the kernel device's state into what the callbacks have seen. */
static void
kni_sync_state(struct rte_kni *kni)
{
    struct kni_info info;

    if (!kni_dev_get_info(kni->dev, &info)) {
        kni->mtu = info.mtu;
        memcpy(kni->mac, info.mac, RTE_ETHER_ADDR_LEN);
        kni->up = (info.flags & KNI_INFO_F_UP) != 0;
        kni->promisc = (info.flags & KNI_INFO_F_PROMISC) != 0;
        kni->allmulti = (info.flags & KNI_INFO_F_ALLMULTI) != 0;
    }
}

static void
kni_init_req_mutex(struct rte_kni *kni)
{
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&kni->req_mutex, &attr);
    pthread_mutexattr_destroy(&attr);
}

/* Frees 'kni', no longer on 'knis'. */
static void
kni_free(struct rte_kni *kni)
{
    kni_dev_release(kni->dev);
    pthread_mutex_destroy(&kni->req_mutex);
    rte_free(kni);
}

struct rte_kni *
rte_kni_alloc(struct rte_mempool *pktmbuf_pool,
              const struct rte_kni_conf *conf, struct rte_kni_ops *ops)
{
    struct kni_dev_conf dconf;
    struct rte_kni *kni = NULL;
    const char *nul;
    size_t name_len;
    int error;

    if (!pktmbuf_pool || !conf || !conf->name[0]) {
        KNI_LOG(ERR, "rte_kni_alloc: a pool and a named conf are needed\n");
        return NULL;
    }
    nul = memchr(conf->name, '\0', RTE_KNI_NAMESIZE);
    name_len = nul ? (size_t) (nul - conf->name) : RTE_KNI_NAMESIZE;
    if (name_len >= KNI_NAMESIZE) {
        KNI_LOG(ERR, "%.*s: an interface name has at most %d bytes\n",
                (int) name_len, conf->name, KNI_NAMESIZE - 1);
        return NULL;
    }

    pthread_mutex_lock(&kni_mutex);
    if (!kni_ctx) {
        KNI_LOG(ERR, "%s: call rte_kni_init() first\n", conf->name);
        goto out;
    }
    if (kni_find_locked(conf->name)) {
        KNI_LOG(ERR, "%s: a KNI of that name exists\n", conf->name);
        goto out;
    }
    error = kni_register_mempool(kni_ctx, pktmbuf_pool);
    if (error) {
        KNI_LOG(ERR, "%s: registering mempool %s with the kernel failed: "
                "%s\n", conf->name, pktmbuf_pool->name, rte_strerror(error));
        goto out;
    }

    kni = rte_zmalloc("rte_kni", sizeof *kni, 0);
    if (!kni) {
        KNI_LOG(ERR, "%s: out of memory\n", conf->name);
        goto out;
    }
    memcpy(kni->name, conf->name, name_len);
    kni->pool = pktmbuf_pool;
    kni_init_req_mutex(kni);
    if (ops) {
        kni->ops = *ops;
    } else {
        kni->ops.port_id = UINT16_MAX;
    }

    memset(&dconf, 0, sizeof dconf);
    dconf.name = kni->name;
    dconf.mp = pktmbuf_pool;
    dconf.mtu = conf->mtu;
    dconf.min_mtu = conf->min_mtu;
    dconf.max_mtu = conf->max_mtu;
    /* DPDK's module accepted a MAC change unless a callback refused it. */
    dconf.policy = KNI_POLICY_MAC | KNI_POLICY_RX_MODE;
    dconf.force_bind = conf->force_bind;
    dconf.core_id = conf->core_id;
    if (!mac_is_zero(conf->mac_addr)) {
        dconf.mac_set = true;
        memcpy(dconf.mac, conf->mac_addr, RTE_ETHER_ADDR_LEN);
    }
    error = kni_dev_create(kni_ctx, &dconf, &kni->dev);
    if (error) {
        KNI_LOG(ERR, "%s: the kernel refused the interface: %s\n",
                conf->name, rte_strerror(error));
        pthread_mutex_destroy(&kni->req_mutex);
        rte_free(kni);
        kni = NULL;
        goto out;
    }
    kni_sync_state(kni);
    kni->next = knis;
    knis = kni;

out:
    pthread_mutex_unlock(&kni_mutex);
    return kni;
}

int
rte_kni_release(struct rte_kni *kni)
{
    struct rte_kni **p;
    bool found = false;

    if (!kni) {
        return -1;
    }
    pthread_mutex_lock(&kni_mutex);
    for (p = &knis; *p; p = &(*p)->next) {
        if (*p == kni) {
            *p = kni->next;
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&kni_mutex);
    if (!found) {
        KNI_LOG(ERR, "rte_kni_release: not a KNI of this process\n");
        return -1;
    }
    kni_free(kni);
    return 0;
}

static struct rte_kni *
kni_find_id_locked(uint32_t id)
{
    struct rte_kni *kni;

    for (kni = knis; kni; kni = kni->next) {
        if (kni_dev_id(kni->dev) == id) {
            return kni;
        }
    }
    return NULL;
}

/* Reads the kernel's current state into 'kni''s pending changes, after
 * events were lost. */
static void
kni_resync_locked(struct rte_kni *kni)
{
    struct kni_info info;

    if (kni_dev_get_info(kni->dev, &info)) {
        return;
    }
    kni->pending |= PENDING_MTU | PENDING_MAC | PENDING_PROMISC
                    | PENDING_ALLMULTI | PENDING_UP;
    kni->new_mtu = info.mtu;
    memcpy(kni->new_mac, info.mac, RTE_ETHER_ADDR_LEN);
    kni->new_promisc = (info.flags & KNI_INFO_F_PROMISC) != 0;
    kni->new_allmulti = (info.flags & KNI_INFO_F_ALLMULTI) != 0;
    kni->new_up = (info.flags & KNI_INFO_F_UP) != 0;
}

/* Moves every unread event of the context into its KNI's pending
 * changes.  Bounded: the kernel's event ring holds KNI_EVENT_RING_SIZE. */
static void
kni_read_events_locked(void)
{
    struct kni_event evs[64];
    unsigned int budget = KNI_EVENT_RING_SIZE;
    unsigned int i, n;

    while (budget && (n = kni_ctx_read_events(kni_ctx, evs,
                                              RTE_DIM(evs)))) {
        budget -= n < budget ? n : budget;
        for (i = 0; i < n; i++) {
            const struct kni_event *ev = &evs[i];
            struct rte_kni *kni;

            if (ev->type == KNI_EVENT_OVERFLOW) {
                for (kni = knis; kni; kni = kni->next) {
                    kni_resync_locked(kni);
                }
                continue;
            }
            kni = kni_find_id_locked(ev->dev_id);
            if (!kni) {
                continue;
            }
            switch (ev->type) {
            case KNI_EVENT_UP:
                kni->pending |= PENDING_UP;
                kni->new_up = ev->value != 0;
                break;
            case KNI_EVENT_MTU:
                kni->pending |= PENDING_MTU;
                kni->new_mtu = ev->value;
                break;
            case KNI_EVENT_MAC:
                kni->pending |= PENDING_MAC;
                memcpy(kni->new_mac, ev->mac, RTE_ETHER_ADDR_LEN);
                break;
            case KNI_EVENT_PROMISC:
                kni->pending |= PENDING_PROMISC;
                kni->new_promisc = ev->value != 0;
                break;
            case KNI_EVENT_ALLMULTI:
                kni->pending |= PENDING_ALLMULTI;
                kni->new_allmulti = ev->value != 0;
                break;
            case KNI_EVENT_DELETED:
                /* Someone ran "ip link del": the interface is down for
                 * good; rte_kni_release() still frees it. */
                kni->pending |= PENDING_UP;
                kni->new_up = false;
                KNI_LOG(WARNING, "%s: the kernel interface was deleted\n",
                        kni->name);
                break;
            default:
                break;
            }
        }
    }
}

/* DPDK's default handlers, for a KNI whose ops name an ethdev port. */
static int
kni_default_mac(uint16_t port_id, uint8_t mac[])
{
    struct rte_ether_addr ea;
    int ret;

    memcpy(ea.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
    ret = rte_eth_dev_default_mac_addr_set(port_id, &ea);

    if (ret < 0) {
        KNI_LOG(ERR, "port %u: setting the MAC address failed: %s\n",
                port_id, rte_strerror(-ret));
    }
    return ret;
}

/* Turns a receive mode of 'port_id' on or off with 'enable' or 'disable'. */
static int
kni_default_mode(uint16_t port_id, uint8_t on, const char *mode,
                 int (*enable)(uint16_t), int (*disable)(uint16_t))
{
    int ret = on ? enable(port_id) : disable(port_id);

    if (ret < 0) {
        KNI_LOG(ERR, "port %u: turning %s mode %s failed: %s\n", port_id,
                mode, on ? "on" : "off", rte_strerror(-ret));
    }
    return ret;
}

static int
kni_default_promisc(uint16_t port_id, uint8_t on)
{
    return kni_default_mode(port_id, on, "promiscuous",
                            rte_eth_promiscuous_enable,
                            rte_eth_promiscuous_disable);
}

static int
kni_default_allmulti(uint16_t port_id, uint8_t on)
{
    return kni_default_mode(port_id, on, "all-multicast",
                            rte_eth_allmulticast_enable,
                            rte_eth_allmulticast_disable);
}

int
rte_kni_handle_request(struct rte_kni *kni)
{
    struct rte_kni_ops ops;
    uint32_t pending, mtu;
    uint8_t mac[RTE_ETHER_ADDR_LEN];
    bool promisc, allmulti, up;
    bool port_ok;

    if (!kni) {
        return -1;
    }
    pthread_mutex_lock(&kni->req_mutex);
    pthread_mutex_lock(&kni_mutex);
    kni_read_events_locked();
    ops = kni->ops;
    pending = kni->pending;
    kni->pending = 0;
    mtu = kni->new_mtu;
    memcpy(mac, kni->new_mac, RTE_ETHER_ADDR_LEN);
    promisc = kni->new_promisc;
    allmulti = kni->new_allmulti;
    up = kni->new_up;
    pthread_mutex_unlock(&kni_mutex);

    port_ok = (ops.port_id != UINT16_MAX
               && rte_eth_dev_is_valid_port(ops.port_id));

    if (pending & PENDING_MTU && mtu != kni->mtu) {
        if (!ops.change_mtu || !ops.change_mtu(ops.port_id, mtu)) {
            kni->mtu = mtu;
        } else {
            KNI_LOG(INFO, "%s: MTU %"PRIu32" refused, back to %"PRIu32"\n",
                    kni->name, mtu, kni->mtu);
            kni_dev_set_mtu(kni->dev, kni->mtu);
        }
    }
    if (pending & PENDING_MAC
        && memcmp(mac, kni->mac, RTE_ETHER_ADDR_LEN)) {
        int ret = (ops.config_mac_address
                   ? ops.config_mac_address(ops.port_id, mac)
                   : port_ok ? kni_default_mac(ops.port_id, mac) : 0);

        if (!ret) {
            memcpy(kni->mac, mac, RTE_ETHER_ADDR_LEN);
        } else {
            KNI_LOG(INFO, "%s: MAC address change refused\n", kni->name);
            kni_dev_set_mac(kni->dev, kni->mac);
        }
    }
    /* The kernel cannot refuse these: a callback's answer is only logged. */
    if (pending & PENDING_PROMISC && promisc != kni->promisc) {
        int ret = (ops.config_promiscusity
                   ? ops.config_promiscusity(ops.port_id, promisc)
                   : port_ok ? kni_default_promisc(ops.port_id, promisc) : 0);

        if (ret) {
            KNI_LOG(INFO, "%s: promiscuous mode %s refused\n", kni->name,
                    promisc ? "on" : "off");
        }
        kni->promisc = promisc;
    }
    if (pending & PENDING_ALLMULTI && allmulti != kni->allmulti) {
        int ret = (ops.config_allmulticast
                   ? ops.config_allmulticast(ops.port_id, allmulti)
                   : port_ok ? kni_default_allmulti(ops.port_id, allmulti)
                   : 0);

        if (ret) {
            KNI_LOG(INFO, "%s: all-multicast mode %s refused\n", kni->name,
                    allmulti ? "on" : "off");
        }
        kni->allmulti = allmulti;
    }
    if (pending & PENDING_UP && up != kni->up) {
        if (!ops.config_network_if || !ops.config_network_if(ops.port_id,
                                                              up)) {
            kni->up = up;
        } else if (up) {
            /* The interface stays up, but sends and receives nothing. */
            KNI_LOG(INFO, "%s: up refused: carrier off\n", kni->name);
            kni_dev_set_carrier(kni->dev, false);
        } else {
            KNI_LOG(INFO, "%s: down refused (it is down anyway)\n",
                    kni->name);
            kni->up = false;
        }
    }
    pthread_mutex_unlock(&kni->req_mutex);
    return 0;
}

unsigned
rte_kni_rx_burst(struct rte_kni *kni, struct rte_mbuf **mbufs, unsigned num)
{
    return kni_rx_burst(kni->dev, mbufs, num);
}

/* Tries, once per pool, to register the pool of 'm' with the kernel. */
static void
kni_try_register(const struct rte_mbuf *m)
{
    struct rte_mempool *mp = m->pool;
    unsigned int i;
    int error;

    if (m->nb_segs != 1 || !mp) {
        return;
    }
    pthread_mutex_lock(&kni_mutex);
    for (i = 0; i < n_tried_pools; i++) {
        if (tried_pools[i] == mp) {
            goto out;
        }
    }
    if (n_tried_pools < KNI_TRIED_POOLS) {
        tried_pools[n_tried_pools++] = mp;
        error = kni_register_mempool(kni_ctx, mp);
        if (error) {
            KNI_LOG(WARNING, "mempool %s cannot be registered with the "
                    "kernel (%s): its mbufs are copied\n", mp->name,
                    rte_strerror(error));
        }
    }
out:
    pthread_mutex_unlock(&kni_mutex);
}

/* A copy of 'm' in one buffer of 'kni''s pool; NULL if the pool is empty.
 * Sets '*too_big' if the frame does not fit in one buffer. */
static struct rte_mbuf *
kni_copy_mbuf(struct rte_kni *kni, const struct rte_mbuf *m, bool *too_big)
{
    uint32_t len = rte_pktmbuf_pkt_len(m);
    struct rte_mbuf *c;
    const void *src;
    char *dst;

    *too_big = false;
    c = rte_pktmbuf_alloc(kni->pool);
    if (!c) {
        return NULL;
    }
    dst = rte_pktmbuf_append(c, len);
    if (!dst) {
        rte_pktmbuf_free(c);
        *too_big = true;
        return NULL;
    }
    src = rte_pktmbuf_read(m, 0, len, dst);
    if (src != dst) {
        memcpy(dst, src, len);
    }
    c->port = m->port;
    c->vlan_tci = m->vlan_tci;
    c->hash = m->hash;
    return c;
}

#define KNI_TX_CHUNK 32

unsigned
rte_kni_tx_burst(struct rte_kni *kni, struct rte_mbuf **mbufs, unsigned num)
{
    const struct rte_mempool *hint = NULL;
    const struct rte_mempool *tried = NULL; /* Pool tried in this burst. */
    unsigned sent = 0;

    while (sent < num) {
        struct rte_mbuf *out[KNI_TX_CHUNK];
        bool drop = false;
        unsigned k, n, i;

        for (k = 0; k < KNI_TX_CHUNK && sent + k < num; k++) {
            struct rte_mbuf *m = mbufs[sent + k];

            /* kni_try_register() locks: once per pool and burst. */
            if (m->pool != tried
                && !kni_mbuf_is_registered(kni_ctx, m, &hint)) {
                tried = m->pool;
                kni_try_register(m);
                hint = NULL;
            }
            if (kni_mbuf_is_registered(kni_ctx, m, &hint)) {
                out[k] = m;
            } else {
                out[k] = kni_copy_mbuf(kni, m, &drop);
                if (!out[k]) {
                    break;
                }
            }
        }
        n = k ? kni_tx_burst(kni->dev, out, k) : 0;
        for (i = 0; i < k; i++) {
            if (out[i] != mbufs[sent + i]) {
                /* A copy: the original goes if the copy went. */
                rte_pktmbuf_free(i < n ? mbufs[sent + i] : out[i]);
            }
        }
        sent += n;
        if (n < k) {
            break;
        }
        if (drop) {
            /* Too long for one buffer of the KNI's pool: the kernel
             * could not take it either. */
            KNI_LOG(DEBUG, "%s: frame of %"PRIu32" bytes dropped: longer "
                    "than a buffer\n", kni->name,
                    rte_pktmbuf_pkt_len(mbufs[sent]));
            rte_pktmbuf_free(mbufs[sent]);
            sent++;
        } else if (k < KNI_TX_CHUNK && sent < num) {
            break;              /* The KNI's pool is empty. */
        }
    }
    return sent;
}

struct rte_kni *
rte_kni_get(const char *name)
{
    struct rte_kni *kni;

    if (!name) {
        return NULL;
    }
    pthread_mutex_lock(&kni_mutex);
    kni = kni_find_locked(name);
    pthread_mutex_unlock(&kni_mutex);
    return kni;
}

const char *
rte_kni_get_name(const struct rte_kni *kni)
{
    return kni->name;
}

static bool
ops_registered(const struct rte_kni_ops *ops)
{
    return (ops->change_mtu || ops->config_network_if
            || ops->config_mac_address || ops->config_promiscusity
            || ops->config_allmulticast);
}

int
rte_kni_register_handlers(struct rte_kni *kni, struct rte_kni_ops *ops)
{
    int ret = 0;

    if (!kni || !ops) {
        KNI_LOG(ERR, "rte_kni_register_handlers: a KNI and ops are needed\n");
        return -1;
    }
    pthread_mutex_lock(&kni_mutex);
    if (ops_registered(&kni->ops)) {
        KNI_LOG(ERR, "%s: handlers are already registered\n", kni->name);
        ret = -1;
    } else {
        kni->ops = *ops;
    }
    pthread_mutex_unlock(&kni_mutex);
    return ret;
}

int
rte_kni_unregister_handlers(struct rte_kni *kni)
{
    if (!kni) {
        return -1;
    }
    pthread_mutex_lock(&kni_mutex);
    memset(&kni->ops, 0, sizeof kni->ops);
    /* DPDK left port 0 here, so that its default handlers then acted on
     * port 0; none act after this. */
    kni->ops.port_id = UINT16_MAX;
    pthread_mutex_unlock(&kni_mutex);
    return 0;
}

int
rte_kni_update_link(struct rte_kni *kni, unsigned int linkup)
{
    struct kni_info info;

    if (!kni || kni_dev_get_info(kni->dev, &info)
        || kni_dev_set_carrier(kni->dev, linkup != 0)) {
        return -1;
    }
    return (info.flags & KNI_INFO_F_CARRIER) != 0;
}

int
rte_kni_event_fd(void)
{
    int fd;

    pthread_mutex_lock(&kni_mutex);
    fd = kni_ctx ? kni_ctx_fd(kni_ctx) : -1;
    pthread_mutex_unlock(&kni_mutex);
    return fd;
}

int
rte_kni_set_mtu(struct rte_kni *kni, uint16_t mtu)
{
    int error;

    pthread_mutex_lock(&kni->req_mutex);
    error = kni_dev_set_mtu(kni->dev, mtu);
    if (!error) {
        kni->mtu = mtu;
    }
    pthread_mutex_unlock(&kni->req_mutex);
    return -error;
}

int
rte_kni_set_mac_addr(struct rte_kni *kni,
                     const uint8_t mac[RTE_ETHER_ADDR_LEN])
{
    int error;

    pthread_mutex_lock(&kni->req_mutex);
    error = kni_dev_set_mac(kni->dev, mac);
    if (!error) {
        memcpy(kni->mac, mac, RTE_ETHER_ADDR_LEN);
    }
    pthread_mutex_unlock(&kni->req_mutex);
    return -error;
}

int
rte_kni_set_mempool(struct rte_kni *kni, struct rte_mempool *mp)
{
    int error;

    pthread_mutex_lock(&kni_mutex);
    error = kni_register_mempool(kni_ctx, mp);
    if (!error) {
        error = kni_dev_set_mempool(kni->dev, mp);
    }
    if (!error) {
        kni->pool = mp;
    }
    pthread_mutex_unlock(&kni_mutex);
    return -error;
}

void
rte_kni_close(void)
{
    struct rte_kni *kni;

    pthread_mutex_lock(&kni_mutex);
    while ((kni = knis) != NULL) {
        knis = kni->next;
        kni_free(kni);
    }
    if (kni_ctx) {
        kni_ctx_close(kni_ctx);
        kni_ctx = NULL;
    }
    n_tried_pools = 0;
    pthread_mutex_unlock(&kni_mutex);
}
