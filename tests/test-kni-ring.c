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

/* Unit tests of the userspace ring code in lib/kni-ring.h.
 *
 * The rings here live in ordinary memory laid out the way the kernel lays
 * them out (producer, consumer and flags on their own cache lines, then the
 * descriptors); both ends are userspace views, so these tests cover the
 * ring arithmetic and ordering only.  The kernel side of the rings is
 * tested in the guest by tests/kni-ktest.c.
 *
 * Usage: test-kni-ring [TEST...]   (no argument: run every test) */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/kni.h"
#include "kni-ring.h"

#define CACHE_LINE 64

struct test_ring {
    void *mem;
    struct kni_ring prod;       /* Producer's view. */
    struct kni_ring cons;       /* Consumer's view. */
};

static int n_failed;

#define CHECK(COND)                                                     \
    do {                                                                \
        if (!(COND)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n",                \
                    __FILE__, __LINE__, #COND);                         \
            n_failed++;                                                 \
            return;                                                     \
        }                                                               \
    } while (0)

static void
test_ring_create(struct test_ring *t, uint32_t size, uint32_t start)
{
    size_t bytes = 3 * CACHE_LINE + (size_t) size * sizeof(struct kni_desc);

    if (posix_memalign(&t->mem, CACHE_LINE, bytes)) {
        perror("posix_memalign");
        exit(EXIT_FAILURE);
    }
    memset(t->mem, 0, bytes);
    *(uint32_t *) t->mem = start;
    *(uint32_t *) (void *) ((char *) t->mem + CACHE_LINE) = start;

    kni_ring_init(&t->prod, t->mem, 0, CACHE_LINE, 2 * CACHE_LINE,
                  3 * CACHE_LINE, size, sizeof(struct kni_desc));
    kni_ring_init(&t->cons, t->mem, 0, CACHE_LINE, 2 * CACHE_LINE,
                  3 * CACHE_LINE, size, sizeof(struct kni_desc));
}

static void
test_ring_destroy(struct test_ring *t)
{
    free(t->mem);
}

/* Produces up to 'n' descriptors numbered from '*seq'; returns how many. */
static uint32_t
produce(struct kni_ring *r, uint32_t n, uint64_t *seq)
{
    uint32_t idx = kni_ring_prod_index(r);
    uint32_t got = kni_ring_prod_reserve(r, n);

    for (uint32_t i = 0; i < got; i++) {
        struct kni_desc *d = kni_ring_slot(r, idx + i);

        d->addr = *seq;
        d->len = (uint32_t) (*seq * 7);
        d->cookie = ~*seq;
        (*seq)++;
    }
    kni_ring_prod_submit(r, got);
    return got;
}

/* Consumes up to 'n' descriptors, checking that they are numbered from
 * '*seq'; returns how many, or UINT32_MAX on a content mismatch. */
static uint32_t
consume(struct kni_ring *r, uint32_t n, uint64_t *seq)
{
    uint32_t idx = kni_ring_cons_index(r);
    uint32_t got = kni_ring_cons_peek(r, n);

    for (uint32_t i = 0; i < got; i++) {
        const struct kni_desc *d = kni_ring_slot(r, idx + i);

        if (d->addr != *seq || d->len != (uint32_t) (*seq * 7)
            || d->cookie != ~*seq) {
            fprintf(stderr, "entry %"PRIu64": got addr %"PRIu64" len %"
                    PRIu32" cookie %"PRIx64"\n", *seq, (uint64_t) d->addr,
                    (uint32_t) d->len, (uint64_t) d->cookie);
            return UINT32_MAX;
        }
        (*seq)++;
    }
    kni_ring_cons_release(r, got);
    return got;
}

static void
test_empty(void)
{
    struct test_ring t;
    uint64_t seq = 0;

    test_ring_create(&t, 64, 0);
    CHECK(kni_ring_cons_peek(&t.cons, 1) == 0);
    CHECK(kni_ring_cons_peek(&t.cons, 64) == 0);
    CHECK(kni_ring_count(&t.cons) == 0);
    CHECK(produce(&t.prod, 1, &seq) == 1);
    CHECK(kni_ring_count(&t.cons) == 1);
    seq = 0;
    CHECK(consume(&t.cons, 64, &seq) == 1);
    CHECK(kni_ring_cons_peek(&t.cons, 1) == 0);
    test_ring_destroy(&t);
}

static void
test_full(void)
{
    struct test_ring t;
    uint64_t pseq = 0, cseq = 0;

    test_ring_create(&t, 64, 0);
    CHECK(produce(&t.prod, 100, &pseq) == 64);
    CHECK(kni_ring_prod_reserve(&t.prod, 1) == 0);
    CHECK(kni_ring_count(&t.prod) == 64);
    CHECK(consume(&t.cons, 1, &cseq) == 1);
    CHECK(produce(&t.prod, 100, &pseq) == 1);
    CHECK(kni_ring_prod_reserve(&t.prod, 1) == 0);
    CHECK(consume(&t.cons, 100, &cseq) == 64);
    CHECK(cseq == pseq);
    test_ring_destroy(&t);
}

/* Indices start just below 2^32 so that they wrap during the test, and the
 * slot index wraps many times. */
static void
test_wrap(void)
{
    struct test_ring t;
    uint64_t pseq = 0, cseq = 0;

    test_ring_create(&t, 64, UINT32_MAX - 100);
    for (int i = 0; i < 1000; i++) {
        uint32_t n = 1 + i % 63;

        CHECK(produce(&t.prod, n, &pseq) == n);
        CHECK(consume(&t.cons, 64, &cseq) == n);
    }
    CHECK(cseq == pseq);
    CHECK(*t.prod.producer < 1000 * 64);
    test_ring_destroy(&t);
}

/* The other side of a shared ring may write anything: neither view may
 * ever report more than the ring holds. */
static void
test_bogus_index(void)
{
    struct test_ring t;
    uint64_t seq = 0;

    test_ring_create(&t, 64, 0);

    /* Producer index far ahead of the consumer. */
    __atomic_store_n(t.cons.producer, 1000, __ATOMIC_RELEASE);
    CHECK(kni_ring_cons_peek(&t.cons, 64) == 0);
    CHECK(kni_ring_cons_peek(&t.cons, 64) == 0);
    CHECK(kni_ring_count(&t.cons) <= 64);

    /* Consumer index ahead of the producer. */
    test_ring_destroy(&t);
    test_ring_create(&t, 64, 0);
    CHECK(produce(&t.prod, 10, &seq) == 10);
    __atomic_store_n(t.prod.consumer, 500, __ATOMIC_RELEASE);
    /* Only the slots never handed to the consumer count as free. */
    CHECK(kni_ring_prod_reserve(&t.prod, 64) == 54);
    CHECK(kni_ring_prod_reserve(&t.prod, 64) == 54);

    /* And a consumer that goes back to a sane index is seen again. */
    __atomic_store_n(t.prod.consumer, 10, __ATOMIC_RELEASE);
    CHECK(kni_ring_prod_reserve(&t.prod, 64) == 64);
    test_ring_destroy(&t);
}

static void
test_wakeup_flag(void)
{
    struct test_ring t;

    test_ring_create(&t, 64, 0);
    CHECK(!kni_ring_needs_wakeup(&t.prod, KNI_RING_F_NEED_WAKEUP));
    __atomic_store_n(t.cons.flags, KNI_RING_F_NEED_WAKEUP, __ATOMIC_RELEASE);
    CHECK(kni_ring_needs_wakeup(&t.prod, KNI_RING_F_NEED_WAKEUP));
    test_ring_destroy(&t);
}

#define N_ITEMS_THREADED 10000000ULL

struct threaded_arg {
    struct test_ring *t;
    uint64_t done;
    bool bad;
};

static void *
producer_main(void *arg_)
{
    struct threaded_arg *arg = arg_;
    uint64_t seq = 0;
    uint32_t burst = 1;

    while (seq < N_ITEMS_THREADED) {
        uint64_t left = N_ITEMS_THREADED - seq;
        uint32_t want = left < burst ? left : burst;

        produce(&arg->t->prod, want, &seq);
        burst = burst % 37 + 1;
    }
    arg->done = seq;
    return NULL;
}

static void *
consumer_main(void *arg_)
{
    struct threaded_arg *arg = arg_;
    uint64_t seq = 0;
    uint32_t burst = 32;

    while (seq < N_ITEMS_THREADED) {
        if (consume(&arg->t->cons, burst, &seq) == UINT32_MAX) {
            arg->bad = true;
            break;
        }
        burst = burst % 61 + 1;
    }
    arg->done = seq;
    return NULL;
}

static void
test_threads(void)
{
    struct threaded_arg p, c;
    pthread_t pt, ct;
    struct test_ring t;

    test_ring_create(&t, 256, UINT32_MAX - 5000);
    memset(&p, 0, sizeof p);
    memset(&c, 0, sizeof c);
    p.t = c.t = &t;
    CHECK(!pthread_create(&ct, NULL, consumer_main, &c));
    CHECK(!pthread_create(&pt, NULL, producer_main, &p));
    pthread_join(pt, NULL);
    pthread_join(ct, NULL);
    CHECK(!c.bad);
    CHECK(p.done == N_ITEMS_THREADED);
    CHECK(c.done == N_ITEMS_THREADED);
    CHECK(kni_ring_count(&t.cons) == 0);
    test_ring_destroy(&t);
}

static const struct {
    const char *name;
    void (*run)(void);
} tests[] = {
    { "empty", test_empty },
    { "full", test_full },
    { "wrap", test_wrap },
    { "bogus-index", test_bogus_index },
    { "wakeup-flag", test_wakeup_flag },
    { "threads", test_threads },
};

int
main(int argc, char *argv[])
{
    int n_run = 0, n_passed = 0;

    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        bool selected = argc < 2;

        for (int j = 1; j < argc; j++) {
            selected |= !strcmp(argv[j], tests[i].name);
        }
        if (selected) {
            int before = n_failed;

            tests[i].run();
            n_run++;
            if (n_failed == before) {
                n_passed++;
                printf("%s: ok\n", tests[i].name);
            } else {
                printf("%s: FAILED\n", tests[i].name);
            }
        }
    }
    if (!n_run) {
        fprintf(stderr, "%s: no such test\n", argv[0]);
        return EXIT_FAILURE;
    }
    printf("%d passed, %d failed\n", n_passed, n_run - n_passed);
    return n_passed == n_run ? EXIT_SUCCESS : EXIT_FAILURE;
}
