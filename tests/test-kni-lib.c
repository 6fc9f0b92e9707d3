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

/* Tests of the userspace KNI library (lib/kni.c) against the real kni
 * module: run as root where the module is loaded (in the test guest).
 *
 *   test-kni-lib [EAL ARGS...]
 *
 * Without arguments EAL runs with --no-huge (IOVA as VA).  The kernel side
 * is checked through ordinary sockets and ip(8): frames the stack sends on
 * the device must come out of kni_rx_burst() with their contents, frames
 * given to kni_tx_burst() must reach a socket, and every mbuf must be back
 * in its pool after the device is released. */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "kni.h"

#define DEV_NAME "ktl0"
#define SHELL_PATH "/bin/sh"
#define MISSING_PATH "/nonexistent/kni"
#define NOT_KNI_PATH "/dev/null"
#define N_MBUFS 2047
#define RING_SIZE 256
#define N_FRAMES 20000

static const uint8_t dev_mac[6] = { 0x02, 0, 0, 0, 0x4b, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0x4b, 0x02 };

static int n_passed, n_failed;

static void __attribute__((format(printf, 2, 3)))
check(int ok, const char *format, ...)
{
    va_list args;

    printf("%s: ", ok ? "PASS" : "FAIL");
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
    if (ok) {
        n_passed++;
    } else {
        n_failed++;
    }
}

static int __attribute__((format(printf, 1, 2)))
shell(const char *format, ...)
{
    char cmd[512];
    va_list args;
    int status;

    va_start(args, format);
    vsnprintf(cmd, sizeof cmd, format, args);
    va_end(args);
    status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static long
read_sysfs_long(const char *attr)
{
    char path[128];
    long value = -1;
    FILE *f;

    snprintf(path, sizeof path, "/sys/class/net/%s/%s", DEV_NAME, attr);
    f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%ld", &value) != 1) {
            value = -1;
        }
        fclose(f);
    }
    return value;
}

/* Waits up to a second for an event of 'dev' of type 'type' and stores
 * it in '*ev'; returns false if none came. */
static bool
wait_event(struct kni_ctx *ctx, struct kni_dev *dev, uint32_t type,
           struct kni_event *ev)
{
    for (int i = 0; i < 100; i++) {
        struct pollfd pfd = { .fd = kni_ctx_fd(ctx), .events = POLLIN };

        poll(&pfd, 1, 10);
        while (kni_ctx_read_events(ctx, ev, 1)) {
            if (kni_ctx_find_dev(ctx, ev->dev_id) == dev
                && ev->type == type) {
                return true;
            }
        }
    }
    return false;
}

static uint16_t
ip_csum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons(~sum & 0xffff);
}

/* Writes an Ethernet/IPv4/UDP frame from the peer to the device into 'm'. */
static void
build_udp_to_kernel(struct rte_mbuf *m, const char *payload, uint16_t dport)
{
    size_t plen = strlen(payload);
    uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
    uint8_t *ip = f + 14, *udp = ip + 20;
    uint16_t ip_len = 20 + 8 + plen;
    uint16_t v;

    memcpy(f, dev_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;

    memset(ip, 0, 20);
    ip[0] = 0x45;
    v = htons(ip_len);
    memcpy(ip + 2, &v, 2);
    ip[8] = 64;
    ip[9] = IPPROTO_UDP;
    inet_pton(AF_INET, "10.99.0.2", ip + 12);
    inet_pton(AF_INET, "10.99.0.1", ip + 16);
    v = ip_csum(ip, 20);
    memcpy(ip + 10, &v, 2);

    v = htons(5555);
    memcpy(udp, &v, 2);
    v = htons(dport);
    memcpy(udp + 2, &v, 2);
    v = htons(8 + plen);
    memcpy(udp + 4, &v, 2);
    memset(udp + 6, 0, 2);          /* No UDP checksum. */
    memcpy(udp + 8, payload, plen);

    m->data_len = m->pkt_len = 14 + ip_len;
}

/* Returns true if 'm' is an IPv4 UDP frame to port 9999: the test's
 * traffic, as opposed to what the stack sends by itself. */
static bool
frame_is_test_udp(const struct rte_mbuf *m)
{
    const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);

    return m->data_len >= 14 + 20 + 8
           && f[12] == 0x08 && f[13] == 0x00 && f[14 + 9] == IPPROTO_UDP
           && f[14 + 20 + 2] == 9999 >> 8 && f[14 + 20 + 3] == (9999 & 0xff);
}

