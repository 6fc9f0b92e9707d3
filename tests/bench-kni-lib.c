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

/* Per-packet cost of the userspace data path: kni_tx_burst() (the core of
 * the kni port's send) and kni_rx_burst() (the core of its rxq_recv),
 * measured against the kni module loaded with lo_mode=lo_mode_fifo, which
 * turns every frame given on the rx ring back into a frame on the tx ring.
 * A DPDK rte_ring moving the same mbuf pointers in the same bursts is
 * measured in the same run as the peer.
 *
 *   bench-kni-lib [--huge-dir=DIR] [FRAMES [SIZE]]
 *                          (defaults: 500000 frames of 64 bytes)
 *   bench-kni-lib [--huge-dir=DIR] --rings [FRAMES]
 *                          (default: 20000000 frames)
 *
 * DPDK's memory comes from ordinary 4 kB pages (--no-huge) unless
 * --huge-dir names a hugetlbfs mount with free hugepages (64 MB).
 *
 * --rings needs no module: it times the ring operations alone, one thread
 * playing both sides of a kni ring (lib/kni-ring.h) in DPDK memory,
 * laid out as the module lays it out: 32-frame bursts of descriptors made
 * from mbufs as the library makes them (address, length), published, with
 * the wake-up check the library makes after each burst, then read back
 * into mbuf pointers, the length stored in the mbuf, and released.  A
 * second kni figure, "descriptors only", moves the same descriptors
 * without reading or writing an mbuf.  The peer is an SP/SC rte_ring
 * moving the same mbuf pointers in the same bursts.  The three take turns
 * in blocks of bursts in the same loop.
 *
 * Prints nanoseconds per packet; figures are for comparison within one
 * run, not absolute speeds. */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "kni.h"
#include "kni-ring.h"
#include "uapi/kni.h"

#define BURST 32

static double
ns_per(uint64_t cycles, uint64_t n)
{
    return n ? (double) cycles * 1e9 / rte_get_timer_hz() / n : 0;
}

/* Bursts timed together; the figures take turns block by block. */
#define RINGS_BLOCK 256

static int
cmp_u64(const void *a_, const void *b_)
{
    const uint64_t *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

static uint64_t
median_u64(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_u64);
    return n ? v[n / 2] : 0;
}

/* One burst through the kni ring: descriptors made from 'pkts' as the
 * library makes them, published, the wake-up check the library makes
 * after each burst, then read back into 'out' and released.  With 'bare',
 * no mbuf is read or written: the descriptors take the pointers and a
 * fixed length, and the lengths read back go to 'lens'.  Returns the
 * frames moved. */
static inline uint32_t
kni_ring_burst(struct kni_ring *prod, struct kni_ring *cons,
               struct rte_mbuf **pkts, struct rte_mbuf **out,
               uint16_t *lens, uint64_t *checksum, const bool bare)
{
    uint32_t idx, n, got, i;

    idx = kni_ring_prod_index(prod);
    n = kni_ring_prod_reserve(prod, BURST);
    for (i = 0; i < n; i++) {
        *(struct kni_desc *) kni_ring_slot(prod, idx + i) =
            (struct kni_desc) {
                .addr = (bare ? (uintptr_t) pkts[i]
                        : (uintptr_t) rte_pktmbuf_mtod(pkts[i], void *)),
                .cookie = (uintptr_t) pkts[i],
                .len = bare ? 60 : rte_pktmbuf_data_len(pkts[i]),
            };
    }
    kni_ring_prod_submit(prod, n);
    *checksum += kni_ring_needs_wakeup(prod, KNI_RING_F_NEED_WAKEUP);
    idx = kni_ring_cons_index(cons);
    got = kni_ring_cons_peek(cons, BURST);
    for (i = 0; i < got; i++) {
        const struct kni_desc *d = kni_ring_slot(cons, idx + i);

        out[i] = (struct rte_mbuf *) (uintptr_t) d->cookie;
        if (bare) {
            lens[i] = d->len;
        } else {
            out[i]->data_len = d->len;
        }
    }
    kni_ring_cons_release(cons, got);
    return got;
}

