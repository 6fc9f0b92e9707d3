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

/* kni-fuzz: an ABI fuzzer for the kni kernel module, with plain libc,
 * pthreads and the ABI header only (no DPDK).  Runs as root where the
 * module is loaded (the test guest).
 *
 *     kni-fuzz [--seed N] [--ops N] [--threads N] [--procs N] [--time S]
 *              [--file-dir DIR] [--no-create-race] [--qdisc-bypass]
 *              [--no-rmmod] [--no-check] [--verbose]
 *
 * The parent forks --procs worker processes and keeps that many alive: it
 * kills one with SIGKILL now and then and starts another.  A worker may
 * unshare its network namespace (or its user and network namespaces), drop
 * CAP_IPC_LOCK or CAP_NET_ADMIN, and fork a twin that shares its open
 * /dev/kni files and mappings.  It then runs --threads threads (default
 * six: one of each kind below, the rest ioctl threads):
 *
 *   - ioctl threads: every ioctl of include/uapi/kni.h with valid, stale
 *     and random ids, random and boundary values, reserved fields set and
 *     bad argument pointers (NULL, unmapped, read-only, straddling the end
 *     of a mapping, kernel addresses); open and close of /dev/kni; mmap and
 *     munmap of the event ring and of device rings with right and wrong
 *     sizes and offsets, MAP_PRIVATE, after release; mremap, madvise;
 *     memory areas (anonymous, read-only, with holes, memfd, file-backed,
 *     huge pages) and MEM_REG/UNREG of random ranges of them;
 *   - a ring writer: random descriptors (inside and outside registered
 *     memory, random lengths, flags, reserved fields and cookies) on rx and
 *     fill, random values in every ring's producer, consumer and flags
 *     words, and KNI_IOC_KICK;
 *   - a ring reader: consumes tx, comp and the event ring and checks what
 *     the kernel wrote there;
 *   - a kernel-side thread, through rtnetlink and sockets: up, down, MTU,
 *     address, promisc, allmulti, rename, delete (also by name while the
 *     device is being created), vlan and macvlan on top, bridge and bond
 *     ports, moves into network namespaces that are then destroyed, frames
 *     sent with AF_PACKET (through the qdisc, or with --qdisc-bypass also
 *     straight to the driver), packet socket memberships (multicast,
 *     unicast, promisc, allmulti) and ethtool queries.
 *
 * Everything random comes from --seed: the seed is printed first, so a
 * run can be repeated (thread timing differs, the choices do not).  An
 * operation, as --ops counts them, is one system call or request (an
 * ioctl, mmap, a netlink request, a send...); the ring threads' loads and
 * stores are counted apart.  At the end the number of operations done and,
 * per operation, the results (errno histogram) are printed; errors the ABI
 * header does not document are marked with '*'.  A process that does not
 * die after SIGKILL (stuck in the kernel) has its kernel stacks printed.
 *
 * After every worker has exited the parent checks that no kni device is
 * left in its network namespace, that the pinned memory was given back and
 * that the module unloads.  The module exposes no counter of pinned pages,
 * and /proc shows none either (the pages are charged to the user's
 * locked_vm, which /proc does not show, not to an mm), so the check is
 * functional: with max_pinned_mb and max_pinned_mb_user lowered to a few
 * MiB, exactly that much must register and one page more must not; and a
 * process without CAP_IPC_LOCK and RLIMIT_MEMLOCK set to a few MiB must be
 * able to register exactly that much, which holds only if root's locked_vm
 * charge is back to zero.  The exit status is non-zero if a check failed,
 * if the kernel wrote something the ABI does not allow in a ring, or if a
 * worker died of anything but SIGKILL. */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/kni.h"

#define KNI_PARAMS_DIR "/sys/module/kni/parameters/"
#define PAGE 4096UL

/* Per worker process. */
#define MAX_FILES 4             /* Open /dev/kni files. */
#define MAX_DEVS 40             /* Devices, over all files. */
#define MAX_REGIONS 96          /* Registered regions, over all files. */
#define MAX_AREAS 24            /* Memory areas to register from. */
#define MAX_MAPS 48             /* Ring mappings. */
#define MAX_STALE 32            /* Ids of released devices and regions. */
#define MAX_HELPERS 4           /* Network namespace holders. */
#define MAX_PSOCKS 4            /* Packet sockets holding memberships. */
#define MIN_THREADS 4

/* Over the whole run. */
#define MAX_PIDS 256            /* Worker processes alive at once. */
#define N_ERRNO 135             /* 0 (success), errno 1..133, other. */

/* Operations, for the counters. */
enum op {
    OP_ABI_VERSION,
    OP_EVENT_RING,
    OP_MEM_REG,
    OP_MEM_UNREG,
    OP_CREATE,
    OP_RELEASE,
    OP_SET_MTU,
    OP_SET_MAC,
    OP_KICK,
    OP_KICK_QUEUE,
    OP_GET_STATS,
    OP_SET_BUF_SIZE,
    OP_SET_POLICY,
    OP_SET_LINK,
    OP_GET_INFO,
    OP_GET_ADDRS,
    OP_BAD_IOCTL,
    OP_OPEN,
    OP_CLOSE,
    OP_MMAP_EVENT,
    OP_MMAP_DEV,
    OP_MUNMAP,
    OP_MREMAP,
    OP_MADVISE,
    OP_POLL,
    OP_READ_WRITE,
    OP_AREA_MAP,
    OP_AREA_UNMAP,
    OP_RING_RX,
    OP_RING_FILL,
    OP_RING_GARBAGE,
    OP_RING_KICK,
    OP_RING_READ,
    OP_EVENT_READ,
    OP_NL_FLAGS,
    OP_NL_MTU,
    OP_NL_ADDRESS,
    OP_NL_RENAME,
    OP_NL_DELETE,
    OP_NL_DELETE_RACE,
    OP_NL_VLAN,
    OP_NL_MACVLAN,
    OP_NL_MASTER,
    OP_NL_NETNS,
    OP_NETNS_NEW,
    OP_NETNS_DESTROY,
    OP_PACKET_SEND,
    OP_PACKET_MEMBERSHIP,
    OP_ETHTOOL,
    N_OPS
};

static const char *const op_names[N_OPS] = {
    [OP_ABI_VERSION] = "ioctl ABI_VERSION",
    [OP_EVENT_RING] = "ioctl EVENT_RING",
    [OP_MEM_REG] = "ioctl MEM_REG",
    [OP_MEM_UNREG] = "ioctl MEM_UNREG",
    [OP_CREATE] = "ioctl CREATE",
    [OP_RELEASE] = "ioctl RELEASE",
    [OP_SET_MTU] = "ioctl SET_MTU",
    [OP_SET_MAC] = "ioctl SET_MAC",
    [OP_KICK] = "ioctl KICK",
    [OP_KICK_QUEUE] = "ioctl KICK_QUEUE",
    [OP_GET_STATS] = "ioctl GET_STATS",
    [OP_SET_BUF_SIZE] = "ioctl SET_BUF_SIZE",
    [OP_SET_POLICY] = "ioctl SET_POLICY",
    [OP_SET_LINK] = "ioctl SET_LINK",
    [OP_GET_INFO] = "ioctl GET_INFO",
    [OP_GET_ADDRS] = "ioctl GET_ADDRS",
    [OP_BAD_IOCTL] = "ioctl (unknown or wrong size)",
    [OP_OPEN] = "open",
    [OP_CLOSE] = "close",
    [OP_MMAP_EVENT] = "mmap event ring",
    [OP_MMAP_DEV] = "mmap device rings",
    [OP_MUNMAP] = "munmap rings",
    [OP_MREMAP] = "mremap rings",
    [OP_MADVISE] = "madvise rings",
    [OP_POLL] = "poll",
    [OP_READ_WRITE] = "read/write",
    [OP_AREA_MAP] = "memory area map",
    [OP_AREA_UNMAP] = "memory area unmap",
    [OP_RING_RX] = "ring rx produce",
    [OP_RING_FILL] = "ring fill produce",
    [OP_RING_GARBAGE] = "ring garbage",
    [OP_RING_KICK] = "ring kick",
    [OP_RING_READ] = "ring tx/comp consume",
    [OP_EVENT_READ] = "event ring consume",
    [OP_NL_FLAGS] = "link up/down/promisc/allmulti",
    [OP_NL_MTU] = "link mtu",
    [OP_NL_ADDRESS] = "link address",
    [OP_NL_RENAME] = "link rename",
    [OP_NL_DELETE] = "link delete",
    [OP_NL_DELETE_RACE] = "link delete during create",
    [OP_NL_VLAN] = "vlan add",
    [OP_NL_MACVLAN] = "macvlan add",
    [OP_NL_MASTER] = "bridge/bond port",
    [OP_NL_NETNS] = "link set netns",
    [OP_NETNS_NEW] = "netns add",
    [OP_NETNS_DESTROY] = "netns delete",
    [OP_PACKET_SEND] = "AF_PACKET send",
    [OP_PACKET_MEMBERSHIP] = "AF_PACKET membership",
    [OP_ETHTOOL] = "ethtool",
};

/* The errors include/uapi/kni.h documents for each ioctl, besides EFAULT,
 * ENOMEM, and EBADF and ENOTTY (an fd closed, or reused by another thread,
 * under the caller). */
static const int documented[][10] = {
    [OP_ABI_VERSION] = { 0 },
    [OP_EVENT_RING] = { 0 },
    [OP_MEM_REG] = { EPERM, EINVAL, ENOSPC, 0 },
    [OP_MEM_UNREG] = { ENOENT, 0 },
    [OP_CREATE] = { EPERM, ENAMETOOLONG, EINVAL, EOPNOTSUPP, EADDRNOTAVAIL,
                    EEXIST, ENOSPC, 0 },
    [OP_RELEASE] = { ENOENT, 0 },
    [OP_SET_MTU] = { ENOENT, ENODEV, EINVAL, 0 },
    [OP_SET_MAC] = { ENOENT, ENODEV, EADDRNOTAVAIL, EINVAL, 0 },
    [OP_KICK] = { ENOENT, 0 },
    [OP_KICK_QUEUE] = { ENOENT, EINVAL, 0 },
    [OP_GET_STATS] = { ENOENT, 0 },
    [OP_SET_BUF_SIZE] = { ENOENT, ENODEV, EINVAL, 0 },
    [OP_SET_POLICY] = { ENOENT, ENODEV, EINVAL, 0 },
    [OP_SET_LINK] = { ENOENT, ENODEV, EINVAL, 0 },
    [OP_GET_INFO] = { ENOENT, 0 },
    [OP_GET_ADDRS] = { ENOENT, 0 },
};

/* Things the kernel must never do; any of them fails the run. */
enum anomaly {
    AN_ABI_VERSION,             /* ABI_VERSION is not KNI_ABI_VERSION. */
    AN_CREATE_OUT,              /* CREATE's output is inconsistent. */
    AN_CREATE_POISON,           /* CREATE's output holds freed memory. */
    AN_INFO,                    /* GET_INFO or GET_ADDRS inconsistent. */
    AN_EVENT,                   /* A bad event on the event ring. */
    AN_TX_DESC,                 /* A bad descriptor on tx. */
    AN_COMP_DESC,               /* A bad descriptor on comp. */
    AN_WORKER_SIGNAL,           /* A worker died of a signal not sent. */
    AN_WORKER_EXIT,             /* A worker exited with an error. */
    N_ANOMALIES
};

static const char *const anomaly_names[N_ANOMALIES] = {
    [AN_ABI_VERSION] = "ABI_VERSION returned another version",
    [AN_CREATE_OUT] = "CREATE returned inconsistent output",
    [AN_CREATE_POISON] = "CREATE returned freed (poisoned) memory",
    [AN_INFO] = "GET_INFO/GET_ADDRS returned inconsistent output",
    [AN_EVENT] = "bad event on the event ring",
    [AN_TX_DESC] = "bad descriptor on tx",
    [AN_COMP_DESC] = "bad descriptor on comp",
    [AN_WORKER_SIGNAL] = "worker killed by an unexpected signal",
    [AN_WORKER_EXIT] = "worker exited with an error",
};

/* Memory shared by the parent and every worker. */
struct shared {
    uint64_t ops;               /* Operations done, all processes. */
    uint64_t ops_target;
    int stop;                   /* Set: every worker finishes. */
    uint64_t counts[N_OPS][N_ERRNO];
    uint64_t ns[N_OPS];         /* Time spent, for --verbose. */
    uint64_t anomalies[N_ANOMALIES];
    pid_t pids[MAX_PIDS];       /* Workers and twins, for the killer. */
    pthread_mutex_t print_lock;
};

static struct shared *sh;

/* When the current thread's operation began (see count()). */
static __thread uint64_t op_start_ns;

/* The roles of the current thread and the mapping it works on, for a
 * fault report. */
static __thread int thread_role = -1;
static __thread const struct map *thread_map;

/* Options. */
static uint64_t opt_seed;
static uint64_t opt_ops = 100000;
static int opt_threads = 6;
static int opt_procs = 3;
static double opt_time;
static const char *opt_file_dir = "/tmp";
static bool opt_rmmod = true;
static bool opt_check = true;
static bool opt_verbose;
static bool opt_create_race = true;
static bool opt_qdisc_bypass;

/* A pseudo-random number generator (splitmix64): one per thread. */
struct rng {
    uint64_t s;
};

static uint64_t
rnd64(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A number in [0, n). */
static uint32_t
rnd(struct rng *r, uint32_t n)
{
    return n ? rnd64(r) % n : 0;
}

/* True with probability num/den. */
static bool
chance(struct rng *r, uint32_t num, uint32_t den)
{
    return rnd(r, den) < num;
}

static uint64_t
mix_seed(uint64_t seed, uint64_t salt)
{
    struct rng r = { seed ^ (salt * 0xd1342543de82ef95ULL) };

    rnd64(&r);
    return rnd64(&r);
}

/* A 32-bit value that is often on a boundary. */
static uint32_t
rnd_u32(struct rng *r)
{
    static const uint32_t edges[] = {
        0, 1, 2, 13, 14, 15, 46, 63, 64, 65, 67, 68, 69, 85, 86, 127, 128,
        576, 1279, 1280, 1499, 1500, 1501, 1514, 1518, 1522, 2047, 2048,
        4096, 9000, 9018, 16383, 16384, 16385, 65517, 65518, 65535, 65536,
        65537, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
    };

    switch (rnd(r, 4)) {
    case 0:
        return rnd64(r);
    case 1:
        return rnd(r, 70000);
    default:
        return edges[rnd(r, sizeof edges / sizeof edges[0])];
    }
}

static void
rnd_bytes(struct rng *r, void *p_, size_t n)
{
    uint8_t *p = p_;

    while (n >= 8) {
        uint64_t v = rnd64(r);

        memcpy(p, &v, 8);
        p += 8;
        n -= 8;
    }
    while (n--) {
        *p++ = rnd64(r);
    }
}

/* A MAC address: mostly a valid unicast one. */
static void
rnd_mac(struct rng *r, uint8_t mac[6])
{
    rnd_bytes(r, mac, 6);
    switch (rnd(r, 10)) {
    case 0:
        memset(mac, 0, 6);
        break;
    case 1:
        mac[0] |= 1;            /* Multicast. */
        break;
    case 2:
        memset(mac, 0xff, 6);
        break;
    default:
        mac[0] = (mac[0] & ~1) | 2;
        break;
    }
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_us(unsigned int us)
{
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000L };

    nanosleep(&ts, NULL);
}

/* The print lock is shared by every process; one killed while it held the
 * lock leaves it to the next. */
static void
print_lock(void)
{
    if (pthread_mutex_lock(&sh->print_lock) == EOWNERDEAD) {
        pthread_mutex_consistent(&sh->print_lock);
    }
}

static void
say(const char *fmt, ...)
{
    va_list args;

    print_lock();
    printf("kni-fuzz: ");
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&sh->print_lock);
}

static void
anomaly(enum anomaly a, const char *fmt, ...)
{
    va_list args;

    __atomic_add_fetch(&sh->anomalies[a], 1, __ATOMIC_RELAXED);
    print_lock();
    printf("kni-fuzz: ANOMALY (%s): ", anomaly_names[a]);
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&sh->print_lock);
}

/* Like strerror(), but safe in threads: a known error's message is a
 * constant string; an unknown one's ("Unknown error N") goes into one of a
 * few buffers of this thread, so that two results can be used in a single
 * printf(). */
static const char *
err_str(int error)
{
    static __thread char bufs[4][64];
    static __thread unsigned int next;
    char *buf = bufs[next++ % 4];

    return strerror_r(error, buf, sizeof bufs[0]);
}

/* Says why, then dies of SIGABRT as abort() would: a core dump, and the
 * parent reports a worker killed by an unexpected signal. */
static void __attribute__((__noreturn__, __format__(__printf__, 1, 2)))
fatal(const char *fmt, ...)
{
    va_list args;

    print_lock();
    printf("kni-fuzz: FATAL: ");
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&sh->print_lock);

    signal(SIGABRT, SIG_DFL);
    raise(SIGABRT);
    _exit(134);                 /* Not reached. */
}

/* Zeroed memory for 'n' objects of 'size' bytes each, from anonymous pages
 * (a worker keeps it until it exits, and the pages are away from the
 * heap the fuzzed mappings come and go around).  Out of memory, a worker
 * says so and exits with status 1. */