/* Checks that 'm' is the UDP frame the kernel sent for 'payload'. */
static bool
frame_matches(const struct rte_mbuf *m, const char *payload)
{
    const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
    size_t plen = strlen(payload);

    return m->data_len >= 14 + 20 + 8 + plen
           && !memcmp(f, peer_mac, 6) && !memcmp(f + 6, dev_mac, 6)
           && !memcmp(f + 14 + 20 + 8, payload, plen);
}

static void
test_open_errors(void)
{
    struct kni_ctx *ctx;
    char msg[256];
    int error;

    error = kni_ctx_open(MISSING_PATH, &ctx, msg, sizeof msg);
    check(error == ENOENT && strstr(msg, "not loaded"),
          "a missing device says the module is not loaded: %s", msg);

    error = kni_ctx_open(NOT_KNI_PATH, &ctx, msg, sizeof msg);
    check(error && strstr(msg, "not the ovs-kni module"),
          "a device that is not kni is refused: %s", msg);
}

/* Kernel -> userspace: the stack sends UDP datagrams on the device. */
static void
test_kernel_to_user(struct kni_dev *dev)
{
    struct sockaddr_in to = { .sin_family = AF_INET,
                              .sin_port = htons(9999) };
    unsigned int received = 0, bad = 0, other = 0;
    struct rte_mbuf *pkts[32];
    char payload[64];
    int fd;

    inet_pton(AF_INET, "10.99.0.2", &to.sin_addr);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    for (unsigned int i = 0; i < N_FRAMES; i++) {
        snprintf(payload, sizeof payload, "from-kernel-%u", i);
        if (sendto(fd, payload, strlen(payload), 0, (struct sockaddr *) &to,
                   sizeof to) < 0) {
            bad++;
        }
        if (i % 32 == 31 || i == N_FRAMES - 1) {
            unsigned int n;

            while ((n = kni_rx_burst(dev, pkts, 32)) > 0) {
                for (unsigned int j = 0; j < n; j++) {
                    if (!frame_is_test_udp(pkts[j])) {
                        other++;
                        continue;
                    }
                    snprintf(payload, sizeof payload, "from-kernel-%u",
                             received);
                    if (!frame_matches(pkts[j], payload)) {
                        bad++;
                    }
                    received++;
                }
                rte_pktmbuf_free_bulk(pkts, n);
            }
        }
    }
    close(fd);
    check(received == N_FRAMES && !bad,
          "kernel to userspace: %u of %u frames, in order, %u bad "
          "(and %u frames the stack sent by itself)",
          received, N_FRAMES, bad, other);
}

/* Larger buffers from another mempool, in place: the device keeps its
 * ifindex, the old buffers all come back, and a jumbo datagram from the
 * kernel arrives whole in a buffer of the new mempool. */
static void
test_set_mempool(struct kni_dev *dev, struct rte_mempool *mp,
                 struct rte_mempool *big_mp, struct kni_ctx *ctx)
{
    struct sockaddr_in to = { .sin_family = AF_INET,
                              .sin_port = htons(9999) };
    int ifindex = kni_dev_ifindex(dev);
    unsigned int got = 0, len = 0;
    bool big = false;
    static char payload[8000];
    struct rte_mbuf *pkts[32];
    int error, fd;

    error = kni_dev_set_mempool(dev, big_mp);
    check(error == ENOENT, "an unregistered mempool refused: %s",
          rte_strerror(error));
    check(!kni_register_mempool(ctx, big_mp), "large mempool registered");
    error = kni_dev_set_mempool(dev, big_mp);
    check(!error && kni_dev_buf_size(dev) == 9216,
          "buffers of %u bytes from the large mempool: %s",
          kni_dev_buf_size(dev), rte_strerror(error));
    check(!kni_dev_set_mtu(dev, 9000) && read_sysfs_long("mtu") == 9000,
          "MTU 9000 from userspace");
    check((int) if_nametoindex(DEV_NAME) == ifindex, "same ifindex %d",
          ifindex);

