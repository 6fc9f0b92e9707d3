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

#include "kni.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "kni-ring.h"

/* Mempools registered on one context.  The array only grows; PMD threads
 * read it without a lock through kni_mbuf_is_registered(). */
#define KNI_MAX_POOLS 32

struct kni_pool {
    struct rte_mempool *mp;     /* NULL: free slot.  Atomic. */
    uint32_t region_ids[KNI_MAX_REGIONS];
    unsigned int n_regions;
    unsigned int n_devs;        /* Devices whose fill buffers come from it. */
};

struct kni_ctx {
    int fd;
    uint32_t abi_version;
    struct kni_pool pools[KNI_MAX_POOLS];

    /* The file's event ring. */
    void *event_map;
    size_t event_map_size;
    struct kni_ring events;     /* We consume. */

    struct kni_dev *devs;       /* Devices of this context, a list. */
};

/* A receive queue: the kernel device's transmit queue of the same number.
 * Each queue is on cache lines of its own: in Open vSwitch each may be
 * driven by a PMD thread of its own, and one device's two directions by
 * two. */
struct kni_rxq {
    struct kni_ring tx;         /* We consume. */
    struct kni_ring fill;       /* We produce. */
} __attribute__((aligned(64)));

/* A transmit queue: the kernel device's receive queue of the same number. */
struct kni_txq {
    struct kni_ring rx;         /* We produce. */
    struct kni_ring comp;       /* We consume. */
} __attribute__((aligned(64)));

struct kni_dev {
    struct kni_ctx *ctx;
    struct kni_dev *next;       /* In ctx->devs. */
    struct kni_pool *pool;
    uint32_t id;
    int ifindex;
    char name[KNI_NAMESIZE];
    uint32_t ring_size;
    uint32_t fill_level;        /* Fill buffers to keep queued. */
    uint32_t buf_size;          /* Bytes a fill buffer holds. */
    uint32_t offloads;          /* KNI_OFFLOAD_*. */

    void *map;
    size_t map_size;
    unsigned int n_rxq, n_txq;
    struct kni_rxq rxq[KNI_MAX_QUEUES];
    struct kni_txq txq[KNI_MAX_QUEUES];

    /* Link as last set, for kni_dev_set_carrier(). */
    uint32_t speed __attribute__((aligned(64)));
    uint8_t duplex;

    struct kni_dev_ustats ustats;
};

/* Fill ring refills happen in batches of at least this many buffers. */
#define KNI_FILL_BATCH 32

static void __attribute__((format(printf, 3, 4)))
kni_msg(char *msg, size_t msg_size, const char *format, ...)
{
    va_list args;

    if (msg && msg_size) {
        va_start(args, format);
        vsnprintf(msg, msg_size, format, args);
        va_end(args);
    }
}

static bool
kni_ring_offset_valid(const struct kni_ring_offset *off, uint64_t map_size,
                      uint32_t size, uint32_t entry_size)
{
    return off->producer + sizeof(uint32_t) <= map_size
           && off->consumer + sizeof(uint32_t) <= map_size
           && off->flags + sizeof(uint32_t) <= map_size
           && off->desc <= map_size
           && (uint64_t) size * entry_size <= map_size - off->desc;
}

/* The rings of 'n' queues, the first at 'a' and 'b', the others every
 * 'stride' bytes, all inside the mapping. */
static bool
kni_queue_offsets_valid(const struct kni_ring_offset *a,
                        const struct kni_ring_offset *b, uint64_t stride,
                        uint32_t n, uint64_t map_size, uint32_t size)
{
    uint64_t last;

    if (!n || n > KNI_MAX_QUEUES || (n > 1 && !stride)
        || stride > map_size) {
        return false;
    }
    last = (n - 1) * stride;
    return last < map_size
           && kni_ring_offset_valid(a, map_size - last, size,
                                    sizeof(struct kni_desc))
           && kni_ring_offset_valid(b, map_size - last, size,
                                    sizeof(struct kni_desc));
}

/* The ring at 'off' moved by 'delta' bytes. */
static void
kni_ring_from_offset(struct kni_ring *r, void *map,
                     const struct kni_ring_offset *off, uint64_t delta,
                     uint32_t size)
{
    kni_ring_init(r, map, off->producer + delta, off->consumer + delta,
                  off->flags + delta, off->desc + delta, size,
                  sizeof(struct kni_desc));
}