static void *
xzalloc_array(size_t n, size_t size)
{
    void *p = MAP_FAILED;

    if (n && size && n <= SIZE_MAX / size) {
        p = mmap(NULL, n * size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (p == MAP_FAILED) {
        say("out of memory (%zu * %zu bytes)", n, size);
        _exit(1);
    }
    return p;
}

/* Whether 'op' is a step on ring memory (loads and stores, no system
 * call): those are counted apart and not toward --ops. */
static bool
is_ring_step(enum op op)
{
    return op == OP_RING_RX || op == OP_RING_FILL || op == OP_RING_GARBAGE
           || op == OP_RING_READ || op == OP_EVENT_READ;
}

/* Counts one operation of kind 'op' with result 'ret' (-1 and errno, or
 * anything else for success).  Returns false once the run should stop. */
static bool
count(enum op op, long ret)
{
    int e = ret == -1 ? errno : 0;
    struct timespec ts;
    uint64_t t;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    t = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
    if (op_start_ns && t > op_start_ns) {
        __atomic_add_fetch(&sh->ns[op], t - op_start_ns, __ATOMIC_RELAXED);
    }
    op_start_ns = t;

    if (e < 0 || e >= N_ERRNO - 1) {
        e = N_ERRNO - 1;
    }
    __atomic_add_fetch(&sh->counts[op][e], 1, __ATOMIC_RELAXED);
    if (is_ring_step(op)) {
        return !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
    }
    if (__atomic_add_fetch(&sh->ops, 1, __ATOMIC_RELAXED)
        >= sh->ops_target) {
        __atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
        return false;
    }
    return true;
}

static bool
stopping(void)
{
    return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
}

/* State of one worker process. */

struct file {
    bool used;
    int fd;
    uint64_t serial;            /* Tells a reopened file from the old. */
    bool have_event_ring;
    struct kni_event_ring er;
};

struct dev {
    bool used;
    int file;                   /* Index into files[]. */
    uint64_t file_serial;
    uint32_t id;
    uint32_t ifindex;
    char name[KNI_NAMESIZE];
    uint32_t ring_size;
    uint32_t buf_size;
    uint32_t offloads;          /* KNI_OFFLOAD_* it was created with. */
    uint64_t mmap_offset;
    uint64_t mmap_size;
    struct kni_ring_offsets off;
};

struct region {
    bool used;
    bool safe;                  /* Inside an area of ours when registered:
                                 * fill buffers may point there.  A region
                                 * past an area's end may cover this
                                 * process's own heap or stacks, which the
                                 * kernel would then overwrite with
                                 * frames. */
    int file;
    uint64_t file_serial;
    uint32_t id;
    uint64_t addr;
    uint64_t len;
};

enum area_kind {
    AREA_ANON,                  /* Private anonymous, read-write. */
    AREA_ANON_RO,               /* Private anonymous, read-only. */
    AREA_HOLE,                  /* Anonymous, one page unmapped inside. */
    AREA_MEMFD,                 /* memfd, shared. */
    AREA_FILE_SHARED,           /* A file in --file-dir, shared. */
    AREA_FILE_PRIVATE,          /* A file in --file-dir, private. */
    AREA_HUGE,                  /* Anonymous huge pages. */
    N_AREA_KINDS
};

struct area {
    bool used;
    enum area_kind kind;
    char *addr;
    size_t len;
    size_t hole;                /* AREA_HOLE: offset of the hole. */
};

struct map {
    bool used;
    bool event;                 /* Event ring, else device rings. */
    bool writable;              /* PROT_WRITE: the ring threads write. */
    char *addr;
    size_t len;
    int fd;                     /* To kick; may be stale. */
    int file;
    uint64_t file_serial;
    uint32_t dev_id;
    uint32_t ring_size;
    uint32_t buf_size;
    uint32_t offloads;          /* The device's: what tx may carry. */
    struct kni_ring_offsets off;
    struct kni_ring_offset ev_off;
};

struct worker {
    int index;
    uint64_t seed;
    struct rng rng;             /* Setup, before the threads. */
    bool in_userns;
    bool no_ipc_lock;
    bool no_net_admin;

    /* Lists below: 'lock'.  Memory the ring threads touch (maps, areas):
     * 'vm_lock' read-held while touching it, write-held to unmap it. */
    pthread_mutex_t lock;
    pthread_rwlock_t vm_lock;
    struct file files[MAX_FILES];
    uint64_t next_serial;
    struct dev devs[MAX_DEVS];
    struct region regions[MAX_REGIONS];
    struct area areas[MAX_AREAS];
    struct map maps[MAX_MAPS];
    uint32_t stale_devs[MAX_STALE];
    uint32_t stale_regions[MAX_STALE];
    unsigned int n_stale_devs;
    unsigned int n_stale_regions;
    unsigned int name_counter;

    /* The name a thread is creating now, for the kernel-side thread. */
    pthread_mutex_t creating_lock;
    char creating[KNI_NAMESIZE];
    int creating_active;

    uint64_t quota;             /* Operations before a voluntary exit. */
    uint64_t done;
};

struct thread {
    struct worker *w;
    int index;
    unsigned int roles;
    struct rng rng;
    char *guard;                /* RW page, PROT_NONE page, RO page. */

    /* Kernel-side thread. */
    int nl_fd;
    uint32_t nl_seq;
    int inet_fd;
    pid_t helpers[MAX_HELPERS];
    int psocks[MAX_PSOCKS];
};

enum role {
    ROLE_IOCTL = 1 << 0,
    ROLE_RING_WRITE = 1 << 1,
    ROLE_RING_READ = 1 << 2,
    ROLE_KERNEL = 1 << 3,
};

/* Picks from lists; 'lock' held. */

static int
pick_file(struct thread *t)
{
    struct worker *w = t->w;
    int i, n = 0, pick = -1;

    for (i = 0; i < MAX_FILES; i++) {
        if (w->files[i].used && rnd(&t->rng, ++n) == 0) {
            pick = i;
        }
    }
    return pick;
}

static int
pick_dev(struct thread *t, int file)
{
    struct worker *w = t->w;
    int i, n = 0, pick = -1;

    for (i = 0; i < MAX_DEVS; i++) {
        if (w->devs[i].used && (file < 0 || w->devs[i].file == file)
            && rnd(&t->rng, ++n) == 0) {
            pick = i;
        }
    }
    return pick;
}

static int
count_devs(struct worker *w)
{
    int i, n = 0;

    for (i = 0; i < MAX_DEVS; i++) {
        n += w->devs[i].used;
    }
    return n;
}

static int
pick_region(struct thread *t, int file, bool safe)
{
    struct worker *w = t->w;
    int i, n = 0, pick = -1;

    for (i = 0; i < MAX_REGIONS; i++) {
        if (w->regions[i].used && (file < 0 || w->regions[i].file == file)
            && (!safe || w->regions[i].safe)
            && rnd(&t->rng, ++n) == 0) {
            pick = i;
        }
    }
    return pick;
}

static int
pick_area(struct thread *t)
{
    struct worker *w = t->w;
    int i, n = 0, pick = -1;

    for (i = 0; i < MAX_AREAS; i++) {
        if (w->areas[i].used && rnd(&t->rng, ++n) == 0) {
            pick = i;
        }
    }
    return pick;
}

static int
pick_map(struct thread *t, bool writable)
{
    struct worker *w = t->w;
    int i, n = 0, pick = -1;

    for (i = 0; i < MAX_MAPS; i++) {
        if (w->maps[i].used && (!writable || w->maps[i].writable)
            && rnd(&t->rng, ++n) == 0) {
            pick = i;
        }
    }
    return pick;
}

static int
free_slot(bool *used, size_t stride, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (!*(bool *) ((char *) used + i * stride)) {
            return i;
        }
    }
    return -1;
}

#define FREE_SLOT(ARRAY, N) \
    free_slot(&(ARRAY)[0].used, sizeof (ARRAY)[0], (N))

static void
add_stale(uint32_t *list, unsigned int *n, uint32_t id)
{
    list[(*n)++ % MAX_STALE] = id;
}

/* A device id to use: mostly a live one of 'file', else a stale, a random
 * or a boundary one.  'lock' held. */
static uint32_t
pick_id(struct thread *t, int file, int *devp)
{
    struct worker *w = t->w;
    int d;

    *devp = -1;
    switch (rnd(&t->rng, 10)) {
    case 0:
        if (w->n_stale_devs) {
            return w->stale_devs[rnd(&t->rng, w->n_stale_devs < MAX_STALE
                                     ? w->n_stale_devs : MAX_STALE)];
        }
        return 0;
    case 1:
        switch (rnd(&t->rng, 4)) {
        case 0:
            return 0;
        case 1:
            return UINT32_MAX;
        case 2:
            return rnd(&t->rng, 64);
        default:
            return rnd64(&t->rng);
        }
    case 2:
        /* Another file's device. */
        d = pick_dev(t, -1);
        return d >= 0 ? w->devs[d].id : 1;
    default:
        d = pick_dev(t, file);
        *devp = d;
        return d >= 0 ? w->devs[d].id : 1;
    }
}

/* Argument pointers. */

enum arg_kind {
    ARG_GOOD,
    ARG_NULL,
    ARG_LOW,                    /* Below mmap_min_addr. */
    ARG_NONE,                   /* A PROT_NONE page. */
    ARG_RO,                     /* A read-only copy of the argument. */
    ARG_STRADDLE,               /* Runs into the PROT_NONE page. */
    ARG_KERNEL,                 /* A kernel address. */
};

/* Returns where an ioctl's argument of 'size' bytes goes: usually 'good'
 * itself, sometimes a bad address; a readable bad place gets a copy of
 * 'good', so that the kernel reads the same thing there.  '*kind' tells
 * whether the kernel's output (if any) lands in 'good'. */
static void *
arg_ptr(struct thread *t, void *good, size_t size, enum arg_kind *kind)
{
    char *g = t->guard;

    *kind = ARG_GOOD;
    if (!chance(&t->rng, 1, 12)) {
        return good;
    }
    *kind = 1 + rnd(&t->rng, ARG_KERNEL);
    switch (*kind) {
    case ARG_NULL:
        return NULL;
    case ARG_LOW:
        return (void *) 0x1000;
    case ARG_NONE:
        return g + PAGE;
    case ARG_RO:
        if (mprotect(g + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE)) {
            fatal("mprotect(%p, PROT_READ | PROT_WRITE): %s",
                  (void *) (g + 2 * PAGE), err_str(errno));
        }
        memcpy(g + 2 * PAGE, good, size);
        mprotect(g + 2 * PAGE, PAGE, PROT_READ);
        return g + 2 * PAGE;
    case ARG_STRADDLE:
        memcpy(g + PAGE - size / 2, good, size / 2);
        return g + PAGE - size / 2;
    case ARG_KERNEL:
    default:
        return (void *) 0xffff888000000000ULL;
    }
}

/* The worker's ioctl threads. */

static long
do_ioctl(int fd, unsigned long cmd, void *arg)
{
    return ioctl(fd, cmd, arg);
}

/* Locks 'lock' and returns an open file (index into files[], fd in
 * '*fd'), or -1 with 'lock' released. */
static int
lock_file(struct thread *t, int *fd)
{
    struct worker *w = t->w;
    int f;

    pthread_mutex_lock(&w->lock);
    f = pick_file(t);
    if (f < 0) {
        pthread_mutex_unlock(&w->lock);
        return -1;
    }
    *fd = w->files[f].fd;
    return f;
}

static void
op_abi_version(struct thread *t)
{
    enum arg_kind kind;
    uint32_t v = 0;
    void *p;
    long r;
    int fd;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    pthread_mutex_unlock(&t->w->lock);
    p = arg_ptr(t, &v, sizeof v, &kind);
    r = do_ioctl(fd, KNI_IOC_ABI_VERSION, p);
    if (!r && kind == ARG_GOOD && v != KNI_ABI_VERSION) {
        anomaly(AN_ABI_VERSION, "version %"PRIu32, v);
    }
    count(OP_ABI_VERSION, r);
}

static void
op_event_ring(struct thread *t)
{
    struct worker *w = t->w;
    struct kni_event_ring er;
    enum arg_kind kind;
    uint64_t serial;
    void *p;
    long r;
    int f, fd;

    f = lock_file(t, &fd);
    if (f < 0) {
        return;
    }
    serial = w->files[f].serial;
    pthread_mutex_unlock(&w->lock);

    memset(&er, 0, sizeof er);
    p = arg_ptr(t, &er, sizeof er, &kind);
    r = do_ioctl(fd, KNI_IOC_EVENT_RING, p);
    count(OP_EVENT_RING, r);
    if (r || kind != ARG_GOOD) {
        return;
    }
    if (er.mmap_offset || er.size != KNI_EVENT_RING_SIZE || !er.mmap_size
        || er.off.desc + er.size * sizeof(struct kni_event) > er.mmap_size) {
        anomaly(AN_CREATE_OUT, "EVENT_RING: offset %"PRIu64" size %"PRIu32
                " mmap_size %"PRIu64, (uint64_t) er.mmap_offset, er.size,
                (uint64_t) er.mmap_size);
        return;
    }
    pthread_mutex_lock(&w->lock);
    if (w->files[f].used && w->files[f].serial == serial) {
        w->files[f].er = er;
        w->files[f].have_event_ring = true;
    }
    pthread_mutex_unlock(&w->lock);
}

static void
op_mem_reg(struct thread *t)
{
    struct worker *w = t->w;
    struct kni_mem_reg reg;
    enum arg_kind kind;
    uint64_t serial;
    int f, fd, a, i;
    void *p;
    long r;

    f = lock_file(t, &fd);
    if (f < 0) {
        return;
    }
    serial = w->files[f].serial;
    memset(&reg, 0, sizeof reg);
    a = pick_area(t);
    if (a >= 0) {
        struct area *ar = &w->areas[a];
        size_t pages = ar->len / PAGE;
        size_t first = rnd(&t->rng, pages);

        reg.addr = (uintptr_t) ar->addr + first * PAGE;
        reg.len = (1 + rnd(&t->rng, pages - first)) * PAGE;
        if (chance(&t->rng, 1, 3)) {
            /* The whole area. */
            reg.addr = (uintptr_t) ar->addr;
            reg.len = ar->len;
        }
    } else {
        reg.addr = 0x10000000;
        reg.len = PAGE;
    }
    pthread_mutex_unlock(&w->lock);

    switch (rnd(&t->rng, 24)) {
    case 0:
        reg.len += PAGE * (1 + rnd(&t->rng, 16));       /* Past the end. */
        break;
    case 1:
        reg.addr += 1 + rnd(&t->rng, PAGE - 1);         /* Unaligned. */
        break;
    case 2:
        reg.len = 1 + rnd(&t->rng, 3 * PAGE);
        break;
    case 3:
        reg.len = 0;
        break;
    case 4:
        reg.len = 1ULL << (30 + rnd(&t->rng, 34));      /* Huge. */
        break;
    case 5:
        reg.addr = -PAGE * (1 + rnd(&t->rng, 4));       /* Wraps. */
        reg.len = PAGE * 8;
        break;
    case 6:
        reg.addr = 0xffff888000000000ULL;               /* Kernel. */
        break;
    case 7:
        reg.addr = 0;
        break;
    case 8:
        reg.flags = 1U << rnd(&t->rng, 32);
        break;
    case 9:
        reg.id = rnd64(&t->rng);                        /* Ignored. */
        break;
    case 10:
        reg.addr = 0x7ffffffff000ULL - PAGE * rnd(&t->rng, 2);
        break;
    case 11:
        /* The guard pages: read-write, none, read-only. */
        reg.addr = (uintptr_t) t->guard;
        reg.len = PAGE * (1 + rnd(&t->rng, 3));
        break;
    default:
        break;
    }

    p = arg_ptr(t, &reg, sizeof reg, &kind);
    r = do_ioctl(fd, KNI_IOC_MEM_REG, p);
    count(OP_MEM_REG, r);
    if (r || kind != ARG_GOOD) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    if (w->files[f].used && w->files[f].serial == serial) {
        bool safe = false;

        for (a = 0; a < MAX_AREAS; a++) {
            const struct area *ar = &w->areas[a];

            if (ar->used && reg.addr >= (uintptr_t) ar->addr
                && reg.addr + reg.len <= (uintptr_t) ar->addr + ar->len) {
                safe = true;
            }
        }
        i = FREE_SLOT(w->regions, MAX_REGIONS);
        if (i >= 0) {
            w->regions[i] = (struct region) {
                .used = true, .safe = safe, .file = f,
                .file_serial = serial, .id = reg.id, .addr = reg.addr,
                .len = reg.len,
            };
        }
    }
    pthread_mutex_unlock(&w->lock);
}

static void
op_mem_unreg(struct thread *t)
{
    struct worker *w = t->w;
    enum arg_kind kind;
    int f, fd, i = -1;
    uint32_t id;
    void *p;
    long r;

    f = lock_file(t, &fd);
    if (f < 0) {
        return;
    }
    switch (rnd(&t->rng, 8)) {
    case 0:
        id = w->n_stale_regions
             ? w->stale_regions[rnd(&t->rng, MAX_STALE)] : 0;
        break;
    case 1:
        id = rnd_u32(&t->rng);
        break;
    default:
        i = pick_region(t, f, false);
        id = i >= 0 ? w->regions[i].id : 1;
        break;
    }
    pthread_mutex_unlock(&w->lock);

    p = arg_ptr(t, &id, sizeof id, &kind);
    r = do_ioctl(fd, KNI_IOC_MEM_UNREG, p);
    count(OP_MEM_UNREG, r);
    if (r || kind == ARG_STRADDLE) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    for (i = 0; i < MAX_REGIONS; i++) {
        if (w->regions[i].used && w->regions[i].file == f
            && w->regions[i].id == id) {
            w->regions[i].used = false;
            add_stale(w->stale_regions, &w->n_stale_regions, id);
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
}

/* Sets 'name' to a device name: mostly a fresh one, sometimes a taken,
 * invalid or too long one. */
static void
make_name(struct thread *t, char name[KNI_NAMESIZE])
{
    struct worker *w = t->w;
    static const char *const odd[] = {
        "", "lo", "a/b", "a b", "kf%d", ".", "..", "kf:0", "kfe\n",
        "kffuzz012345678",
    };
    int d;

    memset(name, 0, KNI_NAMESIZE);
    switch (rnd(&t->rng, 24)) {
    case 0:
        snprintf(name, KNI_NAMESIZE, "%s",
                 odd[rnd(&t->rng, sizeof odd / sizeof odd[0])]);
        break;
    case 1:
        memset(name, 'k', KNI_NAMESIZE);                /* No NUL. */
        break;
    case 2:
        pthread_mutex_lock(&w->lock);
        d = pick_dev(t, -1);
        if (d >= 0) {
            memcpy(name, w->devs[d].name, KNI_NAMESIZE);
        }
        pthread_mutex_unlock(&w->lock);
        if (name[0]) {
            break;
        }
        /* Fall through. */
    default:
        pthread_mutex_lock(&w->lock);
        snprintf(name, KNI_NAMESIZE, "kf%d_%u", w->index % 10000,
                 w->name_counter++ % 100000);
        pthread_mutex_unlock(&w->lock);
        break;
    }
}

static uint32_t
rnd_ring_size(struct thread *t)
{
    static const uint32_t sizes[] = {
        0, 64, 64, 64, 128, 128, 256, 512, 1024, 16384, 32, 100, 32768,
        0xffffffff,
    };

    return sizes[rnd(&t->rng, sizeof sizes / sizeof sizes[0])];
}

static uint32_t
rnd_buf_size(struct thread *t)
{
    static const uint32_t sizes[] = {
        2048, 2048, 2048, 1518, 1536, 4096, 9018, 65536, 64, 85, 86, 63,
        65537, 0,
    };

    return rnd(&t->rng, 6)
           ? sizes[rnd(&t->rng, sizeof sizes / sizeof sizes[0])]
           : rnd_u32(&t->rng);
}

static bool
poisoned(const void *p_, size_t n)
{
    const uint8_t *p = p_;
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] != 0x6b) {
            return false;
        }
    }
    return true;
}