    /* The old buffers came back on the tx ring, which they may fill: take
     * them, as a poller would (a burst counts only frames). */
    for (int i = 0; i < 2 * RING_SIZE / 32; i++) {
        rte_pktmbuf_free_bulk(pkts, kni_rx_burst(dev, pkts, 32));
    }
    check(rte_mempool_avail_count(mp) == N_MBUFS,
          "every buffer of the first mempool came back: %u of %u",
          rte_mempool_avail_count(mp), N_MBUFS);

    memset(payload, 'j', sizeof payload);
    inet_pton(AF_INET, "10.99.0.2", &to.sin_addr);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER,
               &(int) { IP_PMTUDISC_DO }, sizeof(int));
    check(sendto(fd, payload, sizeof payload, 0, (struct sockaddr *) &to,
                 sizeof to) == sizeof payload, "8000-byte datagram sent");
    close(fd);
    for (int i = 0; i < 1000 && !got; i++) {
        unsigned int n = kni_rx_burst(dev, pkts, 32);

        for (unsigned int j = 0; j < n; j++) {
            if (frame_is_test_udp(pkts[j])) {
                got++;
                len = rte_pktmbuf_data_len(pkts[j]);
                big = pkts[j]->pool == big_mp;
            }
        }
        rte_pktmbuf_free_bulk(pkts, n);
        if (!got) {
            usleep(1000);
        }
    }
    check(got == 1 && len == 14 + 20 + 8 + sizeof payload && big,
          "the jumbo frame arrived whole (%u frames, %u bytes), in a buffer "
          "of the large mempool (%s)", got, len, big ? "yes" : "no");
}

/* Userspace -> kernel: UDP datagrams given to kni_tx_burst() reach a
 * socket bound on the device's address. */
static void
test_user_to_kernel(struct kni_dev *dev, struct rte_mempool *mp)
{
    struct sockaddr_in addr = { .sin_family = AF_INET,
                                .sin_port = htons(7777) };
    unsigned int sent = 0, received = 0, bad = 0, stalls = 0;
    char payload[64], buf[128];
    int fd;

    inet_pton(AF_INET, "10.99.0.1", &addr.sin_addr);
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr)) {
        check(0, "bind 10.99.0.1:7777: %s", rte_strerror(errno));
        return;
    }
    /* Room for every datagram the module may deliver between two reads:
     * SO_RCVBUF alone is capped by net.core.rmem_max (208 kB). */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int) { 8 << 20 },
                   sizeof(int))) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int) { 8 << 20 },
                   sizeof(int));
    }

    while (received < N_FRAMES && stalls < 2000) {
        struct rte_mbuf *pkts[32];
        unsigned int n = 0, taken;
        ssize_t len;

        while (n < 32 && sent + n < N_FRAMES) {
            pkts[n] = rte_pktmbuf_alloc(mp);
            if (!pkts[n]) {
                break;
            }
            snprintf(payload, sizeof payload, "to-kernel-%u", sent + n);
            build_udp_to_kernel(pkts[n], payload, 7777);
            n++;
        }
        taken = kni_tx_burst(dev, pkts, n);
        rte_pktmbuf_free_bulk(pkts + taken, n - taken);
        sent += taken;

        bool progress = taken > 0;
        while ((len = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
            buf[len] = '\0';
            snprintf(payload, sizeof payload, "to-kernel-%u", received);
            if (strcmp(buf, payload)) {
                bad++;
            }
            received++;
            progress = true;
        }
        if (!progress) {
            stalls++;
            usleep(1000);
        }
    }
    close(fd);
    check(received == N_FRAMES && !bad,
          "userspace to kernel: %u sent, %u of %u received in order, "
          "%u bad", sent, received, N_FRAMES, bad);
}

/* Offloads through the library: a UDP datagram whose checksum field holds
 * only the pseudo header's sum reaches a socket when the mbuf asks for the
 * checksum (RTE_MBUF_F_TX_UDP_CKSUM) and is dropped when it does not; the
 * IPv4 header checksum is filled in for RTE_MBUF_F_TX_IP_CKSUM; datagrams
 * the stack sends leave their checksum to us (RTE_MBUF_F_RX_L4_CKSUM_NONE,
 * with the packet type and header lengths of where it goes) and carry the
 * flow hash. */