/* Maps the file's event ring. */
static int
kni_events_map(struct kni_ctx *ctx)
{
    struct kni_event_ring info;
    void *map;

    memset(&info, 0, sizeof info);
    if (ioctl(ctx->fd, KNI_IOC_EVENT_RING, &info) < 0) {
        return errno;
    }
    if (!info.size || info.size & (info.size - 1)
        || !kni_ring_offset_valid(&info.off, info.mmap_size, info.size,
                                  sizeof(struct kni_event))) {
        return EPROTO;
    }
    map = mmap(NULL, info.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               ctx->fd, info.mmap_offset);
    if (map == MAP_FAILED) {
        return errno;
    }
    ctx->event_map = map;
    ctx->event_map_size = info.mmap_size;
    kni_ring_init(&ctx->events, map, info.off.producer, info.off.consumer,
                  info.off.flags, info.off.desc, info.size,
                  sizeof(struct kni_event));
    return 0;
}

int
kni_ctx_open(const char *path, struct kni_ctx **ctxp, char *msg,
             size_t msg_size)
{
    struct kni_ctx *ctx;
    uint32_t version;
    int error;
    int fd;

    *ctxp = NULL;
    kni_msg(msg, msg_size, "%s", "");
    if (!path) {
        path = KNI_DEVICE_PATH;
    }

    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error = errno;
        if (error == ENOENT || error == ENODEV || error == ENXIO) {
            kni_msg(msg, msg_size, "kni kernel module is not loaded (%s: "
                    "%s); load it with 'modprobe kni' or 'insmod kni.ko'",
                    path, rte_strerror(error));
            return ENOENT;
        }
        kni_msg(msg, msg_size, "cannot open %s: %s", path,
                rte_strerror(error));
        return error;
    }

    if (ioctl(fd, KNI_IOC_ABI_VERSION, &version) < 0) {
        error = errno;
        kni_msg(msg, msg_size, "%s does not answer the kni ABI version "
                "request (%s): it is not the ovs-kni module", path,
                rte_strerror(error));
        close(fd);
        return error;
    }
    if (version != KNI_ABI_VERSION) {
        kni_msg(msg, msg_size, "kni kernel module speaks ABI version %"
                PRIu32" but this program needs version %d: load the kni "
                "module built with this program", version, KNI_ABI_VERSION);
        close(fd);
        return EPROTO;
    }

    ctx = rte_zmalloc("kni_ctx", sizeof *ctx, 0);
    if (!ctx) {
        close(fd);
        return ENOMEM;
    }
    ctx->fd = fd;
    ctx->abi_version = version;

    error = kni_events_map(ctx);
    if (error) {
        kni_msg(msg, msg_size, "cannot map the kni event ring of %s: %s",
                path, rte_strerror(error));
        close(fd);
        rte_free(ctx);
        return error;
    }
    *ctxp = ctx;
    return 0;
}

void
kni_ctx_close(struct kni_ctx *ctx)
{
    if (ctx) {
        /* Closing the file releases every device and region in the
         * kernel. */
        munmap(ctx->event_map, ctx->event_map_size);
        close(ctx->fd);
        rte_free(ctx);
    }
}

unsigned int
kni_ctx_read_events(struct kni_ctx *ctx, struct kni_event *evs,
                    unsigned int n)
{
    uint32_t idx = kni_ring_cons_index(&ctx->events);
    uint32_t got = kni_ring_cons_peek(&ctx->events, n);

    for (uint32_t i = 0; i < got; i++) {
        memcpy(&evs[i], kni_ring_slot(&ctx->events, idx + i), sizeof *evs);
    }
    kni_ring_cons_release(&ctx->events, got);
    return got;
}

struct kni_dev *
kni_ctx_find_dev(const struct kni_ctx *ctx, uint32_t id)
{
    for (struct kni_dev *dev = ctx->devs; dev; dev = dev->next) {
        if (dev->id == id) {
            return dev;
        }
    }
    return NULL;
}

int
kni_ctx_fd(const struct kni_ctx *ctx)
{
    return ctx->fd;
}

uint32_t
kni_ctx_abi_version(const struct kni_ctx *ctx)
{
    return ctx->abi_version;
}

static struct kni_pool *
kni_pool_find(const struct kni_ctx *ctx_, const struct rte_mempool *mp)
{
    struct kni_ctx *ctx = (struct kni_ctx *) ctx_;

    for (int i = 0; i < KNI_MAX_POOLS; i++) {
        if (__atomic_load_n(&ctx->pools[i].mp, __ATOMIC_ACQUIRE) == mp) {
            return &ctx->pools[i];
        }
    }
    return NULL;
}

struct kni_range {
    uintptr_t start;
    uintptr_t end;
};

struct kni_ranges {
    struct kni_range r[KNI_MAX_REGIONS];
    unsigned int n;
    bool overflow;
};

static void
kni_collect_chunk(struct rte_mempool *mp __rte_unused, void *ranges_,
                  struct rte_mempool_memhdr *hdr,
                  unsigned int idx __rte_unused)
{
    struct kni_ranges *ranges = ranges_;
    uintptr_t page = sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t) hdr->addr & ~(page - 1);
    uintptr_t end = ((uintptr_t) hdr->addr + hdr->len + page - 1)
                    & ~(page - 1);

    if (ranges->n >= KNI_MAX_REGIONS) {
        ranges->overflow = true;
        return;
    }
    ranges->r[ranges->n].start = start;
    ranges->r[ranges->n].end = end;
    ranges->n++;
}