/* The ring operations alone (see --rings above). */
static int
bench_rings(uint64_t frames)
{
    const uint32_t size = KNI_RING_SIZE_DEFAULT;
    uint64_t kni_moved = 0, bare_moved = 0, ring_moved = 0, checksum = 0;
    size_t n_blocks = frames / (RINGS_BLOCK * BURST) + 1, block;
    struct rte_mbuf *pkts[BURST], *out[BURST];
    uint64_t *kni_cycles, *bare_cycles, *ring_cycles;
    struct kni_ring prod, cons;
    double kni_ns, bare_ns, ring_ns;
    struct rte_mempool *mp;
    uint16_t lens[BURST];
    struct rte_ring *ring;
    void *mem;

    /* Producer, consumer and flags words on cache lines of their own, then
     * the descriptors, as the module lays a ring out. */
    mem = rte_zmalloc("rings", 192 + (size_t) size * sizeof(struct kni_desc),
                      64);
    mp = rte_pktmbuf_pool_create("rings", 1023, 0, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ring = rte_ring_create("rings", size, SOCKET_ID_ANY,
                           RING_F_SP_ENQ | RING_F_SC_DEQ);
    kni_cycles = rte_calloc("rings", n_blocks, sizeof *kni_cycles, 0);
    bare_cycles = rte_calloc("rings", n_blocks, sizeof *bare_cycles, 0);
    ring_cycles = rte_calloc("rings", n_blocks, sizeof *ring_cycles, 0);
    if (!mem || !mp || !ring || !kni_cycles || !bare_cycles || !ring_cycles
        || rte_pktmbuf_alloc_bulk(mp, pkts, BURST)) {
        fprintf(stderr, "memory, mempool or ring setup failed\n");
        return EXIT_FAILURE;
    }
    kni_ring_init(&prod, mem, 0, 64, 128, 192, size,
                  sizeof(struct kni_desc));
    kni_ring_init(&cons, mem, 0, 64, 128, 192, size,
                  sizeof(struct kni_desc));

    /* Each figure's code runs RINGS_BLOCK bursts in a row between two
     * readings of the clock, the three taking turns.  Timing single
     * bursts instead charges one side's stores, still draining when the
     * clock is read, to the other, and a host that takes the CPU away for
     * a moment charges that to whichever side was running: either moves
     * the ratio by a factor of three or more between runs.  The figures
     * are the medians over the blocks.
     *
     * On 4 kB pages the mbufs' accesses make most of the difference
     * between the first two figures: the 32 mbufs lie on some 20 pages,
     * and the first figure is about two and a half times what it is
     * with --huge-dir, while the other two do not move. */
    for (block = 0; block < n_blocks; block++) {
        uint64_t t0, t1, t2, t3;
        int i;

        t0 = rte_rdtsc_precise();
        for (i = 0; i < RINGS_BLOCK; i++) {
            kni_moved += kni_ring_burst(&prod, &cons, pkts, out, lens,
                                        &checksum, false);
        }
        checksum += (uintptr_t) out[0];
        t1 = rte_rdtsc_precise();
        for (i = 0; i < RINGS_BLOCK; i++) {
            bare_moved += kni_ring_burst(&prod, &cons, pkts, out, lens,
                                         &checksum, true);
        }
        checksum += (uintptr_t) out[0] + lens[0];
        t3 = rte_rdtsc_precise();
        for (i = 0; i < RINGS_BLOCK; i++) {
            unsigned int n;

            n = rte_ring_enqueue_burst(ring, (void **) pkts, BURST, NULL);
            ring_moved += rte_ring_dequeue_burst(ring, (void **) out, n,
                                                 NULL);
        }
        checksum += (uintptr_t) out[0];
        t2 = rte_rdtsc_precise();
        kni_cycles[block] = t1 - t0;
        bare_cycles[block] = t3 - t1;
        ring_cycles[block] = t2 - t3;
    }

    kni_ns = ns_per(median_u64(kni_cycles, n_blocks), RINGS_BLOCK * BURST);
    bare_ns = ns_per(median_u64(bare_cycles, n_blocks), RINGS_BLOCK * BURST);
    ring_ns = ns_per(median_u64(ring_cycles, n_blocks), RINGS_BLOCK * BURST);
    printf("frames %"PRIu64", %"PRIu64" and %"PRIu64" in bursts of %d, "
           "%zu blocks of %d bursts, one thread both sides "
           "(check %"PRIu64")\n", kni_moved, bare_moved, ring_moved, BURST,
           n_blocks, RINGS_BLOCK, checksum & 1);
    printf("kni ring      %8.2f ns/packet (produce + consume, median "
           "block)\n", kni_ns);
    printf("kni ring bare %8.2f ns/packet (descriptors only, median "
           "block)\n", bare_ns);
    printf("rte_ring peer %8.2f ns/packet (enqueue + dequeue, median "
           "block)\n", ring_ns);
    printf("ratio ring/peer %.2f\n", ring_ns ? kni_ns / ring_ns : 0);
    printf("ratio bare/peer %.2f\n", ring_ns ? bare_ns / ring_ns : 0);
    rte_free(kni_cycles);
    rte_free(bare_cycles);
    rte_free(ring_cycles);
    rte_pktmbuf_free_bulk(pkts, BURST);
    rte_ring_free(ring);
    rte_mempool_free(mp);
    rte_free(mem);
    return EXIT_SUCCESS;
}

int
main(int argc, char *argv[])
{
    char *eal_args[] = {
        argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
        "--no-telemetry", "--log-level=error", "--legacy-mem", NULL,
    };
    uint64_t frames;
    uint32_t size;
    uint64_t tx_cycles = 0, rx_cycles = 0, tx_pkts = 0, rx_pkts = 0;
    uint64_t ring_cycles = 0, ring_pkts = 0, spins = 0;
    struct kni_dev_ustats us;
    struct kni_dev_conf conf;
    struct rte_mempool *mp;
    struct rte_ring *ring;
    struct kni_dev *dev;
    struct kni_ctx *ctx;
    char msg[256];
    int error;

    /* --huge-dir=DIR: DPDK memory from the hugetlbfs mounted on DIR, as a
     * deployment has it, instead of ordinary 4 kB pages. */
    if (argc > 1 && !strncmp(argv[1], "--huge-dir=", 11)) {
        eal_args[1] = argv[1];
        eal_args[3] = "64";
        printf("memory: hugepages (%s)\n", argv[1]);
        argv++;
        argc--;
    } else {
        printf("memory: 4 kB pages (--no-huge)\n");
    }
    frames = argc > 1 ? strtoull(argv[1], NULL, 10) : 500000;
    size = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;
    if (rte_eal_init(sizeof eal_args / sizeof eal_args[0] - 1,
                     eal_args) < 0) {
        fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
        return EXIT_FAILURE;
    }
    if (argc > 1 && !strcmp(argv[1], "--rings")) {
        int status = bench_rings(argc > 2 ? strtoull(argv[2], NULL, 10)
                                 : 20000000);

        rte_eal_cleanup();
        return status;
    }
    if (size < 60 || size > 2048) {
        fprintf(stderr, "frame size must be from 60 to 2048\n");
        return EXIT_FAILURE;
    }

    error = kni_ctx_open(NULL, &ctx, msg, sizeof msg);
    if (error) {
        fprintf(stderr, "%s\n", msg);
        return EXIT_FAILURE;
    }
    mp = rte_pktmbuf_pool_create("bench", 8191, 256, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    ring = rte_ring_create("bench", 1024, SOCKET_ID_ANY,
                           RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!mp || !ring || kni_register_mempool(ctx, mp)) {
        fprintf(stderr, "mempool or ring setup failed\n");
        return EXIT_FAILURE;
    }
    memset(&conf, 0, sizeof conf);
    conf.name = "kbench0";
    conf.mp = mp;
    error = kni_dev_create(ctx, &conf, &dev);
    if (error) {
        fprintf(stderr, "kni_dev_create: %s\n", rte_strerror(error));
        return EXIT_FAILURE;
    }

    while (rx_pkts < frames && spins < 100000000) {
        struct rte_mbuf *pkts[BURST];
        unsigned int n, taken;
        uint64_t t0, t1, t2;

        if (tx_pkts - rx_pkts < 512 && tx_pkts < frames
            && !rte_pktmbuf_alloc_bulk(mp, pkts, BURST)) {
            for (int i = 0; i < BURST; i++) {
                memset(rte_pktmbuf_mtod(pkts[i], void *), 0xa5, 14);
                pkts[i]->data_len = pkts[i]->pkt_len = size;
            }
            t0 = rte_get_timer_cycles();
            taken = kni_tx_burst(dev, pkts, BURST);
            t1 = rte_get_timer_cycles();
            tx_cycles += t1 - t0;
            tx_pkts += taken;
            rte_pktmbuf_free_bulk(pkts + taken, BURST - taken);
        }

        t0 = rte_get_timer_cycles();
        n = kni_rx_burst(dev, pkts, BURST);
        t1 = rte_get_timer_cycles();
        if (n) {
            rx_cycles += t1 - t0;
            rx_pkts += n;

            /* The peer: the same mbufs through an SP/SC rte_ring. */
            t1 = rte_get_timer_cycles();
            rte_ring_enqueue_burst(ring, (void **) pkts, n, NULL);
            rte_ring_dequeue_burst(ring, (void **) pkts, n, NULL);
            t2 = rte_get_timer_cycles();
            ring_cycles += t2 - t1;
            ring_pkts += n;
            rte_pktmbuf_free_bulk(pkts, n);
        } else {
            spins++;
        }
    }

    printf("frames %"PRIu64" of %"PRIu32" bytes through lo_mode_fifo\n",
           rx_pkts, size);
    printf("kni_tx_burst  %8.1f ns/packet\n", ns_per(tx_cycles, tx_pkts));
    printf("kni_rx_burst  %8.1f ns/packet (bursts that returned frames)\n",
           ns_per(rx_cycles, rx_pkts));
    printf("rte_ring peer %8.1f ns/packet (enqueue + dequeue)\n",
           ns_per(ring_cycles, ring_pkts));
    kni_dev_get_ustats(dev, &us);
    printf("kicks         %8.3f per packet (wake-ups of the kernel thread)\n",
           tx_pkts ? (double) us.kicks / tx_pkts : 0);
    printf("ratio tx/peer %.2f, rx/peer %.2f\n",
           ns_per(tx_cycles, tx_pkts) / ns_per(ring_cycles, ring_pkts),
           ns_per(rx_cycles, rx_pkts) / ns_per(ring_cycles, ring_pkts));

    kni_dev_release(dev);
    kni_ctx_close(ctx);
    rte_eal_cleanup();
    return rx_pkts >= frames ? EXIT_SUCCESS : EXIT_FAILURE;
}