/* A CREATE argument: a valid one (random within the limits), then, one
 * time in three, one to three fields made wrong. */
static void
rnd_create(struct thread *t, struct kni_create *c)
{
    static const uint32_t bufs[] = {
        2048, 2048, 2048, 1518, 1536, 4096, 9018, 86, 65536,
    };
    static const uint32_t rings[] = {
        0, 64, 64, 64, 128, 128, 256, 512, 1024, 16384,
    };
    uint32_t cap;
    int i, n;

    memset(c, 0, sizeof *c);
    make_name(t, c->name);
    if (chance(&t->rng, 1, 4)) {
        c->flags |= KNI_CREATE_F_MAC;
        rnd_mac(&t->rng, c->mac);
        c->mac[0] = (c->mac[0] & ~1) | 2;
    }
    if (chance(&t->rng, 1, 12)) {
        c->flags |= KNI_CREATE_F_FORCE_BIND;
        c->core_id = rnd(&t->rng, 2);
    }
    c->policy = rnd(&t->rng, 4);
    c->buf_size = bufs[rnd(&t->rng, sizeof bufs / sizeof bufs[0])];
    c->ring_size = rings[rnd(&t->rng, sizeof rings / sizeof rings[0])];
    if (c->ring_size == 16384 && rnd(&t->rng, 2)) {
        c->ring_size = 256;
    }
    cap = c->buf_size - KNI_FRAME_OVERHEAD;
    if (rnd(&t->rng, 2)) {
        c->mtu = 68 + rnd(&t->rng, cap - 68 + 1);
        if (rnd(&t->rng, 2)) {
            c->min_mtu = 68 + rnd(&t->rng, c->mtu - 68 + 1);
        }
        if (rnd(&t->rng, 2)) {
            c->max_mtu = c->mtu + rnd(&t->rng, cap - c->mtu + 1);
        }
    }
    c->n_rx_queues = rnd(&t->rng, 5);
    c->n_tx_queues = rnd(&t->rng, 5);
    if (chance(&t->rng, 1, 4)) {
        /* Offloads the module takes: tx then carries their fields. */
        static const uint32_t sets[] = {
            KNI_OFFLOAD_HASH, KNI_OFFLOAD_CSUM,
            KNI_OFFLOAD_CSUM | KNI_OFFLOAD_TSO,
            KNI_OFFLOAD_CSUM | KNI_OFFLOAD_TSO | KNI_OFFLOAD_HASH,
        };

        c->offloads = sets[rnd(&t->rng, sizeof sets / sizeof sets[0])];
    }
    if (rnd(&t->rng, 2)) {
        c->speed = rnd(&t->rng, 2) ? 1000 * (1 + rnd(&t->rng, 100))
                                   : rnd64(&t->rng);
        c->duplex = rnd(&t->rng, 2);
    }
    if (rnd(&t->rng, 3)) {
        return;
    }

    n = 1 + rnd(&t->rng, 3);
    for (i = 0; i < n; i++) {
        switch (rnd(&t->rng, 20)) {
        case 0:
            c->flags |= 1U << rnd(&t->rng, 32);
            break;
        case 1:
            c->flags |= KNI_CREATE_F_FORCE_BIND;
            c->core_id = rnd(&t->rng, 2) ? 2 + rnd(&t->rng, 4096)
                                         : rnd_u32(&t->rng);
            break;
        case 2:
            c->flags |= KNI_CREATE_F_MAC;
            rnd_mac(&t->rng, c->mac);
            break;
        case 3:
            c->policy |= 1U << rnd(&t->rng, 32);
            break;
        case 4:
            c->buf_size = rnd_buf_size(t);
            break;
        case 5:
            c->ring_size = rnd_ring_size(t);
            break;
        case 6:
            c->mtu = rnd_u32(&t->rng);
            break;
        case 7:
            c->min_mtu = rnd_u32(&t->rng);
            break;
        case 8:
            c->max_mtu = rnd_u32(&t->rng);
            break;
        case 9:
            c->n_rx_queues = rnd(&t->rng, 2) ? 2 + rnd(&t->rng, 16)
                                             : rnd_u32(&t->rng);
            break;
        case 10:
            c->n_tx_queues = rnd(&t->rng, 2) ? 2 + rnd(&t->rng, 16)
                                             : rnd_u32(&t->rng);
            break;
        case 11:
            c->offloads = 1U << rnd(&t->rng, 32);
            break;
        case 12:
            c->duplex = 2 + rnd(&t->rng, 254);
            break;
        case 13:
            c->pad = 1 + rnd(&t->rng, 255);
            break;
        case 14:
            c->rsvd[rnd(&t->rng, 3)] = rnd_u32(&t->rng) | 1;
            break;
        case 15:
            c->id = 1 + rnd(&t->rng, 100);
            break;
        case 16:
            c->ifindex = 1 + rnd(&t->rng, 100);
            break;
        case 17:
            if (rnd(&t->rng, 2)) {
                c->mmap_offset = rnd64(&t->rng) | 1;
            } else {
                c->mmap_size = rnd64(&t->rng) | 1;
            }
            break;
        case 18:
            /* Output-only fields the kernel ignores. */
            c->ring_size_out = rnd64(&t->rng);
            c->max_mtu_out = rnd64(&t->rng);
            c->rx_queue_stride = rnd64(&t->rng);
            memset(&c->off, 0xa5, sizeof c->off);
            break;
        default:
            memset(c->name, 0, KNI_NAMESIZE);
            if (rnd(&t->rng, 2)) {
                memset(c->name, 'k', KNI_NAMESIZE);     /* No NUL. */
            } else {
                snprintf(c->name, sizeof c->name, "%s",
                         rnd(&t->rng, 2) ? "" : "kf/%d");
            }
            break;
        }
    }
}

static void
op_create(struct thread *t)
{
    struct worker *w = t->w;
    uint32_t want_ring, ifindex;
    struct kni_create c;
    enum arg_kind kind;
    uint64_t serial;
    int f, fd, i;
    void *p;
    long r;

    f = lock_file(t, &fd);
    if (f < 0) {
        return;
    }
    serial = w->files[f].serial;
    pthread_mutex_unlock(&w->lock);

    rnd_create(t, &c);
    want_ring = c.ring_size ? c.ring_size : KNI_RING_SIZE_DEFAULT;

    /* Tell the kernel-side thread, which may try to delete it at once. */
    pthread_mutex_lock(&w->creating_lock);
    memcpy(w->creating, c.name, KNI_NAMESIZE);
    w->creating[KNI_NAMESIZE - 1] = '\0';
    __atomic_store_n(&w->creating_active, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&w->creating_lock);

    p = arg_ptr(t, &c, sizeof c, &kind);
    r = do_ioctl(fd, KNI_IOC_CREATE, p);

    __atomic_store_n(&w->creating_active, 0, __ATOMIC_RELEASE);
    count(OP_CREATE, r);
    if (r || kind != ARG_GOOD) {
        return;
    }

    ifindex = c.ifindex;
    if (poisoned(c.mac, 6) || ifindex == 0x6b6b6b6b) {
        anomaly(AN_CREATE_POISON, "device %s id %"PRIu32": ifindex %#"PRIx32
                " mac %02x:%02x:%02x:%02x:%02x:%02x (a freed net_device?)",
                c.name, c.id, ifindex, c.mac[0], c.mac[1], c.mac[2],
                c.mac[3], c.mac[4], c.mac[5]);
    }
    if (!c.id || c.mmap_offset != (uint64_t) c.id << 32 || !c.mmap_size
        || c.ring_size_out != want_ring
        || c.max_mtu_out > c.buf_size - KNI_FRAME_OVERHEAD
        || c.off.fill.desc + (uint64_t) c.ring_size_out
           * sizeof(struct kni_desc)
           + (uint64_t) (c.n_tx_queues ? c.n_tx_queues - 1 : 0)
             * c.tx_queue_stride
           > c.mmap_size
        || c.mtu < c.min_mtu || c.mtu > c.max_mtu_out) {
        anomaly(AN_CREATE_OUT, "device %s id %"PRIu32" offset %#"PRIx64
                " size %"PRIu64" ring %"PRIu32"/%"PRIu32" mtu %"PRIu32
                " [%"PRIu32", %"PRIu32"] buf %"PRIu32, c.name, c.id,
                (uint64_t) c.mmap_offset, (uint64_t) c.mmap_size,
                c.ring_size_out, want_ring, c.mtu, c.min_mtu,
                c.max_mtu_out, c.buf_size);
    }

    pthread_mutex_lock(&w->lock);
    i = FREE_SLOT(w->devs, MAX_DEVS);
    if (i >= 0 && w->files[f].used && w->files[f].serial == serial) {
        struct dev *d = &w->devs[i];

        memset(d, 0, sizeof *d);
        d->used = true;
        d->file = f;
        d->file_serial = serial;
        d->id = c.id;
        d->ifindex = ifindex;
        memcpy(d->name, c.name, KNI_NAMESIZE);
        d->ring_size = c.ring_size_out;
        d->buf_size = c.buf_size;
        d->offloads = c.offloads;
        d->mmap_offset = c.mmap_offset;
        d->mmap_size = c.mmap_size;
        d->off = c.off;
    }
    pthread_mutex_unlock(&w->lock);
}

static void
op_release(struct thread *t)
{
    struct worker *w = t->w;
    enum arg_kind kind;
    int f, fd, d, i;
    uint32_t id;
    void *p;
    long r;

    f = lock_file(t, &fd);
    if (f < 0) {
        return;
    }
    id = pick_id(t, f, &d);
    pthread_mutex_unlock(&w->lock);

    p = arg_ptr(t, &id, sizeof id, &kind);
    r = do_ioctl(fd, KNI_IOC_RELEASE, p);
    count(OP_RELEASE, r);
    if (r || kind == ARG_STRADDLE) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    for (i = 0; i < MAX_DEVS; i++) {
        if (w->devs[i].used && w->devs[i].file == f && w->devs[i].id == id) {
            w->devs[i].used = false;
            add_stale(w->stale_devs, &w->n_stale_devs, id);
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
}

/* SET_MTU, SET_BUF_SIZE. */
static void
op_dev_value(struct thread *t, unsigned long cmd, enum op op)
{
    struct kni_dev_value dv;
    enum arg_kind kind;
    int fd, d;
    void *p;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    memset(&dv, 0, sizeof dv);
    dv.id = pick_id(t, pick_file(t), &d);
    pthread_mutex_unlock(&t->w->lock);
    dv.value = op == OP_SET_BUF_SIZE ? rnd_buf_size(t) : rnd_u32(&t->rng);
    p = arg_ptr(t, &dv, sizeof dv, &kind);
    count(op, do_ioctl(fd, cmd, p));
}

static void
op_set_mac(struct thread *t)
{
    struct kni_dev_mac dm;
    enum arg_kind kind;
    int fd, d;
    void *p;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    memset(&dm, 0, sizeof dm);
    dm.id = pick_id(t, -1, &d);
    pthread_mutex_unlock(&t->w->lock);
    rnd_mac(&t->rng, dm.mac);
    if (chance(&t->rng, 1, 20)) {
        dm.pad[rnd(&t->rng, 2)] = 1 + rnd(&t->rng, 255);
    }
    p = arg_ptr(t, &dm, sizeof dm, &kind);
    count(OP_SET_MAC, do_ioctl(fd, KNI_IOC_SET_MAC, p));
}

static void
op_set_policy(struct thread *t)
{
    struct kni_policy pol;
    enum arg_kind kind;
    int fd, d;
    void *p;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    memset(&pol, 0, sizeof pol);
    pol.id = pick_id(t, -1, &d);
    pthread_mutex_unlock(&t->w->lock);
    pol.flags = rnd(&t->rng, 4);
    if (chance(&t->rng, 1, 20)) {
        pol.flags |= 1U << rnd(&t->rng, 32);
    }
    pol.min_mtu = chance(&t->rng, 1, 2) ? 0 : rnd_u32(&t->rng);
    pol.max_mtu = chance(&t->rng, 1, 3) ? 0 : rnd_u32(&t->rng);
    p = arg_ptr(t, &pol, sizeof pol, &kind);
    count(OP_SET_POLICY, do_ioctl(fd, KNI_IOC_SET_POLICY, p));
}

static void
op_set_link(struct thread *t)
{
    struct kni_link link;
    enum arg_kind kind;
    int fd, d;
    void *p;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    memset(&link, 0, sizeof link);
    link.id = pick_id(t, -1, &d);
    pthread_mutex_unlock(&t->w->lock);
    /* Mostly carrier on, so that transmit runs. */
    link.carrier = rnd(&t->rng, 10) < 7 ? 1 : rnd(&t->rng, 10) ? 0
                   : rnd_u32(&t->rng);
    link.speed = rnd(&t->rng, 2) ? 10000 : rnd_u32(&t->rng);
    link.duplex = rnd(&t->rng, 10) ? rnd(&t->rng, 2) : rnd(&t->rng, 256);
    if (chance(&t->rng, 1, 20)) {
        link.pad[rnd(&t->rng, 3)] = 1 + rnd(&t->rng, 255);
    }
    p = arg_ptr(t, &link, sizeof link, &kind);
    count(OP_SET_LINK, do_ioctl(fd, KNI_IOC_SET_LINK, p));
}

static void
op_kick(struct thread *t)
{
    enum arg_kind kind;
    uint32_t id;
    int fd, d;
    void *p;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    id = pick_id(t, -1, &d);
    pthread_mutex_unlock(&t->w->lock);
    p = arg_ptr(t, &id, sizeof id, &kind);
    count(OP_KICK, do_ioctl(fd, KNI_IOC_KICK, p));
}

/* KICK_QUEUE: queues in range, out of range, or KNI_QUEUE_NONE. */
static void
op_kick_queue(struct thread *t)
{
    struct kni_kick k;
    enum arg_kind kind;
    int fd, d;
    void *p;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    memset(&k, 0, sizeof k);
    k.id = pick_id(t, -1, &d);
    pthread_mutex_unlock(&t->w->lock);
    k.rx_queue = (rnd(&t->rng, 4) ? rnd(&t->rng, 4)
                  : rnd(&t->rng, 2) ? KNI_QUEUE_NONE : rnd_u32(&t->rng));
    k.tx_queue = (rnd(&t->rng, 4) ? rnd(&t->rng, 4)
                  : rnd(&t->rng, 2) ? KNI_QUEUE_NONE : rnd_u32(&t->rng));
    p = arg_ptr(t, &k, sizeof k, &kind);
    count(OP_KICK_QUEUE, do_ioctl(fd, KNI_IOC_KICK_QUEUE, p));
}

static void
op_get(struct thread *t, unsigned long cmd, enum op op)
{
    union {
        struct kni_info info;
        struct kni_addrs addrs;
        struct kni_stats stats;
    } u;
    enum arg_kind kind;
    uint32_t id;
    int f, fd, d;
    void *p;
    long r;

    f = lock_file(t, &fd);
    if (f < 0) {
        return;
    }
    id = pick_id(t, f, &d);
    pthread_mutex_unlock(&t->w->lock);

    memset(&u, 0, sizeof u);
    if (chance(&t->rng, 1, 10)) {
        rnd_bytes(&t->rng, &u, sizeof u);       /* Outputs are ignored. */
    }
    memcpy(&u, &id, sizeof id);
    p = arg_ptr(t, &u, _IOC_SIZE(cmd), &kind);
    r = do_ioctl(fd, cmd, p);
    count(op, r);
    if (r || kind != ARG_GOOD) {
        return;
    }
    if (cmd == KNI_IOC_GET_INFO) {
        struct kni_info *in = &u.info;

        if (in->id != id
            || (in->flags & ~(KNI_INFO_F_UP | KNI_INFO_F_PROMISC
                              | KNI_INFO_F_ALLMULTI | KNI_INFO_F_CARRIER
                              | KNI_INFO_F_DELETED))
            || (!(in->flags & KNI_INFO_F_DELETED)
                && (in->mtu < in->min_mtu || in->mtu > in->max_mtu
                    || !in->name[0] || !in->ifindex
                    || memchr(in->name, 0, KNI_NAMESIZE) == NULL))) {
            anomaly(AN_INFO, "GET_INFO id %"PRIu32": flags %#"PRIx32
                    " mtu %"PRIu32" [%"PRIu32", %"PRIu32"] ifindex %"PRIu32,
                    id, in->flags, in->mtu, in->min_mtu, in->max_mtu,
                    in->ifindex);
        }
    } else if (cmd == KNI_IOC_GET_ADDRS) {
        struct kni_addrs *a = &u.addrs;

        if (a->id != id || a->n > KNI_MAX_ADDRS
            || a->n > (uint64_t) a->n_uc + a->n_mc) {
            anomaly(AN_INFO, "GET_ADDRS id %"PRIu32": n %"PRIu32" n_uc %"
                    PRIu32" n_mc %"PRIu32, id, a->n, a->n_uc, a->n_mc);
        }
    } else if (u.stats.id != id) {
        anomaly(AN_INFO, "GET_STATS id %"PRIu32" returned id %"PRIu32,
                id, u.stats.id);
    }
}

/* An unknown ioctl, or a known one with the wrong size or direction. */
static void
op_bad_ioctl(struct thread *t)
{
    static const unsigned long known[] = {
        KNI_IOC_ABI_VERSION, KNI_IOC_MEM_REG, KNI_IOC_MEM_UNREG,
        KNI_IOC_CREATE, KNI_IOC_RELEASE, KNI_IOC_SET_MTU, KNI_IOC_SET_MAC,
        KNI_IOC_KICK, KNI_IOC_GET_STATS, KNI_IOC_SET_BUF_SIZE,
        KNI_IOC_EVENT_RING, KNI_IOC_SET_POLICY, KNI_IOC_SET_LINK,
        KNI_IOC_GET_INFO, KNI_IOC_GET_ADDRS, KNI_IOC_KICK_QUEUE,
    };
    unsigned long cmd;
    char *arg;
    int fd;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    pthread_mutex_unlock(&t->w->lock);

    switch (rnd(&t->rng, 4)) {
    case 0:
        cmd = known[rnd(&t->rng, sizeof known / sizeof known[0])];
        cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))
              | ((unsigned long) rnd(&t->rng, 1024) << _IOC_SIZESHIFT);
        break;
    case 1:
        cmd = known[rnd(&t->rng, sizeof known / sizeof known[0])];
        cmd = (cmd & ~(_IOC_DIRMASK << _IOC_DIRSHIFT))
              | ((unsigned long) rnd(&t->rng, 4) << _IOC_DIRSHIFT);
        break;
    case 2:
        cmd = _IOC(rnd(&t->rng, 4), KNI_IOC_MAGIC, rnd(&t->rng, 64),
                   rnd(&t->rng, 512));
        break;
    default:
        cmd = (uint32_t) rnd64(&t->rng);
        /* Not the terminal or file ioctls the VFS itself handles. */
        if (_IOC_TYPE(cmd) == 'T' || _IOC_TYPE(cmd) == 'f'
            || _IOC_TYPE(cmd) == 0x12 || _IOC_TYPE(cmd) == 0x94
            || (cmd >> 8) == 0x54 || (cmd >> 8) == 0x52) {
            cmd = _IOC(0, KNI_IOC_MAGIC, 0x3f, 0);
        }
        break;
    }
    /* The argument: the guard page's read-write page, random bytes, so
     * that a command that turns out to be a known one does harmless
     * things with a random id. */
    arg = t->guard;
    rnd_bytes(&t->rng, arg, PAGE);
    count(OP_BAD_IOCTL, do_ioctl(fd, cmd, chance(&t->rng, 1, 8)
                                 ? (void *) 0x1000 : arg));
}