static int
kni_range_cmp(const void *a_, const void *b_)
{
    const struct kni_range *a = a_, *b = b_;

    return a->start < b->start ? -1 : a->start > b->start;
}

/* Sorts 'ranges' and merges the ones that touch or overlap, so that no page
 * is registered twice. */
static void
kni_ranges_merge(struct kni_ranges *ranges)
{
    unsigned int n = 0;

    qsort(ranges->r, ranges->n, sizeof ranges->r[0], kni_range_cmp);
    for (unsigned int i = 0; i < ranges->n; i++) {
        if (n && ranges->r[i].start <= ranges->r[n - 1].end) {
            if (ranges->r[i].end > ranges->r[n - 1].end) {
                ranges->r[n - 1].end = ranges->r[i].end;
            }
        } else {
            ranges->r[n++] = ranges->r[i];
        }
    }
    ranges->n = n;
}

static void
kni_pool_unregister_regions(struct kni_ctx *ctx, struct kni_pool *pool)
{
    for (unsigned int i = 0; i < pool->n_regions; i++) {
        ioctl(ctx->fd, KNI_IOC_MEM_UNREG, &pool->region_ids[i]);
    }
    pool->n_regions = 0;
}

int
kni_register_mempool(struct kni_ctx *ctx, struct rte_mempool *mp)
{
    struct kni_ranges ranges;
    struct kni_pool *pool;

    if (kni_pool_find(ctx, mp)) {
        return 0;
    }
    pool = kni_pool_find(ctx, NULL);
    if (!pool) {
        return ENOSPC;
    }

    memset(&ranges, 0, sizeof ranges);
    rte_mempool_mem_iter(mp, kni_collect_chunk, &ranges);
    if (ranges.overflow) {
        return E2BIG;
    }
    kni_ranges_merge(&ranges);

    pool->n_regions = 0;
    for (unsigned int i = 0; i < ranges.n; i++) {
        struct kni_mem_reg reg = {
            .addr = ranges.r[i].start,
            .len = ranges.r[i].end - ranges.r[i].start,
        };

        if (ioctl(ctx->fd, KNI_IOC_MEM_REG, &reg) < 0) {
            int error = errno;

            kni_pool_unregister_regions(ctx, pool);
            return error;
        }
        pool->region_ids[pool->n_regions++] = reg.id;
    }
    pool->n_devs = 0;
    __atomic_store_n(&pool->mp, mp, __ATOMIC_RELEASE);
    return 0;
}

int
kni_unregister_mempool(struct kni_ctx *ctx, struct rte_mempool *mp)
{
    struct kni_pool *pool = mp ? kni_pool_find(ctx, mp) : NULL;

    if (!pool) {
        return ENOENT;
    }
    if (pool->n_devs) {
        return EBUSY;
    }
    /* Readers see the pool gone before its memory is unregistered; a frame
     * already queued from it is refused by the kernel as out of range and
     * still comes back on the completion ring. */
    __atomic_store_n(&pool->mp, NULL, __ATOMIC_RELEASE);
    kni_pool_unregister_regions(ctx, pool);
    return 0;
}

bool
kni_mbuf_is_registered(const struct kni_ctx *ctx, const struct rte_mbuf *m,
                       const struct rte_mempool **hint)
{
    if (m->nb_segs != 1 || !RTE_MBUF_DIRECT(m)) {
        return false;
    }
    if (hint && *hint == m->pool) {
        return true;
    }
    if (!kni_pool_find(ctx, m->pool)) {
        return false;
    }
    if (hint) {
        *hint = m->pool;
    }
    return true;
}

static uint32_t
kni_mp_buf_size(const struct rte_mempool *mp)
{
    uint32_t room = rte_pktmbuf_data_room_size((struct rte_mempool *) mp);

    return room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0;
}

static void
kni_desc_from_mbuf(struct kni_desc *d, struct rte_mbuf *m, uint32_t len)
{
    *d = (struct kni_desc) {
        .addr = (uintptr_t) rte_pktmbuf_mtod(m, void *),
        .cookie = (uintptr_t) m,
        .len = len,
    };
}

/* Offloads, with virtio_net_hdr's meaning (include/uapi/kni.h). */

#define KNI_MBUF_TX_OL_MASK (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG \
                             | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_RX_RSS_HASH)

/* Adds the 16-bit value 'v' to the ones' complement sum 'sum'. */
static uint16_t
kni_csum16_add(uint16_t sum, uint16_t v)
{
    uint32_t r = (uint32_t) sum + v;

    return (r & 0xffff) + (r >> 16);
}

