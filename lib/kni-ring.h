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

#ifndef KNI_RING_H
#define KNI_RING_H 1

/* Userspace side of one single-producer/single-consumer ring shared with
 * the kni kernel module (see include/uapi/kni.h for the layout and the
 * ordering rules).
 *
 * Each side keeps a private cached copy of the other side's index, so that
 * the shared cache line is read only when the cached view says the ring is
 * full (producer) or empty (consumer).  Indices are free-running 32-bit
 * counters; slot = index & mask.
 *
 * Producer:                          Consumer:
 *     n = kni_ring_prod_reserve(r, want);   n = kni_ring_cons_peek(r, want);
 *     fill kni_ring_slot(r, idx + i);       read kni_ring_slot(r, idx + i);
 *     kni_ring_prod_submit(r, n);           kni_ring_cons_release(r, n);
 *
 * where idx is kni_ring_prod_index() / kni_ring_cons_index() read before.
 *
 * This header has no DPDK or OVS dependency; any program can use it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kni_ring {
    uint32_t *producer;         /* Shared. */
    uint32_t *consumer;         /* Shared. */
    uint32_t *flags;            /* Shared, written by the consumer. */
    void *slots;                /* Shared, 'size' entries. */
    uint32_t size;              /* Entries, a power of two. */
    uint32_t mask;              /* size - 1. */
    uint32_t entry_size;        /* Bytes per entry. */

    /* Private to the side that owns this view of the ring. */
    uint32_t cached_prod;
    uint32_t cached_cons;
};

/* Initializes 'r' as a view on a ring whose shared words start at 'base'
 * plus the given byte offsets.  'size' must be a power of two. */
static inline void
kni_ring_init(struct kni_ring *r, void *base, uint64_t producer_off,
              uint64_t consumer_off, uint64_t flags_off, uint64_t slots_off,
              uint32_t size, uint32_t entry_size)
{
    char *b = base;

    r->producer = (uint32_t *) (void *) (b + producer_off);
    r->consumer = (uint32_t *) (void *) (b + consumer_off);
    r->flags = (uint32_t *) (void *) (b + flags_off);
    r->slots = b + slots_off;
    r->size = size;
    r->mask = size - 1;
    r->entry_size = entry_size;
    r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_RELAXED);
    r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_RELAXED);
}

static inline void *
kni_ring_slot(const struct kni_ring *r, uint32_t idx)
{
    return (char *) r->slots + (size_t) (idx & r->mask) * r->entry_size;
}

/* Producer side. */

static inline uint32_t
kni_ring_prod_index(const struct kni_ring *r)
{
    return r->cached_prod;
}

/* Returns how many of 'n' entries may be written, starting at
 * kni_ring_prod_index(). */
static inline uint32_t
kni_ring_prod_reserve(struct kni_ring *r, uint32_t n)
{
    uint32_t free_entries = r->size - (r->cached_prod - r->cached_cons);

    if (free_entries < n) {
        uint32_t cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
        uint32_t fresh = r->size - (r->cached_prod - cons);

        /* A consumer that wrote a bogus index must not make us overwrite
         * entries it has not consumed: keep the last sane view. */
        if (fresh <= r->size) {
            r->cached_cons = cons;
            free_entries = fresh;
        }
    }
    return free_entries < n ? free_entries : n;
}

/* Publishes 'n' entries written after kni_ring_prod_reserve().  Nothing
 * moved, nothing is stored: the shared line stays clean in the other
 * side's cache. */
static inline void
kni_ring_prod_submit(struct kni_ring *r, uint32_t n)
{
    if (!n) {
        return;
    }
    r->cached_prod += n;
    __atomic_store_n(r->producer, r->cached_prod, __ATOMIC_RELEASE);
}

/* Consumer side. */

static inline uint32_t
kni_ring_cons_index(const struct kni_ring *r)
{
    return r->cached_cons;
}

/* Returns how many of 'n' entries may be read, starting at
 * kni_ring_cons_index(). */
static inline uint32_t
kni_ring_cons_peek(struct kni_ring *r, uint32_t n)
{
    uint32_t avail = r->cached_prod - r->cached_cons;

    if (avail < n) {
        uint32_t prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
        uint32_t fresh = prod - r->cached_cons;

        /* Never read past what a sane producer could have written. */
        if (fresh <= r->size) {
            r->cached_prod = prod;
            avail = fresh;
        }
    }
    return avail < n ? avail : n;
}

/* Gives 'n' read entries back to the producer (no store if 'n' is 0). */
static inline void
kni_ring_cons_release(struct kni_ring *r, uint32_t n)
{
    if (!n) {
        return;
    }
    r->cached_cons += n;
    __atomic_store_n(r->consumer, r->cached_cons, __ATOMIC_RELEASE);
}

/* Entries currently in the ring, as seen from either side (approximate
 * while the other side runs). */
static inline uint32_t
kni_ring_count(const struct kni_ring *r)
{
    uint32_t prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
    uint32_t cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
    uint32_t n = prod - cons;

    return n > r->size ? r->size : n;
}

/* Returns true if the consumer asked, through 'flag' in the ring's flags
 * word, to be woken after the producer publishes entries.  Call it after
 * kni_ring_prod_submit().
 *
 * The consumer sets the flag, issues a full barrier and then looks at the
 * producer index once more before it sleeps; the producer publishes its
 * index, issues a full barrier and then reads the flag.  With both barriers
 * at least one side sees the other's store, so no wake-up is lost. */
static inline bool
kni_ring_needs_wakeup(const struct kni_ring *r, uint32_t flag)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_load_n(r->flags, __ATOMIC_RELAXED) & flag;
}

#endif /* kni-ring.h */