static void
op_open(struct thread *t)
{
    struct worker *w = t->w;
    int fd, f;

    fd = open(KNI_DEVICE_PATH, (rnd(&t->rng, 20) ? O_RDWR : O_RDONLY)
              | O_CLOEXEC);
    if (!count(OP_OPEN, fd) || fd < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return;
    }
    pthread_mutex_lock(&w->lock);
    f = FREE_SLOT(w->files, MAX_FILES);
    if (f >= 0) {
        w->files[f] = (struct file) {
            .used = true, .fd = fd, .serial = ++w->next_serial,
        };
        fd = -1;
    }
    pthread_mutex_unlock(&w->lock);
    if (fd >= 0) {
        close(fd);
    }
}

/* Closes a file: its devices and regions go with it; mappings of its
 * rings stay (dead) until munmap. */
static void
close_file(struct worker *w, int f)
{
    int i;

    for (i = 0; i < MAX_DEVS; i++) {
        if (w->devs[i].used && w->devs[i].file == f) {
            w->devs[i].used = false;
            add_stale(w->stale_devs, &w->n_stale_devs, w->devs[i].id);
        }
    }
    for (i = 0; i < MAX_REGIONS; i++) {
        if (w->regions[i].used && w->regions[i].file == f) {
            w->regions[i].used = false;
        }
    }
    w->files[f].used = false;
    close(w->files[f].fd);
}

static void
op_close(struct thread *t)
{
    struct worker *w = t->w;
    long r;
    int f;

    pthread_mutex_lock(&w->lock);
    f = pick_file(t);
    if (f >= 0) {
        close_file(w, f);
    }
    pthread_mutex_unlock(&w->lock);
    r = f >= 0 ? 0 : (errno = EBADF, -1);
    count(OP_CLOSE, r);
}

static size_t
rnd_map_len(struct thread *t, uint64_t right)
{
    switch (rnd(&t->rng, 10)) {
    case 0:
        return PAGE;
    case 1:
        return right + PAGE;
    case 2:
        return right > PAGE ? right - PAGE : PAGE;
    case 3:
        return PAGE * (1 + rnd(&t->rng, 64));
    case 4:
        return 0;
    default:
        return right;
    }
}

static void
op_mmap(struct thread *t, bool event)
{
    struct worker *w = t->w;
    int fd, f, d = -1, m, prot, flags;
    uint64_t serial, offset, right;
    struct map rec;
    size_t len;
    char *addr;

    memset(&rec, 0, sizeof rec);
    f = lock_file(t, &fd);
    if (f < 0) {
        return;
    }
    serial = w->files[f].serial;
    if (event) {
        offset = 0;
        right = w->files[f].have_event_ring ? w->files[f].er.mmap_size
                                            : 2 * PAGE;
        rec.ev_off = w->files[f].er.off;
    } else {
        uint32_t id = pick_id(t, f, &d);

        offset = (uint64_t) id << 32;
        right = d >= 0 ? w->devs[d].mmap_size : PAGE;
        if (d >= 0) {
            rec.dev_id = id;
            rec.ring_size = w->devs[d].ring_size;
            rec.buf_size = w->devs[d].buf_size;
            rec.offloads = w->devs[d].offloads;
            rec.off = w->devs[d].off;
        }
        switch (rnd(&t->rng, 20)) {
        case 0:
            offset += PAGE;
            break;
        case 1:
            offset = rnd64(&t->rng) & ~(PAGE - 1) & ((1ULL << 62) - 1);
            break;
        default:
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);

    len = rnd_map_len(t, right);
    prot = rnd(&t->rng, 8) ? PROT_READ | PROT_WRITE : PROT_READ;
    flags = rnd(&t->rng, 10) ? MAP_SHARED : MAP_PRIVATE;
    addr = mmap(NULL, len, prot, flags, fd, offset);
    if (!count(event ? OP_MMAP_EVENT : OP_MMAP_DEV,
               addr == MAP_FAILED ? -1 : 0) || addr == MAP_FAILED) {
        if (addr != MAP_FAILED) {
            munmap(addr, len);
        }
        return;
    }

    pthread_rwlock_wrlock(&w->vm_lock);
    pthread_mutex_lock(&w->lock);
    m = FREE_SLOT(w->maps, MAX_MAPS);
    if (m < 0) {
        munmap(addr, len);
    } else {
        /* A mapping whose layout is unknown (a random id that happened to
         * exist, an event ring not asked about) stays mapped, untouched. */
        bool known = event ? w->files[f].have_event_ring : d >= 0;

        rec.used = true;
        rec.event = event && known;
        rec.writable = known && (prot & PROT_WRITE) && flags == MAP_SHARED;
        rec.addr = addr;
        rec.len = len;
        rec.fd = fd;
        rec.file = f;
        rec.file_serial = serial;
        if (!known) {
            rec.ring_size = 0;
        }
        w->maps[m] = rec;
    }
    pthread_mutex_unlock(&w->lock);
    pthread_rwlock_unlock(&w->vm_lock);
}

static void
op_munmap(struct thread *t)
{
    struct worker *w = t->w;
    long r = 0;
    int m;

    pthread_rwlock_wrlock(&w->vm_lock);
    pthread_mutex_lock(&w->lock);
    m = pick_map(t, false);
    if (m >= 0) {
        struct map *mp = &w->maps[m];

        if (chance(&t->rng, 1, 5) && mp->len > PAGE) {
            /* Unmap the tail only. */
            size_t keep = PAGE * (1 + rnd(&t->rng, mp->len / PAGE - 1));

            r = munmap(mp->addr + keep, mp->len - keep);
            if (!r) {
                mp->len = keep;
            }
        } else {
            r = munmap(mp->addr, mp->len);
            mp->used = false;
        }
    }
    pthread_mutex_unlock(&w->lock);
    pthread_rwlock_unlock(&w->vm_lock);
    if (m >= 0) {
        count(OP_MUNMAP, r);
    }
}

static void
op_mremap(struct thread *t)
{
    struct worker *w = t->w;
    size_t new_len;
    char *addr;
    long r = 0;
    int m;

    pthread_rwlock_wrlock(&w->vm_lock);
    pthread_mutex_lock(&w->lock);
    m = pick_map(t, false);
    if (m >= 0) {
        struct map *mp = &w->maps[m];

        new_len = rnd(&t->rng, 2) ? mp->len + PAGE * (1 + rnd(&t->rng, 4))
                  : mp->len > PAGE ? mp->len - PAGE : mp->len;
        addr = mremap(mp->addr, mp->len, new_len,
                      rnd(&t->rng, 2) ? MREMAP_MAYMOVE : 0);
        if (addr == MAP_FAILED) {
            r = -1;
        } else {
            mp->addr = addr;
            mp->len = new_len;
        }
    }
    pthread_mutex_unlock(&w->lock);
    pthread_rwlock_unlock(&w->vm_lock);
    if (m >= 0) {
        count(OP_MREMAP, r);
    }
}

static void
op_madvise(struct thread *t)
{
    static const int advice[] = {
        MADV_DONTNEED, MADV_DONTFORK, MADV_DOFORK, MADV_WILLNEED,
        MADV_SEQUENTIAL, MADV_NORMAL, MADV_COLD, MADV_PAGEOUT,
    };
    struct worker *w = t->w;
    long r = 0;
    int m, a;

    pthread_rwlock_wrlock(&w->vm_lock);
    pthread_mutex_lock(&w->lock);
    m = pick_map(t, false);
    if (m >= 0) {
        struct map *mp = &w->maps[m];

        a = advice[rnd(&t->rng, sizeof advice / sizeof advice[0])];
        r = madvise(mp->addr, mp->len, a);
        if (a == MADV_DONTNEED && !r) {
            /* The pages are gone from this mapping: touching it now
             * would fault (SIGBUS).  Keep it mapped, untouched. */
            mp->writable = false;
            mp->ring_size = 0;
            mp->event = false;
        }
    }
    pthread_mutex_unlock(&w->lock);
    pthread_rwlock_unlock(&w->vm_lock);
    if (m >= 0) {
        count(OP_MADVISE, r);
    }
}

static void
op_poll(struct thread *t)
{
    struct pollfd pfd;
    int fd;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    pthread_mutex_unlock(&t->w->lock);
    pfd.fd = fd;
    pfd.events = POLLIN | POLLOUT | POLLPRI;
    count(OP_POLL, poll(&pfd, 1, rnd(&t->rng, 4) ? 0 : 1));
}

static void
op_read_write(struct thread *t)
{
    char buf[64];
    int fd;

    if (lock_file(t, &fd) < 0) {
        return;
    }
    pthread_mutex_unlock(&t->w->lock);
    memset(buf, 0, sizeof buf);
    switch (rnd(&t->rng, 3)) {
    case 0:
        count(OP_READ_WRITE, read(fd, buf, sizeof buf));
        break;
    case 1:
        count(OP_READ_WRITE, write(fd, buf, sizeof buf));
        break;
    default:
        count(OP_READ_WRITE, lseek(fd, 0, SEEK_SET));
        break;
    }
}

/* Memory areas. */

static char *
map_file(struct thread *t, size_t len, bool shared)
{
    char path[PATH_MAX];
    char *addr;
    int fd;

    snprintf(path, sizeof path, "%s/kni-fuzz-%d-%d.XXXXXX", opt_file_dir,
             (int) getpid(), t->index);
    fd = mkstemp(path);
    if (fd < 0) {
        return MAP_FAILED;
    }
    unlink(path);
    if (ftruncate(fd, len)) {
        close(fd);
        return MAP_FAILED;
    }
    addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
                shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
    close(fd);
    return addr;
}

static void
op_area_map(struct thread *t)
{
    struct worker *w = t->w;
    enum area_kind kind = rnd(&t->rng, N_AREA_KINDS);
    size_t len = PAGE * (1 + rnd(&t->rng, rnd(&t->rng, 8) ? 8 : 64));
    size_t hole = 0;
    char *addr;
    int a, fd;

    switch (kind) {
    case AREA_ANON:
    case AREA_ANON_RO:
    case AREA_HOLE:
        addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (addr == MAP_FAILED) {
            break;
        }
        if (!rnd(&t->rng, 4)) {
            memset(addr, 0, len);       /* Populated, or not. */
        }
        if (kind == AREA_ANON_RO) {
            mprotect(addr, len, PROT_READ);
        } else if (kind == AREA_HOLE) {
            if (len < 3 * PAGE) {
                munmap(addr, len);
                len = 3 * PAGE;
                addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (addr == MAP_FAILED) {
                    break;
                }
            }
            hole = PAGE * (1 + rnd(&t->rng, len / PAGE - 2));
            munmap(addr + hole, PAGE);
        }
        break;
    case AREA_MEMFD:
        fd = memfd_create("kni-fuzz", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, len)) {
            addr = MAP_FAILED;
        } else {
            addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                        0);
        }
        if (fd >= 0) {
            close(fd);
        }
        break;
    case AREA_FILE_SHARED:
    case AREA_FILE_PRIVATE:
        addr = map_file(t, len, kind == AREA_FILE_SHARED);
        break;
    case AREA_HUGE:
    case N_AREA_KINDS:
    default:
        len = 2UL << 20;
        addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
        break;
    }
    if (!count(OP_AREA_MAP, addr == MAP_FAILED ? -1 : 0)
        || addr == MAP_FAILED) {
        if (addr != MAP_FAILED) {
            munmap(addr, len);
        }
        return;
    }

    pthread_mutex_lock(&w->lock);
    a = FREE_SLOT(w->areas, MAX_AREAS);
    if (a >= 0) {
        w->areas[a] = (struct area) {
            .used = true, .kind = kind, .addr = addr, .len = len,
            .hole = hole,
        };
        addr = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    if (addr) {
        munmap(addr, len);
    }
}

/* Unmaps an area, registered or not: the kernel keeps its pinned pages. */
static void
op_area_unmap(struct thread *t)
{
    struct worker *w = t->w;
    long r = 0;
    int a;

    pthread_rwlock_wrlock(&w->vm_lock);
    pthread_mutex_lock(&w->lock);
    a = pick_area(t);
    if (a >= 0) {
        struct area *ar = &w->areas[a];

        if (ar->kind == AREA_HOLE) {
            /* Not over the hole: another mapping may live there now. */
            r = munmap(ar->addr, ar->hole)
                | munmap(ar->addr + ar->hole + PAGE,
                         ar->len - ar->hole - PAGE);
        } else {
            r = munmap(ar->addr, ar->len);
        }
        ar->used = false;
    }
    pthread_mutex_unlock(&w->lock);
    pthread_rwlock_unlock(&w->vm_lock);
    if (a >= 0) {
        count(OP_AREA_UNMAP, r);
    }
}