/* Completes in software the checksum of the 'len'-byte frame at 'data'
 * that the kernel left to do: the ones' complement sum from 'start' on,
 * stored at 'start' + 'offset', where the pseudo header's sum already is.
 */
static void
kni_csum_complete(char *data, uint32_t len, uint16_t start, uint16_t offset)
{
    uint16_t *check = (uint16_t *) (void *) (data + start + offset);
    uint16_t sum;

    if ((uint32_t) start + offset + sizeof *check > len) {
        return;
    }
    sum = rte_raw_cksum(data + start, len - start);
    *check = sum == 0xffff ? sum : (uint16_t) ~sum;
}

/* A frame the kernel transmitted: its descriptor's offload metadata as the
 * mbuf flags of a received packet, as net_virtio reports them.  A TCP or
 * UDP checksum left to do is RTE_MBUF_F_RX_L4_CKSUM_NONE (the data is
 * sound, the checksum field holds the pseudo header's sum), with the
 * packet type and header lengths set; a checksum anywhere else (an inner
 * header, say) is done here.  A TCP segment to cut is RTE_MBUF_F_RX_LRO
 * with tso_segsz. */
static void
kni_mbuf_rx_offloads(struct rte_mbuf *m, const struct kni_desc *d)
{
    uint64_t ol = 0;

    if (d->flags & KNI_DESC_F_CSUM_PARTIAL) {
        struct rte_net_hdr_lens hl;
        uint32_t ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_ALL_MASK);
        uint32_t l4 = ptype & RTE_PTYPE_L4_MASK;

        if (d->csum_start == hl.l2_len + hl.l3_len
            && ((l4 == RTE_PTYPE_L4_TCP
                 && d->csum_offset == offsetof(struct rte_tcp_hdr, cksum))
                || (l4 == RTE_PTYPE_L4_UDP
                    && d->csum_offset == offsetof(struct rte_udp_hdr,
                                                  dgram_cksum)))) {
            ol |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
            m->packet_type = ptype;
            m->l2_len = hl.l2_len;
            m->l3_len = hl.l3_len;
            m->l4_len = hl.l4_len;
        } else {
            kni_csum_complete(rte_pktmbuf_mtod(m, char *), m->data_len,
                              d->csum_start, d->csum_offset);
        }
    } else if (d->flags & KNI_DESC_F_CSUM_VALID) {
        ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
    }
    if (d->gso_type != KNI_GSO_NONE) {
        ol |= RTE_MBUF_F_RX_LRO;
        m->tso_segsz = d->gso_size;
    }
    if (d->flags & KNI_DESC_F_HASH) {
        ol |= RTE_MBUF_F_RX_RSS_HASH;
        m->hash.rss = d->hash;
    }
    m->ol_flags |= ol;
}

/* A packet for the kernel: the offloads its mbuf asks for, as far as the
 * device has them ('offloads'), in descriptor 'd'.  DPDK's TSO convention
 * leaves the length out of the pseudo header's sum in the TCP checksum
 * field; the kernel's puts it in, so it is added here.  The IPv4 header
 * checksum, which the kernel always checks, is done here. */
static void
kni_desc_tx_offloads(struct kni_desc *d, struct rte_mbuf *m,
                     uint32_t offloads)
{
    uint64_t ol = m->ol_flags;
    uint64_t l4 = ol & RTE_MBUF_F_TX_L4_MASK;
    uint32_t start = m->l2_len + m->l3_len;
    char *data = rte_pktmbuf_mtod(m, char *);
    uint16_t offset = 0;

    if (ol & RTE_MBUF_F_TX_IP_CKSUM && ol & RTE_MBUF_F_TX_IPV4
        && m->l3_len >= 20 && m->l2_len + m->l3_len <= m->data_len) {
        struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *) (void *)
                                  (data + m->l2_len);

        ip->hdr_checksum = 0;
        ip->hdr_checksum = rte_ipv4_cksum(ip);
    }
    if (!(offloads & KNI_OFFLOAD_CSUM)) {
        return;
    }
    if (ol & RTE_MBUF_F_TX_TCP_SEG || l4 == RTE_MBUF_F_TX_TCP_CKSUM) {
        offset = offsetof(struct rte_tcp_hdr, cksum);
    } else if (l4 == RTE_MBUF_F_TX_UDP_CKSUM) {
        offset = offsetof(struct rte_udp_hdr, dgram_cksum);
    }
    if (offset && start + offset + 2 <= m->data_len) {
        d->flags |= KNI_DESC_F_CSUM_PARTIAL;
        d->csum_start = start;
        d->csum_offset = offset;
        if (ol & RTE_MBUF_F_TX_TCP_SEG && offloads & KNI_OFFLOAD_TSO
            && m->tso_segsz) {
            uint16_t *check = (uint16_t *) (void *) (data + start + offset);

            *check = kni_csum16_add(*check,
                                    rte_cpu_to_be_16(m->data_len - start));
            d->gso_type = ol & RTE_MBUF_F_TX_IPV6 ? KNI_GSO_TCPV6
                                                   : KNI_GSO_TCPV4;
            d->gso_size = m->tso_segsz;
        }
    }
    if (ol & RTE_MBUF_F_RX_RSS_HASH && offloads & KNI_OFFLOAD_HASH) {
        d->flags |= KNI_DESC_F_HASH;
        d->hash = m->hash.rss;
    }
}