static void
test_offloads(struct kni_ctx *ctx, struct rte_mempool *mp)
{
    struct sockaddr_in addr = { .sin_family = AF_INET,
                                .sin_port = htons(7778) };
    struct sockaddr_in to = { .sin_family = AF_INET,
                              .sin_port = htons(9999) };
    struct kni_dev_conf conf;
    struct kni_dev *dev;
    int error, fd, got[2] = { 0, 0 };
    char buf[64];

    memset(&conf, 0, sizeof conf);
    conf.name = DEV_NAME;
    conf.mp = mp;
    conf.ring_size = 64;
    conf.mac_set = true;
    memcpy(conf.mac, dev_mac, 6);
    conf.offloads = KNI_OFFLOAD_CSUM | KNI_OFFLOAD_TSO | KNI_OFFLOAD_HASH;
    error = kni_dev_create(ctx, &conf, &dev);
    check(!error, "device with offloads created: %s", rte_strerror(error));
    if (error) {
        return;
    }
    kni_dev_set_carrier(dev, true);
    check(!shell("ip link set " DEV_NAME " up && ip addr add 10.99.0.1/24 "
                 "dev " DEV_NAME " && ip neigh replace 10.99.0.2 lladdr "
                 "02:00:00:00:4b:02 dev " DEV_NAME " nud permanent"),
          "offload device configured");

    inet_pton(AF_INET, "10.99.0.1", &addr.sin_addr);
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr)) {
        check(0, "bind 10.99.0.1:7778: %s", rte_strerror(errno));
        close(fd);
        kni_dev_release(dev);
        return;
    }
    for (int with = 1; with >= 0; with--) {
        struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
        struct rte_ipv4_hdr *ip;
        struct rte_udp_hdr *udp;

        build_udp_to_kernel(m, with ? "csum-left-to-kernel"
                                    : "csum-wrong", 7778);
        ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
        udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 34);
        ip->hdr_checksum = 0;
        m->l2_len = 14;
        m->l3_len = 20;
        m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM
                      | (with ? RTE_MBUF_F_TX_UDP_CKSUM : 0);
        udp->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
        if (kni_tx_burst(dev, &m, 1) != 1) {
            rte_pktmbuf_free(m);
        }
        for (int i = 0; i < 200 && !got[with]; i++) {
            ssize_t len = recv(fd, buf, sizeof buf - 1, 0);

            if (len > 0) {
                buf[len] = '\0';
                got[with] = 1 + strcmp(buf, with ? "csum-left-to-kernel"
                                                 : "csum-wrong");
            } else {
                usleep(1000);
                kni_tx_burst(dev, NULL, 0);     /* Takes comp back. */
            }
        }
    }
    check(got[1] == 1, "a datagram with its checksum left to the kernel "
          "(only the pseudo header summed) reached the socket");
    check(got[0] == 0, "the same without RTE_MBUF_F_TX_UDP_CKSUM was "
          "dropped for its checksum");
    close(fd);

    unsigned int partial = 0, typed = 0, hashed = 0, seen = 0;

    inet_pton(AF_INET, "10.99.0.2", &to.sin_addr);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    for (int i = 0; i < 8; i++) {
        sendto(fd, "to-peer", 7, 0, (struct sockaddr *) &to, sizeof to);
    }
    close(fd);
    for (int i = 0; i < 200 && seen < 8; i++) {
        struct rte_mbuf *pkts[32];
        unsigned int n = kni_rx_burst(dev, pkts, 32);

        for (unsigned int j = 0; j < n; j++) {
            if (frame_is_test_udp(pkts[j])) {
                uint64_t ol = pkts[j]->ol_flags;

                seen++;
                partial += (ol & RTE_MBUF_F_RX_L4_CKSUM_MASK)
                           == RTE_MBUF_F_RX_L4_CKSUM_NONE;
                typed += ((pkts[j]->packet_type & RTE_PTYPE_L4_MASK)
                          == RTE_PTYPE_L4_UDP
                          && RTE_ETH_IS_IPV4_HDR(pkts[j]->packet_type)
                          && pkts[j]->l2_len == 14
                          && pkts[j]->l3_len == 20
                          && pkts[j]->l4_len == 8);
                hashed += !!(ol & RTE_MBUF_F_RX_RSS_HASH);
            }
        }
        rte_pktmbuf_free_bulk(pkts, n);
        if (!n) {
            usleep(1000);
        }
    }
    check(seen == 8 && partial == 8 && typed == 8 && hashed == 8,
          "datagrams from the stack: %u of 8, %u with the checksum left "
          "to do, %u with IPv4/UDP type and header lengths, %u with a hash",
          seen, partial, typed, hashed);
    kni_dev_release(dev);
}