static void
ioctl_step(struct thread *t)
{
    struct worker *w = t->w;
    uint32_t x = rnd(&t->rng, 1000);
    bool few_devs, many_devs, no_file;

    pthread_mutex_lock(&w->lock);
    few_devs = count_devs(w) < 4;
    many_devs = count_devs(w) >= MAX_DEVS - 4;
    no_file = pick_file(t) < 0;
    pthread_mutex_unlock(&w->lock);

    if (no_file) {
        op_open(t);
        return;
    }
    if (x < 40) {
        op_create(t);
    } else if (x < 60 || (few_devs && x < 100)) {
        if (few_devs && !many_devs) {
            op_create(t);
        } else {
            op_release(t);
        }
    } else if (x < 100) {
        if (many_devs) {
            op_release(t);
        } else {
            op_kick(t);
        }
    } else if (x < 150) {
        op_mem_reg(t);
    } else if (x < 170) {
        op_mem_unreg(t);
    } else if (x < 230) {
        op_dev_value(t, KNI_IOC_SET_MTU, OP_SET_MTU);
    } else if (x < 270) {
        op_set_mac(t);
    } else if (x < 310) {
        op_set_policy(t);
    } else if (x < 370) {
        op_set_link(t);
    } else if (x < 400) {
        op_dev_value(t, KNI_IOC_SET_BUF_SIZE, OP_SET_BUF_SIZE);
    } else if (x < 470) {
        op_get(t, KNI_IOC_GET_STATS, OP_GET_STATS);
    } else if (x < 520) {
        op_get(t, KNI_IOC_GET_INFO, OP_GET_INFO);
    } else if (x < 570) {
        op_get(t, KNI_IOC_GET_ADDRS, OP_GET_ADDRS);
    } else if (x < 600) {
        op_kick(t);
    } else if (x < 620) {
        op_kick_queue(t);
    } else if (x < 650) {
        op_bad_ioctl(t);
    } else if (x < 670) {
        op_abi_version(t);
    } else if (x < 690) {
        op_event_ring(t);
    } else if (x < 730) {
        op_mmap(t, false);
    } else if (x < 750) {
        op_mmap(t, true);
    } else if (x < 790) {
        op_munmap(t);
    } else if (x < 800) {
        op_mremap(t);
    } else if (x < 810) {
        op_madvise(t);
    } else if (x < 840) {
        op_poll(t);
    } else if (x < 850) {
        op_read_write(t);
    } else if (x < 900) {
        op_area_map(t);
    } else if (x < 930) {
        op_area_unmap(t);
    } else if (x < 945) {
        op_open(t);
    } else if (x < 952) {
        op_close(t);
    } else {
        op_kick(t);
    }
}

/* The ring writer. */

static uint32_t
load_u32(const void *p)
{
    return __atomic_load_n((const uint32_t *) p, __ATOMIC_ACQUIRE);
}

static void
store_u32(void *p, uint32_t v)
{
    __atomic_store_n((uint32_t *) p, v, __ATOMIC_RELEASE);
}

/* Whether [off, off + n) lies inside a mapping of 'len' bytes. */
static bool
inside(uint64_t off, uint64_t n, size_t len)
{
    return off <= len && n <= len - off;
}

/* A buffer address for a descriptor: mostly inside a region of the
 * mapping's file (sometimes over its end), else in another file's region,
 * an unregistered area or anywhere.  Writes a frame there when it can.
 * 'lock' held. */
static uint64_t
rnd_buf(struct thread *t, const struct map *mp, uint32_t *len, bool frame)
{
    struct worker *w = t->w;
    const struct region *rg;
    uint64_t addr, room;
    int i, a;

    switch (rnd(&t->rng, 12)) {
    case 0:
        return rnd64(&t->rng);
    case 1:
        a = pick_area(t);
        return a >= 0 ? (uintptr_t) w->areas[a].addr : 0;
    case 2:
        i = pick_region(t, -1, !frame);
        break;
    default:
        i = pick_region(t, mp->file, !frame);
        break;
    }
    if (i < 0) {
        return rnd64(&t->rng);
    }

    rg = &w->regions[i];
    addr = rg->addr + (rg->len > *len ? rnd64(&t->rng) % (rg->len - *len + 1)
                       : 0);
    if (chance(&t->rng, 1, 16)) {
        addr = rg->addr + rg->len - rnd(&t->rng, 64);  /* Over the end. */
    }
    room = rg->addr + rg->len - addr;
    if (!frame || room < 14 || *len > room) {
        return addr;
    }

    /* The frame: random bytes, or an Ethernet header to this host. */
    for (a = 0; a < MAX_AREAS; a++) {
        const struct area *ar = &w->areas[a];

        if (ar->used && ar->kind != AREA_ANON_RO
            && addr >= (uintptr_t) ar->addr
            && addr + *len <= (uintptr_t) ar->addr + ar->len
            && (ar->kind != AREA_HOLE
                || addr + *len <= (uintptr_t) ar->addr + ar->hole
                || addr >= (uintptr_t) ar->addr + ar->hole + PAGE)) {
            uint8_t *p = (uint8_t *) (uintptr_t) addr;
            uint32_t n = *len < 64 ? *len : 64;

            rnd_bytes(&t->rng, p, n);
            if (chance(&t->rng, 1, 2)) {
                static const uint16_t types[] = {
                    0x0800, 0x0806, 0x86dd, 0x8100, 0x88cc, 0x8847,
                };
                uint16_t type = types[rnd(&t->rng, 6)];

                if (chance(&t->rng, 1, 2)) {
                    memset(p, 0xff, 6);
                }
                p[12] = type >> 8;
                p[13] = type;
                if (type == 0x0800 && n >= 34) {
                    p[14] = 0x45;
                    p[16] = (*len - 14) >> 8;
                    p[17] = *len - 14;
                }
            }
            break;
        }
    }
    return addr;
}

/* Produces up to 32 descriptors on the rx or fill ring of 'mp', mostly
 * following the protocol, then kicks if the kernel asked for it. */
static void
ring_produce(struct thread *t, struct map *mp, bool fill)
{
    const struct kni_ring_offset *o = fill ? &mp->off.fill : &mp->off.rx;
    uint32_t size = mp->ring_size, prod, cons, used, room, n, i;
    struct worker *w = t->w;

    if (!inside(o->producer, 4, mp->len) || !inside(o->consumer, 4, mp->len)
        || !inside(o->flags, 4, mp->len)
        || !inside(o->desc, (uint64_t) size * sizeof(struct kni_desc),
                   mp->len)) {
        return;
    }
    prod = load_u32(mp->addr + o->producer);
    cons = load_u32(mp->addr + o->consumer);
    used = prod - cons;
    room = used > size ? rnd(&t->rng, 4) : size - used;
    n = 1 + rnd(&t->rng, 32);
    if (n > room) {
        n = room;
    }

    pthread_mutex_lock(&w->lock);
    for (i = 0; i < n; i++) {
        struct kni_desc *d = (struct kni_desc *) (mp->addr + o->desc)
                             + ((prod + i) & (size - 1));
        struct kni_desc v;

        memset(&v, 0, sizeof v);
        if (fill) {
            v.len = rnd(&t->rng, 8) ? mp->buf_size : rnd_u32(&t->rng);
        } else {
            switch (rnd(&t->rng, 8)) {
            case 0:
                v.len = rnd_u32(&t->rng);
                break;
            case 1:
                v.len = 14 + rnd(&t->rng, 50);
                break;
            default:
                v.len = 60 + rnd(&t->rng, 1455);
                break;
            }
        }
        v.addr = rnd_buf(t, mp, &v.len, !fill);
        v.cookie = rnd64(&t->rng);
        if (chance(&t->rng, 1, 20)) {
            switch (rnd(&t->rng, 8)) {
            case 0:
                v.flags = rnd64(&t->rng);
                break;
            case 1:
                v.gso_type = 1 + rnd(&t->rng, 255);
                break;
            case 2:
                v.rsvd0 = 1 + rnd(&t->rng, 255);
                break;
            case 3:
                v.csum_start = rnd64(&t->rng);
                v.csum_offset = rnd64(&t->rng);
                break;
            case 4:
                v.gso_size = rnd64(&t->rng);
                break;
            case 5:
                v.rsvd1 = 1 + rnd(&t->rng, 65535);
                break;
            case 6:
                v.hash = rnd64(&t->rng);
                v.flags = KNI_DESC_F_HASH;
                break;
            default:
                v.rsvd2 = rnd64(&t->rng) | 1;
                break;
            }
        }
        memcpy(d, &v, sizeof v);
    }
    pthread_mutex_unlock(&w->lock);

    store_u32(mp->addr + o->producer, prod + n);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (load_u32(mp->addr + o->flags) & KNI_RING_F_NEED_WAKEUP
        || chance(&t->rng, 1, 8)) {
        uint32_t id = mp->dev_id;

        ioctl(mp->fd, KNI_IOC_KICK, &id);
    }
    count(fill ? OP_RING_FILL : OP_RING_RX, 0);
}

/* Writes a random value into a producer, consumer or flags word of any
 * ring of 'mp', or garbage into a random rx or fill descriptor. */
static void
ring_garbage(struct thread *t, struct map *mp)
{
    const struct kni_ring_offset *rings[4] = {
        &mp->off.rx, &mp->off.comp, &mp->off.tx, &mp->off.fill,
    };
    const struct kni_ring_offset *o;
    uint64_t word;
    uint32_t v, old;

    if (mp->event) {
        o = &mp->ev_off;
    } else {
        o = rings[rnd(&t->rng, 4)];
    }
    switch (rnd(&t->rng, 4)) {
    case 0:
        word = o->producer;
        break;
    case 1:
        word = o->consumer;
        break;
    case 2:
        word = o->flags;
        break;
    default:
        if (mp->event) {
            return;
        }
        o = rnd(&t->rng, 2) ? &mp->off.rx : &mp->off.fill;
        word = o->desc + rnd(&t->rng, mp->ring_size)
               * sizeof(struct kni_desc) + 4 * rnd(&t->rng, 10);
        break;
    }
    if (!inside(word, 4, mp->len)) {
        return;
    }
    old = load_u32(mp->addr + word);
    switch (rnd(&t->rng, 6)) {
    case 0:
        v = rnd64(&t->rng);
        break;
    case 1:
        v = old + mp->ring_size + 1 + rnd(&t->rng, 4);
        break;
    case 2:
        v = old - 1 - rnd(&t->rng, 4);
        break;
    case 3:
        v = 0;
        break;
    case 4:
        v = old ^ (1U << rnd(&t->rng, 32));
        break;
    default:
        v = old + 1;
        break;
    }
    store_u32(mp->addr + word, v);
    count(OP_RING_GARBAGE, 0);
}

/* The ring threads only store and load: left alone they would take the
 * guest's CPUs from the threads that make system calls. */
static void
pace(struct thread *t)
{
    if (rnd(&t->rng, 2)) {
        sleep_us(50 + rnd(&t->rng, 400));
    } else {
        sched_yield();
    }
}

static void
ring_write_step(struct thread *t)
{
    struct worker *w = t->w;
    struct map mp;
    uint32_t x;
    int m;

    pthread_rwlock_rdlock(&w->vm_lock);
    pthread_mutex_lock(&w->lock);
    m = pick_map(t, true);
    if (m >= 0) {
        mp = w->maps[m];
    }
    pthread_mutex_unlock(&w->lock);
    if (m < 0 || (!mp.event && !mp.ring_size)) {
        pthread_rwlock_unlock(&w->vm_lock);
        sleep_us(200);
        return;
    }

    x = rnd(&t->rng, 100);
    thread_map = &mp;
    if (mp.event) {
        if (x < 10) {
            ring_garbage(t, &mp);
        }
    } else if (x < 45) {
        ring_produce(t, &mp, true);
    } else if (x < 85) {
        ring_produce(t, &mp, false);
    } else if (x < 95) {
        ring_garbage(t, &mp);
    } else {
        uint32_t id = mp.dev_id;

        count(OP_RING_KICK, ioctl(mp.fd, KNI_IOC_KICK, &id));
    }
    thread_map = NULL;
    pthread_rwlock_unlock(&w->vm_lock);
    pace(t);
}

/* The ring reader. */

/* Whether 'v', read from tx (or comp) of a device created with
 * 'offloads', is as the ABI allows: offload fields only on tx and only
 * with their offload, reserved fields zero, an invalid one empty. */
static bool
desc_ok(const struct kni_desc *v, bool tx, uint32_t offloads)
{
    uint16_t flags = KNI_DESC_F_INVALID;
    bool csum = tx && offloads & KNI_OFFLOAD_CSUM;
    bool tso = tx && offloads & KNI_OFFLOAD_TSO;
    bool hash = tx && offloads & KNI_OFFLOAD_HASH;

    flags |= csum ? KNI_DESC_F_CSUM_PARTIAL | KNI_DESC_F_CSUM_VALID : 0;
    flags |= hash ? KNI_DESC_F_HASH : 0;
    return (!(v->flags & ~flags)
            && (csum || (!v->csum_start && !v->csum_offset))
            && (tso || (!v->gso_type && !v->gso_size))
            && (hash || !v->hash)
            && !v->rsvd0 && !v->rsvd1 && !v->rsvd2
            && !(tx && (v->flags & KNI_DESC_F_INVALID) && v->len)
            && !(tx && v->len > 65536));
}

/* Consumes what the kernel produced on tx or comp of 'mp' and checks it. */
static void
ring_consume(struct map *mp, bool tx)
{
    const struct kni_ring_offset *o = tx ? &mp->off.tx : &mp->off.comp;
    uint32_t size = mp->ring_size, prod, cons, n, i;

    if (!inside(o->producer, 4, mp->len) || !inside(o->consumer, 4, mp->len)
        || !inside(o->flags, 4, mp->len)
        || !inside(o->desc, (uint64_t) size * sizeof(struct kni_desc),
                   mp->len)) {
        return;
    }
    prod = load_u32(mp->addr + o->producer);
    cons = load_u32(mp->addr + o->consumer);
    n = prod - cons;
    if (n > size) {
        /* Someone wrote garbage into our consumer index: resynchronise. */
        store_u32(mp->addr + o->consumer, prod);
        count(OP_RING_READ, 0);
        return;
    }
    for (i = 0; i < n; i++) {
        const struct kni_desc *d = (const struct kni_desc *)
                                   (mp->addr + o->desc)
                                   + ((cons + i) & (size - 1));
        struct kni_desc v;

        memcpy(&v, d, sizeof v);
        if (!desc_ok(&v, tx, mp->offloads)) {
            anomaly(tx ? AN_TX_DESC : AN_COMP_DESC,
                    "device %"PRIu32" (offloads %#"PRIx32") slot %"PRIu32
                    ": addr %#"PRIx64" len %"PRIu32" flags %#x gso %u/%u "
                    "csum %u/%u rsvd %u/%u/%u hash %#x", mp->dev_id,
                    mp->offloads, cons + i, (uint64_t) v.addr, v.len,
                    v.flags, v.gso_type, v.gso_size, v.csum_start,
                    v.csum_offset, v.rsvd0, v.rsvd1, v.rsvd2, v.hash);
        }
    }
    store_u32(mp->addr + o->consumer, prod);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (load_u32(mp->addr + o->flags) & KNI_RING_F_NEED_WAKEUP) {
        uint32_t id = mp->dev_id;

        ioctl(mp->fd, KNI_IOC_KICK, &id);
    }
    count(OP_RING_READ, 0);
}

static void
event_consume(struct map *mp)
{
    const struct kni_ring_offset *o = &mp->ev_off;
    uint32_t size = KNI_EVENT_RING_SIZE, prod, cons, n, i;

    if (!inside(o->producer, 4, mp->len) || !inside(o->consumer, 4, mp->len)
        || !inside(o->desc, (uint64_t) size * sizeof(struct kni_event),
                   mp->len)) {
        return;
    }
    prod = load_u32(mp->addr + o->producer);
    cons = load_u32(mp->addr + o->consumer);
    n = prod - cons;
    if (n > size) {
        store_u32(mp->addr + o->consumer, prod);
        count(OP_EVENT_READ, 0);
        return;
    }
    for (i = 0; i < n; i++) {
        const struct kni_event *e = (const struct kni_event *)
                                    (mp->addr + o->desc)
                                    + ((cons + i) & (size - 1));
        struct kni_event v;

        memcpy(&v, e, sizeof v);
        /* A slot the kernel never wrote is all zero (the ring writer
         * moves the producer word now and then). */
        if (!v.type && !v.dev_id) {
            continue;
        }
        if (v.type < KNI_EVENT_OVERFLOW || v.type > KNI_EVENT_NAME
            || v.pad[0] || v.pad[1]
            || (v.type == KNI_EVENT_OVERFLOW && v.dev_id)
            || (v.type != KNI_EVENT_OVERFLOW && !v.dev_id)
            || ((v.type == KNI_EVENT_UP || v.type == KNI_EVENT_PROMISC
                 || v.type == KNI_EVENT_ALLMULTI) && v.value > 1)) {
            anomaly(AN_EVENT, "slot %"PRIu32": dev %"PRIu32" type %"PRIu32
                    " value %"PRIu32" aux %"PRIu32" pad %u/%u", cons + i,
                    v.dev_id, v.type, v.value, v.aux, v.pad[0], v.pad[1]);
        }
    }
    store_u32(mp->addr + o->consumer, prod);
    count(OP_EVENT_READ, 0);
}