static struct rte_mbuf *
kni_desc_mbuf(const struct kni_desc *d)
{
    return (struct rte_mbuf *) (uintptr_t) d->cookie;
}

/* Counts one event in a kni_dev_ustats counter.  The receiving and the
 * sending threads may both count, and any thread may read (every place
 * that counts is a system call or a failure, never the per-packet path). */
static void
kni_ustat_inc(uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* Kicks kernel receive queue 'rx_queue' and transmit queue 'tx_queue'
 * (KNI_QUEUE_NONE: neither). */
static void
kni_kick(struct kni_dev *dev, uint16_t rx_queue, uint16_t tx_queue)
{
    struct kni_kick k = {
        .id = dev->id,
        .rx_queue = rx_queue,
        .tx_queue = tx_queue,
    };

    kni_ustat_inc(&dev->ustats.kicks);
    ioctl(dev->ctx->fd, KNI_IOC_KICK_QUEUE, &k);
}

/* After moving rings 'a' and 'b' (null: none): true if the kernel waits
 * for a kick on either (see kni-ring.h). */
static bool
kni_needs_kick(const struct kni_ring *a, const struct kni_ring *b)
{
    uint32_t flags;

    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    flags = __atomic_load_n(a->flags, __ATOMIC_RELAXED);
    if (b) {
        flags |= __atomic_load_n(b->flags, __ATOMIC_RELAXED);
    }
    return flags & KNI_RING_F_NEED_WAKEUP;
}

/* Tops up the fill ring of 'q' from the device's mempool to its fill
 * level, in batches of at least KNI_FILL_BATCH buffers (any number when
 * the ring is empty).  Returns the number of buffers given. */
static uint32_t
kni_refill(struct kni_dev *dev, struct kni_rxq *q)
{
    uint32_t total = 0;

    for (;;) {
        struct rte_mbuf *mbufs[KNI_FILL_BATCH * 4];
        uint32_t idx = kni_ring_prod_index(&q->fill);
        uint32_t room = kni_ring_prod_reserve(&q->fill, dev->ring_size);
        uint32_t queued = dev->ring_size - room;
        uint32_t n;

        if (queued >= dev->fill_level) {
            return total;
        }
        n = RTE_MIN(dev->fill_level - queued, (uint32_t) RTE_DIM(mbufs));
        if (n < KNI_FILL_BATCH && queued) {
            return total;
        }
        while (n && rte_pktmbuf_alloc_bulk(dev->pool->mp, mbufs, n)) {
            kni_ustat_inc(&dev->ustats.fill_alloc_failed);
            n /= 2;
        }
        if (!n) {
            return total;
        }
        for (uint32_t i = 0; i < n; i++) {
            kni_desc_from_mbuf(kni_ring_slot(&q->fill, idx + i), mbufs[i],
                               dev->buf_size);
        }
        kni_ring_prod_submit(&q->fill, n);
        total += n;
        if (n < RTE_DIM(mbufs)) {
            return total;
        }
    }
}

/* Frees the mbufs the kernel has finished with on 'q'.  Returns how
 * many. */
static uint32_t
kni_reclaim(struct kni_txq *q)
{
    struct rte_mbuf *mbufs[64];
    uint32_t n, total = 0;

    do {
        uint32_t idx = kni_ring_cons_index(&q->comp);

        n = kni_ring_cons_peek(&q->comp, RTE_DIM(mbufs));
        for (uint32_t i = 0; i < n; i++) {
            mbufs[i] = kni_desc_mbuf(kni_ring_slot(&q->comp, idx + i));
        }
        kni_ring_cons_release(&q->comp, n);
        rte_pktmbuf_free_bulk(mbufs, n);
        total += n;
    } while (n == RTE_DIM(mbufs));
    return total;
}

int
kni_dev_create(struct kni_ctx *ctx, const struct kni_dev_conf *conf,
               struct kni_dev **devp)
{
    struct kni_create c;
    struct kni_dev *dev;
    struct kni_pool *pool;
    uint32_t ring_size;
    uint32_t id;
    int error;
    void *map;

    *devp = NULL;
    if (!conf->name || strlen(conf->name) >= KNI_NAMESIZE
        || !conf->name[0]) {
        return EINVAL;
    }
    pool = conf->mp ? kni_pool_find(ctx, conf->mp) : NULL;
    if (!pool) {
        return ENXIO;
    }

    memset(&c, 0, sizeof c);
    memcpy(c.name, conf->name, strlen(conf->name));
    c.mtu = conf->mtu;
    c.min_mtu = conf->min_mtu;
    c.max_mtu = conf->max_mtu;
    c.buf_size = kni_mp_buf_size(conf->mp);
    c.ring_size = conf->ring_size;
    c.core_id = conf->core_id;
    c.policy = conf->policy;
    c.speed = conf->speed;
    c.duplex = conf->speed ? conf->duplex : 0;
    c.offloads = conf->offloads;
    if (conf->n_rxq > KNI_MAX_QUEUES || conf->n_txq > KNI_MAX_QUEUES) {
        return EINVAL;
    }
    /* Our receive queues are the kernel's transmit queues. */
    c.n_tx_queues = conf->n_rxq ? conf->n_rxq : 1;
    c.n_rx_queues = conf->n_txq ? conf->n_txq : 1;
    if (conf->force_bind) {
        c.flags |= KNI_CREATE_F_FORCE_BIND;
    }
    if (conf->mac_set) {
        c.flags |= KNI_CREATE_F_MAC;
        memcpy(c.mac, conf->mac, sizeof c.mac);
    }
    if (ioctl(ctx->fd, KNI_IOC_CREATE, &c) < 0) {
        return errno;
    }
    id = c.id;
    ring_size = c.ring_size_out;

    if (!ring_size || ring_size & (ring_size - 1)
        || !kni_queue_offsets_valid(&c.off.rx, &c.off.comp,
                                    c.rx_queue_stride, c.n_rx_queues,
                                    c.mmap_size, ring_size)
        || !kni_queue_offsets_valid(&c.off.tx, &c.off.fill,
                                    c.tx_queue_stride, c.n_tx_queues,
                                    c.mmap_size, ring_size)) {
        error = EPROTO;
        goto err_release;
    }

    map = mmap(NULL, c.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               ctx->fd, c.mmap_offset);
    if (map == MAP_FAILED) {
        error = errno;
        goto err_release;
    }

    dev = rte_zmalloc("kni_dev", sizeof *dev, 0);
    if (!dev) {
        error = ENOMEM;
        munmap(map, c.mmap_size);
        goto err_release;
    }
    dev->ctx = ctx;
    dev->pool = pool;
    dev->id = id;
    dev->ifindex = c.ifindex;
    memcpy(dev->name, c.name, sizeof dev->name);
    dev->name[KNI_NAMESIZE - 1] = '\0';
    dev->ring_size = ring_size;
    dev->fill_level = (conf->fill_level && conf->fill_level < ring_size
                       ? conf->fill_level : ring_size);
    dev->buf_size = c.buf_size;
    dev->offloads = conf->offloads;
    dev->map = map;
    dev->map_size = c.mmap_size;
    dev->n_rxq = c.n_tx_queues;
    dev->n_txq = c.n_rx_queues;
    for (unsigned int q = 0; q < dev->n_rxq; q++) {
        uint64_t delta = q * c.tx_queue_stride;

        kni_ring_from_offset(&dev->rxq[q].tx, map, &c.off.tx, delta,
                             ring_size);
        kni_ring_from_offset(&dev->rxq[q].fill, map, &c.off.fill, delta,
                             ring_size);
    }
    for (unsigned int q = 0; q < dev->n_txq; q++) {
        uint64_t delta = q * c.rx_queue_stride;

        kni_ring_from_offset(&dev->txq[q].rx, map, &c.off.rx, delta,
                             ring_size);
        kni_ring_from_offset(&dev->txq[q].comp, map, &c.off.comp, delta,
                             ring_size);
    }
    dev->speed = c.speed;
    dev->duplex = c.duplex;
    pool->n_devs++;
    dev->next = ctx->devs;
    ctx->devs = dev;

    /* Give the kernel's transmit path its first buffers. */
    for (unsigned int q = 0; q < dev->n_rxq; q++) {
        kni_refill(dev, &dev->rxq[q]);
    }

    *devp = dev;
    return 0;

err_release:
    ioctl(ctx->fd, KNI_IOC_RELEASE, &id);
    return error;
}

/* Frees the mbufs named by the entries of 'r' between its consumer and
 * producer indices. */
static void
kni_ring_free_pending(struct kni_ring *r)
{
    uint32_t cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
    uint32_t prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
    uint32_t n = prod - cons;

    if (n > r->size) {
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        rte_pktmbuf_free(kni_desc_mbuf(kni_ring_slot(r, cons + i)));
    }
}

void
kni_dev_release(struct kni_dev *dev)
{
    if (!dev) {
        return;
    }

    /* Once the release returns, the kernel touches neither the rings nor
     * the buffers any more: every buffer is on one of the four rings. */
    if (ioctl(dev->ctx->fd, KNI_IOC_RELEASE, &dev->id) == 0) {
        for (unsigned int q = 0; q < dev->n_rxq; q++) {
            kni_ring_free_pending(&dev->rxq[q].fill);
            kni_ring_free_pending(&dev->rxq[q].tx);
        }
        for (unsigned int q = 0; q < dev->n_txq; q++) {
            kni_ring_free_pending(&dev->txq[q].rx);
            kni_ring_free_pending(&dev->txq[q].comp);
        }
    }
    /* If the release failed, the mbufs stay where they are: leaking them is
     * better than handing memory the kernel may still write to back to the
     * pool. */
    munmap(dev->map, dev->map_size);
    dev->pool->n_devs--;
    for (struct kni_dev **p = &dev->ctx->devs; *p; p = &(*p)->next) {
        if (*p == dev) {
            *p = dev->next;
            break;
        }
    }
    rte_free(dev);
}

uint32_t
kni_dev_id(const struct kni_dev *dev)
{
    return dev->id;
}

const char *
kni_dev_name(const struct kni_dev *dev)
{
    return dev->name;
}

int
kni_dev_ifindex(const struct kni_dev *dev)
{
    return dev->ifindex;
}

uint32_t
kni_dev_ring_size(const struct kni_dev *dev)
{
    return dev->ring_size;
}

uint32_t
kni_dev_buf_size(const struct kni_dev *dev)
{
    return dev->buf_size;
}

unsigned int
kni_dev_n_rxq(const struct kni_dev *dev)
{
    return dev->n_rxq;
}

unsigned int
kni_dev_n_txq(const struct kni_dev *dev)
{
    return dev->n_txq;
}

unsigned int
kni_rxq_burst(struct kni_dev *dev, unsigned int qid, struct rte_mbuf **pkts,
              unsigned int n)
{
    struct kni_rxq *q = &dev->rxq[qid];
    uint32_t idx = kni_ring_cons_index(&q->tx);
    uint32_t got = kni_ring_cons_peek(&q->tx, n);
    unsigned int n_pkts = 0;

    for (uint32_t i = 0; i < got; i++) {
        const struct kni_desc *d = kni_ring_slot(&q->tx, idx + i);
        struct rte_mbuf *m = kni_desc_mbuf(d);
        uint32_t len = d->len;

        if (d->flags & KNI_DESC_F_INVALID || !len || len > dev->buf_size) {
            /* A fill buffer the kernel gave back unused. */
            kni_ustat_inc(&dev->ustats.fill_returned_unused);
            rte_pktmbuf_free(m);
            continue;
        }
        m->data_len = len;
        m->pkt_len = len;
        if (d->flags || d->gso_type) {
            kni_mbuf_rx_offloads(m, d);
        }
        pkts[n_pkts++] = m;
    }
    kni_ring_cons_release(&q->tx, got);
    if ((kni_refill(dev, q) || got) && kni_needs_kick(&q->fill, &q->tx)) {
        /* The kernel stopped its queue for room: there is some now. */
        kni_kick(dev, KNI_QUEUE_NONE, qid);
    }
    return n_pkts;
}

unsigned int
kni_rx_burst(struct kni_dev *dev, struct rte_mbuf **pkts, unsigned int n)
{
    return kni_rxq_burst(dev, 0, pkts, n);
}

unsigned int
kni_txq_burst(struct kni_dev *dev, unsigned int qid, struct rte_mbuf **pkts,
              unsigned int n)
{
    const struct rte_mempool *known = NULL;
    struct kni_txq *q = &dev->txq[qid];
    uint32_t idx, room, i;
    bool kick;

    /* The receive thread may wait for comp room. */
    kick = kni_reclaim(q) && kni_needs_kick(&q->comp, NULL);

    idx = kni_ring_prod_index(&q->rx);
    room = kni_ring_prod_reserve(&q->rx, n);
    for (i = 0; i < room; i++) {
        struct rte_mbuf *m = pkts[i];

        if (!kni_mbuf_is_registered(dev->ctx, m, &known)) {
            kni_ustat_inc(&dev->ustats.tx_unregistered);
            break;
        }
        kni_desc_from_mbuf(kni_ring_slot(&q->rx, idx + i), m,
                           rte_pktmbuf_data_len(m));
        if (dev->offloads && m->ol_flags & KNI_MBUF_TX_OL_MASK) {
            kni_desc_tx_offloads(kni_ring_slot(&q->rx, idx + i), m,
                                 dev->offloads);
        }
    }
    if (i) {
        kni_ring_prod_submit(&q->rx, i);
        kick = kick || kni_needs_kick(&q->rx, NULL);
    }
    if (kick) {
        kni_kick(dev, qid, KNI_QUEUE_NONE);
    }
    return i;
}

unsigned int
kni_tx_burst(struct kni_dev *dev, struct rte_mbuf **pkts, unsigned int n)
{
    return kni_txq_burst(dev, 0, pkts, n);
}

uint64_t
kni_dev_fill_failures(const struct kni_dev *dev)
{
    return __atomic_load_n(&dev->ustats.fill_alloc_failed, __ATOMIC_RELAXED);
}

void
kni_dev_get_ustats(const struct kni_dev *dev, struct kni_dev_ustats *s)
{
    const struct kni_dev_ustats *u = &dev->ustats;

    s->fill_alloc_failed = __atomic_load_n(&u->fill_alloc_failed,
                                           __ATOMIC_RELAXED);
    s->fill_returned_unused = __atomic_load_n(&u->fill_returned_unused,
                                              __ATOMIC_RELAXED);
    s->kicks = __atomic_load_n(&u->kicks, __ATOMIC_RELAXED);
    s->tx_unregistered = __atomic_load_n(&u->tx_unregistered,
                                         __ATOMIC_RELAXED);
}

static int
kni_dev_ioctl(struct kni_dev *dev, unsigned long cmd, void *arg)
{
    return ioctl(dev->ctx->fd, cmd, arg) < 0 ? errno : 0;
}

int
kni_dev_set_link(struct kni_dev *dev, bool carrier, uint32_t speed,
                 uint8_t duplex)
{
    struct kni_link l = {
        .id = dev->id, .carrier = carrier, .speed = speed, .duplex = duplex,
    };
    int error = kni_dev_ioctl(dev, KNI_IOC_SET_LINK, &l);

    if (!error) {
        dev->speed = speed;
        dev->duplex = duplex;
    }
    return error;
}

int
kni_dev_set_carrier(struct kni_dev *dev, bool on)
{
    return kni_dev_set_link(dev, on, dev->speed, dev->duplex);
}

int
kni_dev_set_core(struct kni_dev *dev, bool bind, uint32_t core_id)
{
    struct kni_core c = {
        .id = dev->id,
        .flags = bind ? KNI_CREATE_F_FORCE_BIND : 0,
        .core_id = bind ? core_id : 0,
    };

    return kni_dev_ioctl(dev, KNI_IOC_SET_CORE, &c);
}

int
kni_dev_set_policy(struct kni_dev *dev, uint32_t policy, uint32_t min_mtu,
                   uint32_t max_mtu)
{
    struct kni_policy p = {
        .id = dev->id, .flags = policy, .min_mtu = min_mtu,
        .max_mtu = max_mtu,
    };

    return kni_dev_ioctl(dev, KNI_IOC_SET_POLICY, &p);
}

int
kni_dev_get_info(struct kni_dev *dev, struct kni_info *info)
{
    memset(info, 0, sizeof *info);
    info->id = dev->id;
    return kni_dev_ioctl(dev, KNI_IOC_GET_INFO, info);
}

int
kni_dev_get_addrs(struct kni_dev *dev, struct kni_addrs *addrs)
{
    memset(addrs, 0, sizeof *addrs);
    addrs->id = dev->id;
    return kni_dev_ioctl(dev, KNI_IOC_GET_ADDRS, addrs);
}

int
kni_dev_set_mtu(struct kni_dev *dev, uint32_t mtu)
{
    struct kni_dev_value v = { .id = dev->id, .value = mtu };

    return kni_dev_ioctl(dev, KNI_IOC_SET_MTU, &v);
}

int
kni_dev_set_mac(struct kni_dev *dev, const uint8_t mac[6])
{
    struct kni_dev_mac m = { .id = dev->id };

    memcpy(m.mac, mac, sizeof m.mac);
    return kni_dev_ioctl(dev, KNI_IOC_SET_MAC, &m);
}

int
kni_dev_set_mempool(struct kni_dev *dev, struct rte_mempool *mp)
{
    struct kni_pool *pool = mp ? kni_pool_find(dev->ctx, mp) : NULL;
    struct kni_dev_value v = { .id = dev->id };
    int error;

    if (!pool) {
        return ENOENT;
    }
    if (pool == dev->pool) {
        return 0;
    }
    v.value = kni_mp_buf_size(mp);
    error = kni_dev_ioctl(dev, KNI_IOC_SET_BUF_SIZE, &v);
    if (error) {
        return error;
    }
    dev->pool->n_devs--;
    pool->n_devs++;
    dev->pool = pool;
    dev->buf_size = v.value;
    for (unsigned int q = 0; q < dev->n_rxq; q++) {
        kni_refill(dev, &dev->rxq[q]);
    }
    return 0;
}

int
kni_dev_get_stats(struct kni_dev *dev, struct kni_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->id = dev->id;
    return kni_dev_ioctl(dev, KNI_IOC_GET_STATS, stats);
}