int
main(int argc, char *argv[])
{
    char *default_args[] = {
        argv[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
        "--no-telemetry", "--log-level=error", "--legacy-mem", NULL,
    };
    struct rte_mempool *mp, *other_mp, *big_mp;
    struct kni_dev_conf conf;
    struct kni_dev_ustats us;
    struct kni_dev *dev, *dup;
    struct kni_stats ks;
    struct kni_ctx *ctx;
    struct kni_event ev;
    struct kni_info info;
    char msg[256];
    int error;

    if (argc < 2) {
        argc = sizeof default_args / sizeof default_args[0] - 1;
        argv = default_args;
    }
    if (rte_eal_init(argc, argv) < 0) {
        fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
        return EXIT_FAILURE;
    }
    printf("IOVA mode: %s\n", rte_eal_iova_mode() == RTE_IOVA_PA ? "PA"
                                                                  : "VA");

    test_open_errors();

    error = kni_ctx_open(NULL, &ctx, msg, sizeof msg);
    check(!error, "open %s: %s", KNI_DEVICE_PATH, error ? msg : "ok");
    if (error) {
        goto out;
    }
    check(kni_ctx_abi_version(ctx) == KNI_ABI_VERSION, "ABI version %u",
          kni_ctx_abi_version(ctx));

    mp = rte_pktmbuf_pool_create("kni_test", N_MBUFS, 0, 0,
                                 RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    other_mp = rte_pktmbuf_pool_create("kni_other", 63, 0, 0,
                                       RTE_MBUF_DEFAULT_BUF_SIZE,
                                       SOCKET_ID_ANY);
    big_mp = rte_pktmbuf_pool_create("kni_big", 511, 0, 0,
                                     RTE_PKTMBUF_HEADROOM + 9216,
                                     SOCKET_ID_ANY);
    check(mp && other_mp && big_mp, "mempools created");
    if (!mp || !other_mp || !big_mp) {
        goto out;
    }
    check(!kni_register_mempool(ctx, mp), "mempool registered");
    check(!kni_register_mempool(ctx, mp), "registering twice is a no-op");

    memset(&conf, 0, sizeof conf);
    conf.name = DEV_NAME;
    conf.mp = mp;
    conf.ring_size = RING_SIZE;
    conf.policy = KNI_POLICY_MAC | KNI_POLICY_RX_MODE;
    conf.mac_set = true;
    memcpy(conf.mac, dev_mac, 6);
    error = kni_dev_create(ctx, &conf, &dev);
    check(!error, "device %s created: %s", DEV_NAME, rte_strerror(error));
    if (error) {
        goto out;
    }
    check(kni_dev_ifindex(dev) == (int) if_nametoindex(DEV_NAME),
          "ifindex %d matches the kernel's", kni_dev_ifindex(dev));
    check(kni_dev_ring_size(dev) == RING_SIZE, "ring size %u",
          kni_dev_ring_size(dev));
    check(rte_mempool_avail_count(mp) == N_MBUFS - RING_SIZE,
          "fill ring primed: %u mbufs left in the pool",
          rte_mempool_avail_count(mp));

    error = kni_dev_create(ctx, &conf, &dup);
    check(error == EEXIST, "a second device of the same name: %s",
          rte_strerror(error));
    conf.name = "name-of-16-bytes";
    error = kni_dev_create(ctx, &conf, &dup);
    check(error == EINVAL, "a 16-byte name: %s", rte_strerror(error));
    conf.name = DEV_NAME;
    conf.mp = other_mp;
    error = kni_dev_create(ctx, &conf, &dup);
    check(error == ENXIO, "an unregistered mempool: %s", rte_strerror(error));

    check(kni_ctx_find_dev(ctx, kni_dev_id(dev)) == dev,
          "the device is found by its id");
    check(!shell("ip link set " DEV_NAME " up")
          && wait_event(ctx, dev, KNI_EVENT_UP, &ev) && ev.value == 1,
          "ip link set up: event UP");
    check(!shell("ip link set " DEV_NAME " mtu 1300")
          && wait_event(ctx, dev, KNI_EVENT_MTU, &ev) && ev.value == 1300,
          "ip link set mtu 1300: event MTU 1300");

    check(!kni_dev_set_carrier(dev, true) && read_sysfs_long("carrier") == 1,
          "carrier on from userspace");
    check(!kni_dev_set_mtu(dev, 1400) && read_sysfs_long("mtu") == 1400,
          "MTU 1400 from userspace");
    check(!kni_dev_set_link(dev, true, 1000, KNI_DUPLEX_FULL)
          && !kni_dev_get_info(dev, &info) && info.speed == 1000
          && info.mtu == 1400 && info.flags & KNI_INFO_F_CARRIER,
          "speed 1000 from userspace, read back with the MTU and carrier");
    check(!kni_dev_set_carrier(dev, true) && !kni_dev_get_info(dev, &info)
          && info.speed == 1000, "carrier keeps the speed");
    /* (Address list events from the interface's IPv6 multicast groups may
     * come at any time.) */
    bool echoed = false;

    while (kni_ctx_read_events(ctx, &ev, 1)) {
        echoed |= ev.type != KNI_EVENT_RX_MODE;
    }
    check(!echoed, "no event came back for carrier, link or MTU");
    check(!kni_dev_set_policy(dev, KNI_POLICY_RX_MODE, 0, 1450)
          && shell("ip link set " DEV_NAME " mtu 1451 2>/dev/null")
          && shell("ip link set " DEV_NAME " address 02:00:00:00:00:99 "
                   "2>/dev/null"),
          "policy: MTU up to 1450, MAC locked");
    check(!kni_dev_set_policy(dev, KNI_POLICY_MAC | KNI_POLICY_RX_MODE, 0, 0),
          "policy back to MAC changes and the full range");

    check(!shell("ip addr add 10.99.0.1/24 dev " DEV_NAME
                 " && ip neigh replace 10.99.0.2 lladdr "
                 "02:00:00:00:4b:02 dev " DEV_NAME " nud permanent"),
          "address and neighbour configured");

    test_kernel_to_user(dev);
    test_user_to_kernel(dev, mp);

    /* An mbuf from an unregistered pool is refused and stays ours. */
    struct rte_mbuf *m = rte_pktmbuf_alloc(other_mp);
    build_udp_to_kernel(m, "unregistered", 7777);
    check(kni_tx_burst(dev, &m, 1) == 0, "unregistered mbuf refused");
    rte_pktmbuf_free(m);
    kni_dev_get_ustats(dev, &us);
    check(us.tx_unregistered == 1, "tx_unregistered counted");

    check(!kni_dev_get_stats(dev, &ks), "kernel stats read");
    check(ks.rx_packets >= N_FRAMES && ks.tx_packets >= N_FRAMES
          && !ks.rx_bad_desc && !ks.fill_bad_desc,
          "kernel counters: rx %"PRIu64" tx %"PRIu64" bad %"PRIu64
          "/%"PRIu64, (uint64_t) ks.rx_packets, (uint64_t) ks.tx_packets,
          (uint64_t) ks.rx_bad_desc, (uint64_t) ks.fill_bad_desc);

    error = kni_unregister_mempool(ctx, mp);
    check(error == EBUSY, "mempool in use cannot be unregistered: %s",
          rte_strerror(error));

    test_set_mempool(dev, mp, big_mp, ctx);
    check(!kni_unregister_mempool(ctx, mp),
          "the first mempool, no longer in use, unregistered");

    kni_dev_release(dev);
    check(if_nametoindex(DEV_NAME) == 0, "device gone after release");
    check(rte_mempool_avail_count(big_mp) == 511,
          "every mbuf back in the pool: %u of 511",
          rte_mempool_avail_count(big_mp));
    test_offloads(ctx, big_mp);
    check(rte_mempool_avail_count(big_mp) == 511,
          "every mbuf back in the pool after the offload device: %u of 511",
          rte_mempool_avail_count(big_mp));
    check(!kni_unregister_mempool(ctx, big_mp), "mempool unregistered");
    kni_ctx_close(ctx);

out:
    printf("%d passed, %d failed\n", n_passed, n_failed);
    rte_eal_cleanup();
    return n_failed || !n_passed ? EXIT_FAILURE : EXIT_SUCCESS;
}