static void
ring_read_step(struct thread *t)
{
    struct worker *w = t->w;
    struct map mp;
    int m;

    pthread_rwlock_rdlock(&w->vm_lock);
    pthread_mutex_lock(&w->lock);
    m = pick_map(t, true);
    if (m >= 0) {
        mp = w->maps[m];
    }
    pthread_mutex_unlock(&w->lock);
    if (m < 0 || (!mp.event && !mp.ring_size)) {
        pthread_rwlock_unlock(&w->vm_lock);
        sleep_us(200);
        return;
    }
    thread_map = &mp;
    if (mp.event) {
        event_consume(&mp);
    } else {
        ring_consume(&mp, rnd(&t->rng, 2));
    }
    thread_map = NULL;
    pthread_rwlock_unlock(&w->vm_lock);
    pace(t);
}

/* The kernel side: rtnetlink, sockets, network namespaces. */

struct nl_msg {
    struct nlmsghdr h;
    struct ifinfomsg ifi;
    char attrs[1024];
};

static void
nl_init(struct nl_msg *m, int type, int flags, int ifindex)
{
    memset(m, 0, sizeof *m);
    m->h.nlmsg_len = NLMSG_LENGTH(sizeof m->ifi);
    m->h.nlmsg_type = type;
    m->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    m->ifi.ifi_family = AF_UNSPEC;
    m->ifi.ifi_index = ifindex;
}

static struct rtattr *
nl_put(struct nl_msg *m, int type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *) ((char *) m
                                          + NLMSG_ALIGN(m->h.nlmsg_len));

    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    if (len) {
        memcpy(RTA_DATA(a), data, len);
    }
    m->h.nlmsg_len = NLMSG_ALIGN(m->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
    return a;
}

static void
nl_put_u32(struct nl_msg *m, int type, uint32_t v)
{
    nl_put(m, type, &v, sizeof v);
}

static void
nl_put_str(struct nl_msg *m, int type, const char *s)
{
    nl_put(m, type, s, strlen(s) + 1);
}

static void
nl_end(struct nl_msg *m, struct rtattr *nest)
{
    nest->rta_len = (char *) m + m->h.nlmsg_len - (char *) nest;
}

/* Sends 'm' and waits for the kernel's answer: returns 0 or -1 with
 * errno. */
static int
nl_talk(struct thread *t, struct nl_msg *m)
{
    char buf[8192];
    ssize_t n;

    m->h.nlmsg_seq = ++t->nl_seq;
    if (send(t->nl_fd, m, m->h.nlmsg_len, 0) < 0) {
        return -1;
    }
    for (;;) {
        struct nlmsghdr *h;

        n = recv(t->nl_fd, buf, sizeof buf, 0);
        if (n < 0) {
            return -1;
        }
        for (h = (struct nlmsghdr *) buf; NLMSG_OK(h, n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != t->nl_seq) {
                continue;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);

                if (e->error) {
                    errno = -e->error;
                    return -1;
                }
                return 0;
            }
        }
    }
}

/* A target: mostly one of this worker's devices (by ifindex), else any
 * interface of ours in this namespace, found by name. */
static uint32_t
pick_ifindex(struct thread *t, char name[IF_NAMESIZE])
{
    struct worker *w = t->w;
    uint32_t ifindex = 0;
    int d;

    pthread_mutex_lock(&w->lock);
    d = pick_dev(t, -1);
    if (d >= 0) {
        ifindex = w->devs[d].ifindex;
    }
    pthread_mutex_unlock(&w->lock);
    if (!ifindex || chance(&t->rng, 1, 5)) {
        /* Any of ours: another worker's device, a vlan, a bridge... */
        struct if_nameindex *names = if_nameindex(), *p;
        int n = 0;

        for (p = names; p && p->if_index; p++) {
            if (!strncmp(p->if_name, "kf", 2) && rnd(&t->rng, ++n) == 0) {
                ifindex = p->if_index;
            }
        }
        if (names) {
            if_freenameindex(names);
        }
    }
    if (name && (!ifindex || !if_indextoname(ifindex, name))) {
        name[0] = '\0';
    }
    return ifindex;
}

static void
nl_flags(struct thread *t)
{
    static const unsigned int bits[] = {
        IFF_UP, IFF_UP, IFF_UP, IFF_PROMISC, IFF_ALLMULTI, IFF_NOARP,
        IFF_MULTICAST,
    };
    struct nl_msg m;
    unsigned int bit;

    nl_init(&m, RTM_NEWLINK, 0, pick_ifindex(t, NULL));
    bit = bits[rnd(&t->rng, sizeof bits / sizeof bits[0])];
    m.ifi.ifi_change = bit;
    m.ifi.ifi_flags = rnd(&t->rng, 3) ? bit : 0;
    count(OP_NL_FLAGS, nl_talk(t, &m));
}

static void
nl_mtu(struct thread *t)
{
    struct nl_msg m;

    nl_init(&m, RTM_NEWLINK, 0, pick_ifindex(t, NULL));
    nl_put_u32(&m, IFLA_MTU, rnd(&t->rng, 2) ? 1000 + rnd(&t->rng, 1200)
                                             : rnd_u32(&t->rng));
    count(OP_NL_MTU, nl_talk(t, &m));
}

static void
nl_address(struct thread *t)
{
    struct nl_msg m;
    uint8_t mac[6];

    nl_init(&m, RTM_NEWLINK, 0, pick_ifindex(t, NULL));
    rnd_mac(&t->rng, mac);
    nl_put(&m, IFLA_ADDRESS, mac, rnd(&t->rng, 10) ? 6 : rnd(&t->rng, 8));
    count(OP_NL_ADDRESS, nl_talk(t, &m));
}

static void
nl_rename(struct thread *t)
{
    char name[IF_NAMESIZE], new_name[IF_NAMESIZE];
    struct worker *w = t->w;
    uint32_t ifindex;
    struct nl_msg m;
    int d, r;

    ifindex = pick_ifindex(t, name);
    /* Keep the kf prefix: devices of other workers stay findable. */
    pthread_mutex_lock(&w->lock);
    snprintf(new_name, sizeof new_name, "kf%d_%u", w->index % 10000,
             w->name_counter++ % 100000);
    pthread_mutex_unlock(&w->lock);
    nl_init(&m, RTM_NEWLINK, 0, ifindex);
    nl_put_str(&m, IFLA_IFNAME, new_name);
    r = nl_talk(t, &m);
    count(OP_NL_RENAME, r);
    if (!r) {
        pthread_mutex_lock(&w->lock);
        for (d = 0; d < MAX_DEVS; d++) {
            if (w->devs[d].used && w->devs[d].ifindex == ifindex) {
                memcpy(w->devs[d].name, new_name, KNI_NAMESIZE);
            }
        }
        pthread_mutex_unlock(&w->lock);
    }
}

static void
nl_delete(struct thread *t)
{
    struct nl_msg m;

    nl_init(&m, RTM_DELLINK, 0, pick_ifindex(t, NULL));
    count(OP_NL_DELETE, nl_talk(t, &m));
}

/* Deletes, or moves into a namespace that then goes, the device another
 * thread is creating, by name, as soon as it appears. */
static void
nl_delete_race(struct thread *t)
{
    char name[KNI_NAMESIZE];
    struct worker *w = t->w;
    int i, r = -1;
    pid_t helper = 0;

    if (!__atomic_load_n(&w->creating_active, __ATOMIC_ACQUIRE)) {
        return;
    }
    pthread_mutex_lock(&w->creating_lock);
    memcpy(name, w->creating, KNI_NAMESIZE);
    pthread_mutex_unlock(&w->creating_lock);
    if (!name[0]) {
        return;
    }
    for (i = 0; i < MAX_HELPERS; i++) {
        if (t->helpers[i] > 0 && rnd(&t->rng, 2)) {
            helper = t->helpers[i];
        }
    }
    for (i = 0; i < 200 && r && !stopping()
         && __atomic_load_n(&w->creating_active, __ATOMIC_ACQUIRE); i++) {
        struct nl_msg m;

        if (helper) {
            nl_init(&m, RTM_NEWLINK, 0, 0);
            nl_put_str(&m, IFLA_IFNAME, name);
            nl_put_u32(&m, IFLA_NET_NS_PID, helper);
        } else {
            nl_init(&m, RTM_DELLINK, 0, 0);
            nl_put_str(&m, IFLA_IFNAME, name);
        }
        r = nl_talk(t, &m);
        if (!count(OP_NL_DELETE_RACE, r)) {
            break;
        }
    }
}

static void
nl_add_upper(struct thread *t, bool vlan)
{
    char name[IF_NAMESIZE];
    struct rtattr *li, *data;
    uint32_t ifindex;
    struct nl_msg m;

    ifindex = pick_ifindex(t, NULL);
    snprintf(name, sizeof name, "kf%c%u_%u", vlan ? 'v' : 'm',
             (unsigned int) t->w->index % 1000u, rnd(&t->rng, 64) % 100u);
    nl_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
    nl_put_str(&m, IFLA_IFNAME, name);
    nl_put_u32(&m, IFLA_LINK, ifindex);
    if (!vlan && chance(&t->rng, 1, 2)) {
        uint8_t mac[6];

        rnd_mac(&t->rng, mac);
        nl_put(&m, IFLA_ADDRESS, mac, 6);
    }
    li = nl_put(&m, IFLA_LINKINFO, NULL, 0);
    nl_put_str(&m, IFLA_INFO_KIND, vlan ? "vlan" : "macvlan");
    data = nl_put(&m, IFLA_INFO_DATA, NULL, 0);
    if (vlan) {
        uint16_t id = 1 + rnd(&t->rng, 4094);

        nl_put(&m, IFLA_VLAN_ID, &id, sizeof id);
    } else {
        static const uint32_t modes[] = {
            MACVLAN_MODE_PRIVATE, MACVLAN_MODE_VEPA, MACVLAN_MODE_BRIDGE,
            MACVLAN_MODE_PASSTHRU, MACVLAN_MODE_SOURCE,
        };

        nl_put_u32(&m, IFLA_MACVLAN_MODE, modes[rnd(&t->rng, 5)]);
    }
    nl_end(&m, data);
    nl_end(&m, li);
    count(vlan ? OP_NL_VLAN : OP_NL_MACVLAN, nl_talk(t, &m));

    /* Up, so that it adds its addresses to the device's lists. */
    ifindex = if_nametoindex(name);
    if (ifindex) {
        nl_init(&m, RTM_NEWLINK, 0, ifindex);
        m.ifi.ifi_change = IFF_UP;
        m.ifi.ifi_flags = IFF_UP;
        count(vlan ? OP_NL_VLAN : OP_NL_MACVLAN, nl_talk(t, &m));
    }
}

/* Makes a device a bridge or bond port, or no port.  The bridge and the
 * bond belong to this worker; the parent deletes what is left at the end. */
static void
nl_master(struct thread *t)
{
    char name[IF_NAMESIZE];
    uint32_t ifindex, master = 0;
    struct rtattr *li;
    struct nl_msg m;
    int kind = rnd(&t->rng, 3);

    ifindex = pick_ifindex(t, NULL);
    if (kind < 2) {
        snprintf(name, sizeof name, "kf%s%d", kind ? "bd" : "br",
                 t->w->index % 10000);
        master = if_nametoindex(name);
        if (!master) {
            nl_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
            nl_put_str(&m, IFLA_IFNAME, name);
            li = nl_put(&m, IFLA_LINKINFO, NULL, 0);
            nl_put_str(&m, IFLA_INFO_KIND, kind ? "bond" : "bridge");
            nl_end(&m, li);
            count(OP_NL_MASTER, nl_talk(t, &m));
            master = if_nametoindex(name);
            if (master) {
                nl_init(&m, RTM_NEWLINK, 0, master);
                m.ifi.ifi_change = IFF_UP;
                m.ifi.ifi_flags = IFF_UP;
                count(OP_NL_MASTER, nl_talk(t, &m));
            }
        }
        if (kind == 1 && ifindex) {
            /* A bond takes only ports that are down. */
            nl_init(&m, RTM_NEWLINK, 0, ifindex);
            m.ifi.ifi_change = IFF_UP;
            count(OP_NL_MASTER, nl_talk(t, &m));
        }
    }
    nl_init(&m, RTM_NEWLINK, 0, ifindex);
    nl_put_u32(&m, IFLA_MASTER, master);
    count(OP_NL_MASTER, nl_talk(t, &m));
}

/* A network namespace, held by a child that waits for SIGKILL. */
static void
netns_new(struct thread *t)
{
    pid_t pid, parent;
    int i, p[2];
    char c;

    for (i = 0; i < MAX_HELPERS && t->helpers[i] > 0; i++) {
        continue;
    }
    if (i == MAX_HELPERS || pipe(p)) {
        return;
    }
    parent = getpid();
    pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(0);           /* The parent died before prctl(). */
        }
        c = unshare(CLONE_NEWNET) ? 'n' : 'y';
        if (write(p[1], &c, 1) != 1) {
            _exit(1);
        }
        for (;;) {
            pause();
        }
    }
    close(p[1]);
    if (pid < 0 || read(p[0], &c, 1) != 1 || c != 'y') {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        close(p[0]);
        errno = EAGAIN;
        count(OP_NETNS_NEW, -1);
        return;
    }
    close(p[0]);
    t->helpers[i] = pid;
    count(OP_NETNS_NEW, 0);
}

/* Ends a namespace: its kni devices go through the module's dellink. */
static void
netns_destroy(struct thread *t)
{
    int i, j, n = 0;

    for (i = -1, j = 0; j < MAX_HELPERS; j++) {
        if (t->helpers[j] > 0 && rnd(&t->rng, ++n) == 0) {
            i = j;
        }
    }
    if (i < 0) {
        return;
    }
    kill(t->helpers[i], SIGKILL);
    waitpid(t->helpers[i], NULL, 0);
    t->helpers[i] = 0;
    count(OP_NETNS_DESTROY, 0);
}

static void
nl_netns(struct thread *t)
{
    struct nl_msg m;
    int i, n = 0;
    pid_t pid = 0;

    for (i = 0; i < MAX_HELPERS; i++) {
        if (t->helpers[i] > 0 && rnd(&t->rng, ++n) == 0) {
            pid = t->helpers[i];
        }
    }
    if (!pid) {
        netns_new(t);
        return;
    }
    nl_init(&m, RTM_NEWLINK, 0, pick_ifindex(t, NULL));
    nl_put_u32(&m, IFLA_NET_NS_PID, pid);
    count(OP_NL_NETNS, nl_talk(t, &m));
}

/* Sends a few frames on a device with AF_PACKET, through the qdisc or,
 * with --qdisc-bypass, straight to the driver. */
static void
packet_send(struct thread *t)
{
    struct sockaddr_ll sll;
    uint8_t frame[2048];
    uint32_t ifindex;
    int fd, i, n, one = 1;

    ifindex = pick_ifindex(t, NULL);
    if (ifindex && rnd(&t->rng, 4)) {
        /* Up first, mostly: a device that is down transmits nothing. */
        struct nl_msg m;

        nl_init(&m, RTM_NEWLINK, 0, ifindex);
        m.ifi.ifi_change = IFF_UP;
        m.ifi.ifi_flags = IFF_UP;
        count(OP_NL_FLAGS, nl_talk(t, &m));
    }
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        count(OP_PACKET_SEND, -1);
        return;
    }
    if (opt_qdisc_bypass && rnd(&t->rng, 2)) {
        setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
    }
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifindex;
    sll.sll_halen = 6;
    memset(sll.sll_addr, 0xff, 6);
    n = 1 + rnd(&t->rng, 16);
    for (i = 0; i < n; i++) {
        size_t len = rnd(&t->rng, 4) ? 14 + rnd(&t->rng, 1500)
                                     : rnd(&t->rng, sizeof frame);

        rnd_bytes(&t->rng, frame, len < 64 ? len : 64);
        if (len >= 14) {
            memset(frame, 0xff, 6);
            frame[12] = 0x08;
            frame[13] = 0x06;
        }
        if (!count(OP_PACKET_SEND, sendto(fd, frame, len, MSG_DONTWAIT,
                                          (struct sockaddr *) &sll,
                                          sizeof sll))) {
            break;
        }
    }
    close(fd);
}

/* Joins (or leaves, by closing the socket) a membership that changes the
 * device's address lists or its promisc or allmulti count. */
static void
packet_membership(struct thread *t)
{
    static const int types[] = {
        PACKET_MR_MULTICAST, PACKET_MR_MULTICAST, PACKET_MR_UNICAST,
        PACKET_MR_PROMISC, PACKET_MR_ALLMULTI,
    };
    struct packet_mreq mr;
    int i = rnd(&t->rng, MAX_PSOCKS);

    if (t->psocks[i] >= 0 && rnd(&t->rng, 3) == 0) {
        close(t->psocks[i]);
        t->psocks[i] = -1;
        count(OP_PACKET_MEMBERSHIP, 0);
        return;
    }
    if (t->psocks[i] < 0) {
        t->psocks[i] = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (t->psocks[i] < 0) {
            count(OP_PACKET_MEMBERSHIP, -1);
            return;
        }
    }
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = pick_ifindex(t, NULL);
    mr.mr_type = types[rnd(&t->rng, sizeof types / sizeof types[0])];
    mr.mr_alen = 6;
    rnd_mac(&t->rng, mr.mr_address);
    if (mr.mr_type == PACKET_MR_MULTICAST) {
        mr.mr_address[0] |= 1;
    }
    count(OP_PACKET_MEMBERSHIP,
          setsockopt(t->psocks[i], SOL_PACKET, rnd(&t->rng, 4)
                     ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP,
                     &mr, sizeof mr));
}

static void
ethtool_query(struct thread *t)
{
    union {
        struct ethtool_drvinfo drvinfo;
        struct ethtool_ringparam ring;
        struct ethtool_value value;
        struct ethtool_cmd cmd;
        struct {
            struct ethtool_link_settings s;
            uint32_t masks[3 * 127];
        } link;
        struct {
            struct ethtool_sset_info info;
            uint32_t data[1];
        } sset;
        struct {
            struct ethtool_gstrings s;
            uint8_t data[64 * ETH_GSTRING_LEN];
        } strings;
        struct {
            struct ethtool_stats s;
            uint64_t data[64];
        } stats;
    } u;
    char name[IF_NAMESIZE];
    struct ifreq ifr;
    uint32_t x;

    pick_ifindex(t, name);
    if (!name[0]) {
        return;
    }
    memset(&u, 0, sizeof u);
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    ifr.ifr_data = (void *) &u;
    x = rnd(&t->rng, 8);
    if (x >= 6) {
        /* The strings and the stats fill as many entries as the driver
         * says: ask it first, and skip one with more than fit here. */
        u.drvinfo.cmd = ETHTOOL_GDRVINFO;
        if (ioctl(t->inet_fd, SIOCETHTOOL, &ifr) || u.drvinfo.n_stats > 64) {
            count(OP_ETHTOOL, -1);
            return;
        }
        memset(&u, 0, sizeof u);
    }
    switch (x) {
    case 0:
        u.drvinfo.cmd = ETHTOOL_GDRVINFO;
        break;
    case 1:
        u.ring.cmd = ETHTOOL_GRINGPARAM;
        break;
    case 2:
        u.value.cmd = ETHTOOL_GLINK;
        break;
    case 3:
        u.cmd.cmd = ETHTOOL_GSET;
        break;
    case 4:
        u.link.s.cmd = ETHTOOL_GLINKSETTINGS;
        u.link.s.link_mode_masks_nwords = rnd(&t->rng, 2) ? 0 : 3;
        break;
    case 5:
        u.sset.info.cmd = ETHTOOL_GSSET_INFO;
        u.sset.info.sset_mask = 1ULL << ETH_SS_STATS;
        break;
    case 6:
        u.strings.s.cmd = ETHTOOL_GSTRINGS;
        u.strings.s.string_set = ETH_SS_STATS;
        break;
    default:
        u.stats.s.cmd = ETHTOOL_GSTATS;
        break;
    }
    count(OP_ETHTOOL, ioctl(t->inet_fd, SIOCETHTOOL, &ifr));
}

static void
kernel_step(struct thread *t)
{
    uint32_t x;

    if (t->nl_fd < 0) {
        sleep_us(1000);
        return;
    }
    if (opt_create_race
        && __atomic_load_n(&t->w->creating_active, __ATOMIC_ACQUIRE)
        && chance(&t->rng, 1, 3)) {
        nl_delete_race(t);
        return;
    }
    x = rnd(&t->rng, 1000);
    if (x < 200) {
        nl_flags(t);
    } else if (x < 280) {
        nl_mtu(t);
    } else if (x < 340) {
        nl_address(t);
    } else if (x < 360) {
        nl_rename(t);
    } else if (x < 390) {
        nl_delete(t);
    } else if (x < 420) {
        nl_add_upper(t, true);
    } else if (x < 440) {
        nl_add_upper(t, false);
    } else if (x < 460) {
        nl_master(t);
    } else if (x < 490) {
        nl_netns(t);
    } else if (x < 505) {
        netns_destroy(t);
    } else if (x < 700) {
        packet_send(t);
    } else if (x < 780) {
        packet_membership(t);
    } else {
        ethtool_query(t);
    }
}

/* Threads and workers. */

static void *
thread_main(void *arg)
{
    struct thread *t = arg;
    struct worker *w = t->w;
    static const enum role roles[] = {
        ROLE_IOCTL, ROLE_RING_WRITE, ROLE_RING_READ, ROLE_KERNEL,
    };
    int i;

    thread_role = t->roles;
    t->guard = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t->guard == MAP_FAILED) {
        return NULL;
    }
    mprotect(t->guard + PAGE, PAGE, PROT_NONE);
    mprotect(t->guard + 2 * PAGE, PAGE, PROT_READ);

    t->nl_fd = -1;
    t->inet_fd = -1;
    for (i = 0; i < MAX_PSOCKS; i++) {
        t->psocks[i] = -1;
    }
    if (t->roles & ROLE_KERNEL) {
        struct timeval tv = { 2, 0 };

        t->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
                          NETLINK_ROUTE);
        if (t->nl_fd >= 0) {
            setsockopt(t->nl_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        }
        t->inet_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }

    while (!stopping()
           && __atomic_load_n(&w->done, __ATOMIC_RELAXED) < w->quota) {
        enum role role;

        do {
            role = roles[rnd(&t->rng, 4)];
        } while (!(t->roles & role));
        op_start_ns = 0;
        {
            struct timespec ts;

            clock_gettime(CLOCK_MONOTONIC, &ts);
            op_start_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
        }
        switch (role) {
        case ROLE_IOCTL:
            ioctl_step(t);
            break;
        case ROLE_RING_WRITE:
            ring_write_step(t);
            break;
        case ROLE_RING_READ:
            ring_read_step(t);
            break;
        case ROLE_KERNEL:
        default:
            kernel_step(t);
            break;
        }
        __atomic_add_fetch(&w->done, 1, __ATOMIC_RELAXED);
    }

    for (i = 0; i < MAX_HELPERS; i++) {
        if (t->helpers[i] > 0) {
            kill(t->helpers[i], SIGKILL);
            waitpid(t->helpers[i], NULL, 0);
        }
    }
    for (i = 0; i < MAX_PSOCKS; i++) {
        if (t->psocks[i] >= 0) {
            close(t->psocks[i]);
        }
    }
    if (t->nl_fd >= 0) {
        close(t->nl_fd);
    }
    if (t->inet_fd >= 0) {
        close(t->inet_fd);
    }
    return NULL;
}

static void
register_pid(pid_t pid)
{
    int i;

    for (i = 0; i < MAX_PIDS; i++) {
        pid_t zero = 0;

        if (__atomic_compare_exchange_n(&sh->pids[i], &zero, pid, false,
                                        __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
            return;
        }
    }
}

/* Drops capability 'cap' from the effective and permitted sets. */
static int
drop_cap(int cap)
{
    struct __user_cap_header_struct hdr = {
        .version = _LINUX_CAPABILITY_VERSION_3,
    };
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &hdr, data)) {
        return -1;
    }
    data[cap / 32].effective &= ~(1U << (cap % 32));
    data[cap / 32].permitted &= ~(1U << (cap % 32));
    data[cap / 32].inheritable &= ~(1U << (cap % 32));
    return syscall(SYS_capset, &hdr, data);
}

/* A worker that faults says where, then dies of the signal. */
static void
fault_handler(int sig, siginfo_t *si, void *uc_)
{
    char buf[160];
    void *frames[32];
    int n, len;

    (void) uc_;
    len = snprintf(buf, sizeof buf, "kni-fuzz: process %d: signal %d at "
                   "address %p, thread role %d; backtrace:\n",
                   (int) getpid(), sig, si->si_addr, thread_role);
    if (write(STDOUT_FILENO, buf, len) != len) {
        _exit(1);
    }
    n = backtrace(frames, 32);
    backtrace_symbols_fd(frames, n, STDOUT_FILENO);
    if (thread_map) {
        FILE *f = fopen("/proc/self/maps", "r");
        uintptr_t lo = (uintptr_t) si->si_addr - (1 << 20);
        uintptr_t hi = (uintptr_t) si->si_addr + (1 << 20);

        printf("kni-fuzz: mapping in use: %p + %zu (%s, dev %"PRIu32
               ", ring size %"PRIu32"); /proc/self/maps near the "
               "address:\n", thread_map->addr, thread_map->len,
               thread_map->event ? "event ring" : "device rings",
               thread_map->dev_id, thread_map->ring_size);
        while (f && fgets(buf, sizeof buf, f)) {
            uintptr_t a = strtoull(buf, NULL, 16);

            if (a >= lo && a <= hi) {
                printf("kni-fuzz:   %s", buf);
            }
        }
        fflush(stdout);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void
install_fault_handler(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* Runs one worker process; returns its exit status. */
static int
worker_main(int index, uint64_t seed)
{
    pthread_rwlockattr_t rwa;
    struct worker *w;
    struct thread *threads;
    pthread_t *tids;
    struct thread setup;
    int i, n;

    w = xzalloc_array(1, sizeof *w);
    threads = xzalloc_array(opt_threads, sizeof *threads);
    tids = xzalloc_array(opt_threads, sizeof *tids);
    w->index = index;
    w->seed = seed;
    w->rng.s = seed;
    pthread_mutex_init(&w->lock, NULL);
    pthread_mutex_init(&w->creating_lock, NULL);
    /* The ring threads hold it for reading nearly all the time: let
     * writers (munmap) in. */
    pthread_rwlockattr_init(&rwa);
    pthread_rwlockattr_setkind_np(
        &rwa, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&w->vm_lock, &rwa);
    w->quota = 2000 + rnd(&w->rng, 30000);
    register_pid(getpid());
    install_fault_handler();

    /* Namespaces and capabilities, while single-threaded. */
    switch (rnd(&w->rng, 12)) {
    case 0:
        if (unshare(CLONE_NEWNET) && opt_verbose) {
            say("worker %d: unshare(CLONE_NEWNET): %s", index,
                err_str(errno));
        }
        break;
    case 1:
        /* CAP_NET_ADMIN in a user namespace of our own, owning a network
         * namespace of our own; no CAP_IPC_LOCK outside it. */
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
            /* EPERM in a chroot, as in kni-vm's guest. */
            if (opt_verbose) {
                say("worker %d: unshare(CLONE_NEWUSER | CLONE_NEWNET): %s",
                    index, err_str(errno));
            }
        } else {
            w->in_userns = true;
        }
        break;
    case 2: {
        struct rlimit rl;

        rl.rlim_cur = rl.rlim_max = PAGE * (rnd(&w->rng, 4096));
        setrlimit(RLIMIT_MEMLOCK, &rl);
        w->no_ipc_lock = !drop_cap(CAP_IPC_LOCK);
        break;
    }
    default:
        break;
    }

    /* A starting state: files, memory, a device or two, mappings. */
    memset(&setup, 0, sizeof setup);
    setup.w = w;
    setup.index = -1;
    setup.rng.s = mix_seed(seed, 1000);
    setup.guard = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (setup.guard == MAP_FAILED) {
        return 1;
    }
    mprotect(setup.guard + PAGE, PAGE, PROT_NONE);
    mprotect(setup.guard + 2 * PAGE, PAGE, PROT_READ);
    n = 1 + rnd(&w->rng, 2);
    for (i = 0; i < n; i++) {
        op_open(&setup);
    }
    for (i = 0; i < 3; i++) {
        op_area_map(&setup);
        op_mem_reg(&setup);
    }
    op_event_ring(&setup);
    op_create(&setup);
    op_create(&setup);
    op_mmap(&setup, false);
    op_mmap(&setup, false);
    op_mmap(&setup, true);

    if (rnd(&w->rng, 30) == 0) {
        w->no_net_admin = !drop_cap(CAP_NET_ADMIN);
    }

    /* A twin: another process with the same files and mappings. */
    if (rnd(&w->rng, 4) == 0) {
        pid_t pid = fork();

        if (pid == 0) {
            register_pid(getpid());
            seed = mix_seed(seed, 2000);
            w->seed = seed;
            w->rng.s = seed;
        }
    }

    for (i = 0; i < opt_threads; i++) {
        struct thread *t = &threads[i];

        t->w = w;
        t->index = i;
        t->rng.s = mix_seed(w->seed, i + 1);
        if (opt_threads >= MIN_THREADS) {
            t->roles = i < MIN_THREADS ? 1U << i : ROLE_IOCTL;
        } else {
            t->roles = ROLE_IOCTL | ROLE_RING_WRITE | ROLE_RING_READ
                       | ROLE_KERNEL;
        }
        if (pthread_create(&tids[i], NULL, thread_main, t)) {
            tids[i] = 0;
        }
    }
    for (i = 0; i < opt_threads; i++) {
        if (tids[i]) {
            pthread_join(tids[i], NULL);
        }
    }

    /* Leave by closing everything, or by just exiting. */
    if (rnd(&w->rng, 2)) {
        pthread_mutex_lock(&w->lock);
        for (i = 0; i < MAX_FILES; i++) {
            if (w->files[i].used) {
                close_file(w, i);
            }
        }
        for (i = 0; i < MAX_MAPS; i++) {
            if (w->maps[i].used) {
                munmap(w->maps[i].addr, w->maps[i].len);
                w->maps[i].used = false;
            }
        }
        pthread_mutex_unlock(&w->lock);
    }
    return 0;
}

/* The parent. */

static pid_t workers[MAX_PIDS];
static pid_t parent_pid;

static pid_t
spawn_worker(int index, uint64_t seed)
{
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent_pid) {
            _exit(0);
        }
        _exit(worker_main(index, seed));
    }
    return pid;
}

static void
forget_pid(pid_t pid)
{
    int i;

    for (i = 0; i < MAX_PIDS; i++) {
        if (sh->pids[i] == pid) {
            sh->pids[i] = 0;
        }
    }
}

/* Reaps every exited child (workers, twins, orphaned namespace holders):
 * this process is their subreaper.  Returns how many were reaped. */
static int
reap(bool block)
{
    int status, n = 0;
    pid_t pid;

    while ((pid = waitpid(-1, &status, block ? 0 : WNOHANG)) > 0) {
        int i;

        n++;
        forget_pid(pid);
        for (i = 0; i < opt_procs; i++) {
            if (workers[i] == pid) {
                workers[i] = 0;
            }
        }
        if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
            anomaly(AN_WORKER_SIGNAL, "process %d: signal %d (%s)",
                    (int) pid, WTERMSIG(status),
                    strsignal(WTERMSIG(status)));
        } else if (WIFEXITED(status) && WEXITSTATUS(status)) {
            anomaly(AN_WORKER_EXIT, "process %d: exit status %d", (int) pid,
                    WEXITSTATUS(status));
        }
        if (block) {
            break;
        }
    }
    return n;
}

/* Kills every process this one knows of, and every child of this one
 * (orphaned twins and namespace holders come to this process). */
static void
kill_all(void)
{
    struct dirent *de;
    DIR *proc;
    int i;

    proc = opendir("/proc");
    while (proc && (de = readdir(proc))) {
        char path[64], line[128];
        int pid = atoi(de->d_name);
        FILE *f;

        if (pid <= 0) {
            continue;
        }
        snprintf(path, sizeof path, "/proc/%d/status", pid);
        f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f)) {
            if (!strncmp(line, "PPid:", 5)) {
                if (atoi(line + 5) == (int) getpid()) {
                    kill(pid, SIGKILL);
                }
                break;
            }
        }
        if (f) {
            fclose(f);
        }
    }
    if (proc) {
        closedir(proc);
    }

    for (i = 0; i < MAX_PIDS; i++) {
        pid_t pid = __atomic_load_n(&sh->pids[i], __ATOMIC_SEQ_CST);

        if (pid > 0) {
            kill(pid, SIGKILL);
        }
    }
}

/* Prints the kernel stacks of the threads of 'pid'. */
static void
print_stacks(pid_t pid)
{
    char path[64], line[256];
    FILE *f;
    int tid;

    for (tid = pid; tid < pid + 64; tid++) {
        snprintf(path, sizeof path, "/proc/%d/task/%d/stack", (int) pid,
                 tid);
        f = fopen(path, "r");
        if (!f) {
            continue;
        }
        printf("kni-fuzz:   process %d thread %d, kernel stack:\n",
               (int) pid, tid);
        while (fgets(line, sizeof line, f)) {
            printf("kni-fuzz:     %s", line);
        }
        fclose(f);
    }
    fflush(stdout);
}

/* Waits up to 'secs' seconds for every known process to be reaped.
 * Returns how many are left. */
static int
wait_all(double secs)
{
    double deadline = now() + secs;
    int i, left;

    do {
        reap(false);
        left = 0;
        for (i = 0; i < MAX_PIDS; i++) {
            left += sh->pids[i] > 0;
        }
        if (left) {
            sleep_us(50000);
        }
    } while (left && now() < deadline);
    return left;
}

static bool
is_documented(enum op op, int e)
{
    int i;

    if (op >= OP_BAD_IOCTL || e == 0 || e == EFAULT || e == ENOMEM
        || e == EBADF || e == ENOTTY) {
        return true;
    }
    for (i = 0; documented[op][i]; i++) {
        if (documented[op][i] == e) {
            return true;
        }
    }
    return false;
}

static const char *
errno_name(int e)
{
    static char buf[16];

    switch (e) {
    case 0: return "ok";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENODATA: return "ENODATA";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETDOWN: return "ENETDOWN";
    case ENOBUFS: return "ENOBUFS";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOTCONN: return "ENOTCONN";
    case ELOOP: return "ELOOP";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case N_ERRNO - 1: return "other";
    default:
        snprintf(buf, sizeof buf, "errno%d", e);
        return buf;
    }
}

static void
print_counts(double elapsed)
{
    uint64_t total = 0, ring = 0;
    int op, e;

    for (op = 0; op < N_OPS; op++) {
        for (e = 0; e < N_ERRNO; e++) {
            if (is_ring_step(op)) {
                ring += sh->counts[op][e];
            } else {
                total += sh->counts[op][e];
            }
        }
    }
    printf("kni-fuzz: %"PRIu64" operations in %.1f s (%.0f/s), and %"PRIu64
           " steps on ring memory\n", total, elapsed,
           elapsed > 0 ? total / elapsed : 0.0, ring);
    printf("kni-fuzz: results per operation (* = an error the ABI header "
           "does not document):\n");
    for (op = 0; op < N_OPS; op++) {
        uint64_t n = 0;

        for (e = 0; e < N_ERRNO; e++) {
            n += sh->counts[op][e];
        }
        if (!n) {
            continue;
        }
        printf("  %-32s %8"PRIu64":", op_names[op], n);
        if (opt_verbose) {
            printf(" [%.0f us]", sh->ns[op] / 1e3 / n);
        }
        for (e = 0; e < N_ERRNO; e++) {
            if (sh->counts[op][e]) {
                printf(" %s%s=%"PRIu64, errno_name(e),
                       is_documented(op, e) ? "" : "*", sh->counts[op][e]);
            }
        }
        printf("\n");
    }
    fflush(stdout);
}

/* Checks after the run. */

static int n_failed;

static void
check(bool ok, const char *fmt, ...)
{
    va_list args;

    printf("kni-fuzz: %s: ", ok ? "PASS" : "FAIL");
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
    if (!ok) {
        n_failed++;
    }
}

/* Prints the names of the kni devices of this network namespace into
 * 'buf'; returns how many there are. */
static int
kni_devices(char *buf, size_t size)
{
    struct if_nameindex *names, *p;
    int fd, n = 0;

    buf[0] = '\0';
    names = if_nameindex();
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (!names || fd < 0) {
        if (names) {
            if_freenameindex(names);
        }
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    for (p = names; p->if_index; p++) {
        struct ethtool_drvinfo info;
        struct ifreq ifr;

        memset(&info, 0, sizeof info);
        memset(&ifr, 0, sizeof ifr);
        info.cmd = ETHTOOL_GDRVINFO;
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", p->if_name);
        ifr.ifr_data = (void *) &info;
        if (!ioctl(fd, SIOCETHTOOL, &ifr) && !strcmp(info.driver, "kni")) {
            size_t len = strlen(buf);

            snprintf(buf + len, size - len, " %s", p->if_name);
            n++;
        }
    }
    close(fd);
    if_freenameindex(names);
    return n;
}

/* Deletes the bridges and bonds (and anything else named kf*) the workers
 * left behind. */
static void
delete_leftovers(void)
{
    struct if_nameindex *names, *p;
    struct thread t;

    memset(&t, 0, sizeof t);
    t.nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    names = if_nameindex();
    if (t.nl_fd < 0 || !names) {
        goto out;
    }
    for (p = names; p->if_index; p++) {
        if (!strncmp(p->if_name, "kf", 2)) {
            struct nl_msg m;

            nl_init(&m, RTM_DELLINK, 0, p->if_index);
            nl_talk(&t, &m);
        }
    }
out:
    if (names) {
        if_freenameindex(names);
    }
    if (t.nl_fd >= 0) {
        close(t.nl_fd);
    }
}

static bool
read_param(const char *name, char *buf, size_t size)
{
    char path[256];
    FILE *f;
    bool ok;

    snprintf(path, sizeof path, KNI_PARAMS_DIR "%s", name);
    f = fopen(path, "r");
    if (!f) {
        return false;
    }
    ok = fgets(buf, size, f) != NULL;
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

static bool
write_param(const char *name, const char *value)
{
    char path[256];
    FILE *f;
    bool ok;

    snprintf(path, sizeof path, KNI_PARAMS_DIR "%s", name);
    f = fopen(path, "w");
    if (!f) {
        return false;
    }
    ok = fputs(value, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Registers 'len' bytes on a new file; returns 0 or an errno value. */
static int
try_register(size_t len)
{
    struct kni_mem_reg reg;
    char *mem;
    int fd, e;

    mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED) {
        return errno;
    }
    fd = open(KNI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        e = errno;
        munmap(mem, len);
        return e;
    }
    memset(&reg, 0, sizeof reg);
    reg.addr = (uintptr_t) mem;
    reg.len = len;
    e = ioctl(fd, KNI_IOC_MEM_REG, &reg) ? errno : 0;
    close(fd);
    munmap(mem, len);
    return e;
}

/* With limit parameter 'param' lowered to 'mb' MiB, exactly 'mb' MiB must
 * register and one page more must not: nothing else is charged. */
static void
check_pinned_param(const char *param, unsigned int mb)
{
    char old[32], value[32];
    int e_exact, e_more;

    if (!read_param(param, old, sizeof old)) {
        check(false, "pinned memory: cannot read %s%s", KNI_PARAMS_DIR,
              param);
        return;
    }
    snprintf(value, sizeof value, "%u", mb);
    if (!write_param(param, value)) {
        check(false, "pinned memory: cannot write %s%s", KNI_PARAMS_DIR,
              param);
        return;
    }
    e_exact = try_register((size_t) mb << 20);
    e_more = try_register(((size_t) mb << 20) + PAGE);
    write_param(param, old);
    check(!e_exact && e_more == ENOMEM,
          "pinned memory: with %s=%u, %u MiB register (%s) and %u MiB and "
          "a page do not (%s): no pages are left charged", param, mb, mb,
          e_exact ? err_str(e_exact) : "yes", mb,
          e_more ? err_str(e_more) : "they do");
}

/* The RLIMIT_MEMLOCK charge (locked_vm of the user, which /proc does not
 * show): in a child without CAP_IPC_LOCK and with RLIMIT_MEMLOCK at 'mb'
 * MiB, exactly that much must register, and one page more must not. */
static void
check_locked_vm(unsigned int mb)
{
    int status, p[2];
    int res[2] = { -1, -1 };
    pid_t pid;

    if (pipe(p)) {
        check(false, "locked_vm: pipe: %s", err_str(errno));
        return;
    }
    pid = fork();
    if (pid == 0) {
        struct rlimit rl = { (rlim_t) mb << 20, (rlim_t) mb << 20 };

        close(p[0]);
        if (setrlimit(RLIMIT_MEMLOCK, &rl) || drop_cap(CAP_IPC_LOCK)) {
            _exit(2);
        }
        res[0] = try_register((size_t) mb << 20);
        res[1] = try_register(((size_t) mb << 20) + PAGE);
        if (write(p[1], res, sizeof res) != sizeof res) {
            _exit(3);
        }
        _exit(0);
    }
    close(p[1]);
    if (pid < 0 || read(p[0], res, sizeof res) != sizeof res) {
        res[0] = res[1] = -1;
    }
    close(p[0]);
    if (pid > 0) {
        waitpid(pid, &status, 0);
    }
    check(res[0] == 0 && res[1] == ENOMEM,
          "locked_vm: without CAP_IPC_LOCK and with RLIMIT_MEMLOCK at %u MiB,"
          " %u MiB register (%s) and %u MiB and a page do not (%s): the "
          "user's locked_vm charge is back to zero", mb, mb,
          res[0] < 0 ? "no answer" : res[0] ? err_str(res[0]) : "yes",
          mb, res[1] < 0 ? "no answer" : res[1] ? err_str(res[1])
                                                : "they do");
}

static void
final_checks(void)
{
    char names[1024];
    int n, i, e;

    /* Network namespaces end asynchronously: give the cleanup a moment. */
    for (i = 0; i < 50; i++) {
        n = kni_devices(names, sizeof names);
        if (!n) {
            break;
        }
        sleep_us(100000);
    }
    check(n == 0, "no kni device is left (%s%s)", n < 0 ? "cannot list"
          : n ? "left:" : "none", names);
    delete_leftovers();

    if (access(KNI_PARAMS_DIR "max_pinned_mb", W_OK) == 0) {
        check_pinned_param("max_pinned_mb", 4);
        check_pinned_param("max_pinned_mb_user", 4);
        check_locked_vm(4);
    } else {
        check(false, "pinned memory: %smax_pinned_mb is not writable",
              KNI_PARAMS_DIR);
    }

    if (opt_rmmod) {
        for (i = 0; i < 100; i++) {
            e = syscall(SYS_delete_module, "kni", O_NONBLOCK) ? errno : 0;
            if (e != EAGAIN && e != EWOULDBLOCK && e != EBUSY) {
                break;
            }
            sleep_us(100000);
        }
        check(!e, "rmmod kni (%s)", e ? err_str(e) : "unloaded");
    }
}

static void
usage(void)
{
    printf("usage: kni-fuzz [--seed N] [--ops N] [--threads N] [--procs N]"
           " [--time S]\n"
           "                [--file-dir DIR] [--no-create-race]"
           " [--qdisc-bypass]\n"
           "                [--no-rmmod] [--no-check] [--verbose]\n"
           "\n"
           "Fuzzes the kni module's ABI (/dev/kni) with --procs worker\n"
           "processes (default %d) of --threads threads each (default %d;\n"
           "with %d or more: an ioctl thread, a ring writer, a ring reader,\n"
           "a kernel-side thread, the rest ioctl threads; with fewer,\n"
           "every thread takes every role) until --ops operations\n"
           "(default %"PRIu64") or --time seconds, killing workers with\n"
           "SIGKILL at random times; then checks that no kni device is\n"
           "left, that the pinned memory is back and that the module\n"
           "unloads (--no-rmmod: leave it loaded; --no-check: no checks).\n"
           "--file-dir: where file-backed buffers live (default /tmp).\n"
           "--no-create-race: do not delete devices while they are being\n"
           "created (to tell a bug there from others).\n"
           "--qdisc-bypass: send half the frames with PACKET_QDISC_BYPASS,\n"
           "straight to the driver; Debian's 6.1 kernel may then divide by\n"
           "zero in packet_pick_tx_queue() when the device is unregistered\n"
           "at the same time (a kernel bug, not the module's).\n",
           opt_procs, opt_threads, MIN_THREADS, opt_ops);
}

static uint64_t
parse_u64(const char *opt, const char *s)
{
    char *end;
    uint64_t v;

    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || !*s || *end) {
        fprintf(stderr, "kni-fuzz: %s: not a number: %s\n", opt, s);
        exit(2);
    }
    return v;
}

int
main(int argc, char *argv[])
{
    pthread_mutexattr_t ma;
    struct rng rng;
    uint64_t generation = 0;
    double start, deadline, last_progress, last_report;
    int i, fd, left, stopped_at = 0;
    bool stuck = false;
    uint64_t last_ops;
    uint32_t version = 0;
    bool seeded = false;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        } else if (!strcmp(a, "--no-rmmod")) {
            opt_rmmod = false;
            continue;
        } else if (!strcmp(a, "--no-check")) {
            opt_check = false;
            continue;
        } else if (!strcmp(a, "--verbose")) {
            opt_verbose = true;
            continue;
        } else if (!strcmp(a, "--no-create-race")) {
            opt_create_race = false;
            continue;
        } else if (!strcmp(a, "--qdisc-bypass")) {
            opt_qdisc_bypass = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "kni-fuzz: %s needs a value (try --help)\n", a);
            return 2;
        }
        if (!strcmp(a, "--seed")) {
            opt_seed = parse_u64(a, v);
            seeded = true;
        } else if (!strcmp(a, "--ops")) {
            opt_ops = parse_u64(a, v);
        } else if (!strcmp(a, "--threads")) {
            opt_threads = parse_u64(a, v);
        } else if (!strcmp(a, "--procs")) {
            opt_procs = parse_u64(a, v);
        } else if (!strcmp(a, "--time")) {
            opt_time = parse_u64(a, v);
        } else if (!strcmp(a, "--file-dir")) {
            opt_file_dir = v;
        } else {
            fprintf(stderr, "kni-fuzz: unknown option %s (try --help)\n", a);
            return 2;
        }
        i++;
    }
    if (opt_threads < 1 || opt_threads > 64 || opt_procs < 1
        || opt_procs > 64) {
        fprintf(stderr, "kni-fuzz: --threads and --procs: 1 to 64\n");
        return 2;
    }
    if (!seeded) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        opt_seed = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 20)
                   ^ ((uint64_t) getpid() << 40);
        opt_seed %= 1000000000000ULL;
    }

    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("kni-fuzz: mmap");
        return 2;
    }
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&sh->print_lock, &ma);
    sh->ops_target = opt_ops;

    printf("kni-fuzz: seed %"PRIu64" (replay: kni-fuzz --seed %"PRIu64
           " --ops %"PRIu64" --threads %d --procs %d%s)\n", opt_seed,
           opt_seed, opt_ops, opt_threads, opt_procs,
           opt_time ? " --time ..." : "");
    fflush(stdout);

    fd = open(KNI_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (fd < 0 || ioctl(fd, KNI_IOC_ABI_VERSION, &version)) {
        fprintf(stderr, "kni-fuzz: %s: %s (is the module loaded?)\n",
                KNI_DEVICE_PATH, err_str(errno));
        return 2;
    }
    close(fd);
    if (version != KNI_ABI_VERSION) {
        fprintf(stderr, "kni-fuzz: the module speaks ABI %"PRIu32", this "
                "program %d\n", version, KNI_ABI_VERSION);
        return 2;
    }

    /* Orphaned twins and namespace holders come back here to be reaped. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    parent_pid = getpid();
    signal(SIGPIPE, SIG_IGN);

    rng.s = opt_seed;
    start = now();
    deadline = opt_time ? start + opt_time : 0;
    last_ops = 0;
    last_progress = last_report = start;
    while (!stopping()) {
        uint64_t ops = __atomic_load_n(&sh->ops, __ATOMIC_RELAXED);
        uint32_t pause_us;

        if (ops != last_ops) {
            last_ops = ops;
            last_progress = now();
        } else if (now() - last_progress > 120) {
            /* Every worker is stuck, in the kernel most likely. */
            stuck = true;
            __atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
            break;
        }

        for (i = 0; i < opt_procs; i++) {
            if (!workers[i]) {
                workers[i] = spawn_worker((int) (generation % 10000),
                                          mix_seed(opt_seed, generation));
                if (opt_verbose) {
                    say("worker %"PRIu64" (slot %d): process %d",
                        generation, i, (int) workers[i]);
                }
                generation++;
                if (workers[i] < 0) {
                    workers[i] = 0;
                }
            }
        }
        if (now() - last_report >= 30) {
            last_report = now();
            printf("kni-fuzz: %.0f s: %"PRIu64" operations\n",
                   last_report - start, ops);
            fflush(stdout);
        }
        pause_us = 20000 + rnd(&rng, 800000);
        while (pause_us && !stopping()) {
            uint32_t step = pause_us < 20000 ? pause_us : 20000;

            sleep_us(step);
            pause_us -= step;
            reap(false);
            if (deadline && now() >= deadline) {
                __atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
                stopped_at = 1;
            }
        }
        /* Kill a worker or a twin at a random point of its life. */
        if (!stopping() && chance(&rng, 2, 3)) {
            pid_t victim = 0;
            int n = 0;

            for (i = 0; i < MAX_PIDS; i++) {
                pid_t pid = __atomic_load_n(&sh->pids[i], __ATOMIC_SEQ_CST);

                if (pid > 0 && rnd(&rng, ++n) == 0) {
                    victim = pid;
                }
            }
            if (victim > 0) {
                kill(victim, SIGKILL);
            }
        }
        reap(false);
    }

    /* Let the workers finish by themselves for a while, then kill them;
     * a process that does not die even then is stuck in the kernel. */
    wait_all(20);
    kill_all();
    left = wait_all(30);
    if (left) {
        printf("kni-fuzz: %d processes did not exit after SIGKILL:\n", left);
        for (i = 0; i < MAX_PIDS; i++) {
            if (sh->pids[i] > 0) {
                print_stacks(sh->pids[i]);
            }
        }
    }
    for (i = 0; i < 100 && reap(false) >= 0; i++) {
        if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD) {
            break;
        }
        kill_all();
        sleep_us(50000);
    }

    print_counts(now() - start);
    if (stopped_at && opt_verbose) {
        say("stopped by --time");
    }
    for (i = 0; i < N_ANOMALIES; i++) {
        check(!sh->anomalies[i], "%s: %"PRIu64, anomaly_names[i],
              sh->anomalies[i]);
    }
    check(!stuck, "operations went on (none for 120 s: %s)",
          stuck ? "stuck" : "no");
    check(!left, "every worker exited after SIGKILL (%d did not)", left);
    if (opt_check && !left) {
        final_checks();
    }
    printf("kni-fuzz: seed %"PRIu64": %s\n", opt_seed,
           n_failed ? "FAILED" : "passed");
    return n_failed ? 1 : 0;
}
