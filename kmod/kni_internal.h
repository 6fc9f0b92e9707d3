/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kni: kernel NIC interface module, internal declarations.
 */
#ifndef _KNI_INTERNAL_H
#define _KNI_INTERNAL_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/netdevice.h>
#include <linux/sched.h>
#include <linux/u64_stats_sync.h>
#include <linux/xarray.h>

#include "uapi/kni.h"
#include "compat.h"

#ifdef KNI_ABI_REPORT
#define KNI_ABI_REPORTED	KNI_ABI_REPORT
#else
#define KNI_ABI_REPORTED	KNI_ABI_VERSION
#endif

#define KNI_DRV_VERSION		"0.2"
#define KNI_BUF_SIZE_MIN	64
#define KNI_BUF_SIZE_MAX	65536
#define KNI_MAX_DEVS		1024	/* devices per file */
#define KNI_RX_BATCH		32	/* rx descriptors per device per round */
#define KNI_DESC_F_OFFLOADS	(KNI_DESC_F_CSUM_PARTIAL | \
				 KNI_DESC_F_CSUM_VALID | KNI_DESC_F_HASH)
/*
 * Each device's rings are mapped at dev id * KNI_MMAP_STRIDE; the file's
 * event ring at 0.
 */
#define KNI_MMAP_STRIDE		(1ULL << 32)
/* kni_dev_kick(): every queue (KNI_QUEUE_NONE: none). */
#define KNI_QUEUE_ALL		U32_MAX

enum kni_lo_mode {
	KNI_LO_NONE,
	KNI_LO_FIFO,
	KNI_LO_FIFO_SKB,
};

extern enum kni_lo_mode kni_lo;
extern bool kni_kthread_multiple;
extern bool kni_rx_napi;
extern bool kni_carrier_on;
extern unsigned int kni_poll_us;
extern unsigned int kni_max_pinned_mb;
extern unsigned int kni_max_pinned_mb_user;

/*
 * Pages shared with userspace: mapped into the kernel with vmap() and into
 * userspace page by page, so a mapping outlives the kernel's use.
 */
struct kni_shmem {
	struct page **pages;
	unsigned int npages;
	void *kaddr;
};

/* Pinned memory one user has registered, against max_pinned_mb_user. */
struct kni_user {
	kuid_t uid;
	refcount_t ref;
	atomic_long_t pinned;	/* pages */
};

/* One registered, pinned and kernel-mapped range of a process's memory. */
struct kni_region {
	u64 addr;		/* userspace address */
	u64 len;
	u32 id;
	unsigned long npages;
	struct page **pages;
	void *kaddr;		/* vmap() of pages */
	struct user_struct *locked_user;	/* RLIMIT_MEMLOCK charge */
	struct kni_user *user;	/* max_pinned_mb_user charge */
};

/* Immutable table of a file's regions sorted by addr, replaced under RCU. */
struct kni_region_table {
	struct rcu_head rcu;
	unsigned int n;
	struct kni_region *r[];
};

/* The kernel's private view of one shared ring. */
struct kni_kring {
	u32 *producer;
	u32 *consumer;
	u32 *flags;
	void *desc;
	u32 mask;
	u32 cached;		/* own index: producer or consumer */
};

struct kni_file;
struct kni_kthread;

/* Counters of one receive queue, written by its one consumer. */
struct kni_rx_counters {
	struct u64_stats_sync syncp;
	u64_stats_t packets, bytes, bad_desc, nomem, dropped, comp_full;
};

/* Counters of one transmit queue, written under its lock. */
struct kni_tx_counters {
	struct u64_stats_sync syncp;
	u64_stats_t packets, bytes, no_fill, ring_full, too_big, dropped;
	u64_stats_t stopped, fill_bad_desc, fill_too_small;
};

/*
 * A receive queue (userspace -> kernel): its rx and comp rings.  lock makes
 * the rx ring's consumer one: the queue's NAPI poll, the receive thread, or
 * a drain while the interface is down or gone.
 */
struct kni_rxq {
	struct kni_dev *kd;
	u16 index;
	spinlock_t lock;
	struct kni_kring rx, comp;
	struct kni_rx_counters c;
} ____cacheline_aligned_in_smp;

/*
 * A transmit queue (kernel -> userspace): tx ring production and fill ring
 * consumption, under lock.
 */
struct kni_txq {
	spinlock_t lock;
	struct kni_kring tx, fill;
	struct kni_tx_counters c;
} ____cacheline_aligned_in_smp;

/*
 * A kni device: its rings and state.  It has a reference count of its
 * own, apart from the net_device (as tun keeps tun_file): the file holds
 * one from create to release, the net_device one until it is freed.  The
 * net_device may go first (ip link del, the end of its network namespace);
 * the rings and the id then stay until the owner releases the device.
 */
struct kni_dev {
	struct rcu_head rcu;
	refcount_t ref;
	struct kni_file *kf;
	u32 id;
	bool dead;		/* released by the owner: drop, never post */
	bool from_user;		/* RTNL held: a change made by an ioctl */
	bool registered;	/* the net_device was registered once */

	/* NULL once deleted; written under RTNL, read under RCU. */
	struct net_device __rcu *netdev;

	u32 ring_size;
	u32 offloads;		/* KNI_OFFLOAD_*, fixed at create */
	u32 buf_size;		/* WRITE_ONCE under every txq lock */
	u32 policy;		/* KNI_POLICY_*, under RTNL */
	u32 max_mtu_policy;	/* the owner's max_mtu; 0: the buffers' */
	u32 speed;		/* ethtool; Mb/s, 0 unknown */
	u8 duplex;

	/* Rings, in pages mapped by userspace. */
	struct kni_shmem ring_mem;
	struct kni_ring_offsets off;
	u16 n_rxq, n_txq;	/* fixed at create, 1..KNI_MAX_QUEUES */
	struct kni_rxq *rxq;
	struct kni_txq *txq;

	/*
	 * Receive: served by one kthread, or (kthread_mode=none) by each
	 * queue's NAPI, scheduled by the owner's kick on its own CPU.
	 */
	struct kni_kthread *kt;
	struct list_head kt_node;	/* kt->devs, RCU */

	atomic64_t kicks;
	atomic64_t events;
};

/* Private part of a kni net_device. */
struct kni_priv {
	struct kni_dev *kd;
	struct napi_struct napi[];	/* per rx queue, kthread_mode=none */
};

static inline struct kni_priv *kni_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

/* Per open file of /dev/kni. */
struct kni_file {
	struct mutex lock;	/* devs and regions updates */
	struct xarray devs;	/* id -> kni_dev; RCU for readers */
	unsigned int n_devs;
	u32 next_dev_id;
	u32 next_region_id;
	struct kni_region_table __rcu *regions;

	/* Events, kernel -> userspace; produced under event_lock. */
	spinlock_t event_lock;
	struct kni_shmem event_mem;
	struct kni_event_ring event_info;
	struct kni_kring events;
	wait_queue_head_t poll_wq;
};

/* A kernel receive thread serving one (multiple) or all (single) devices. */
struct kni_kthread {
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t kicked;
	spinlock_t lock;	/* devs updates */
	struct list_head devs;	/* RCU */
};

/* kni_main.c */
int kni_shmem_alloc(struct kni_shmem *m, size_t size);
void kni_shmem_free(struct kni_shmem *m);
size_t kni_ring_layout(struct kni_ring_offset *o, size_t pos, u32 entries,
		       size_t entry_size);
void kni_kring_init(struct kni_kring *r, void *mem,
		    const struct kni_ring_offset *o, u32 entries);

/* kni_mem.c */
int kni_mem_reg(struct kni_file *kf, struct kni_mem_reg __user *uarg);
int kni_mem_unreg(struct kni_file *kf, u32 id);
void kni_mem_release_all(struct kni_file *kf);
void *kni_mem_lookup(struct kni_file *kf, u64 addr, u32 len);
void kni_mem_exit(void);

/* kni_net.c */
int kni_net_init(void);
void kni_net_exit(void);
int kni_dev_create(struct kni_file *kf, struct kni_create __user *uarg);
int kni_dev_release(struct kni_file *kf, u32 id);
void kni_dev_release_all(struct kni_file *kf);
struct kni_dev *kni_dev_get(struct kni_file *kf, u32 id);
void kni_dev_put(struct kni_dev *kd);
int kni_dev_set_mtu(struct kni_dev *kd, u32 mtu);
int kni_dev_set_mac(struct kni_dev *kd, const u8 *mac);
int kni_dev_set_policy(struct kni_dev *kd, const struct kni_policy *p);
int kni_dev_set_link(struct kni_dev *kd, const struct kni_link *l);
int kni_dev_set_buf_size(struct kni_dev *kd, u32 buf_size);
int kni_dev_set_core(struct kni_dev *kd, const struct kni_core *c);
int kni_check_core(u32 core_id);
void kni_dev_get_info(struct kni_dev *kd, struct kni_info *info);
void kni_dev_get_addrs(struct kni_dev *kd, struct kni_addrs *a);
void kni_dev_get_stats(struct kni_dev *kd, struct kni_stats *st);
void kni_dev_kick(struct kni_dev *kd, u32 rxq, u32 txq);
bool kni_tx_frame(struct kni_dev *kd, struct kni_txq *q, struct sk_buff *skb,
		  const void *data, u32 len);
void kni_event_post(struct kni_dev *kd, u32 type, u32 value, u32 aux,
		    const u8 *mac);

/* kni_rx.c */
int kni_kthread_attach(struct kni_dev *kd, const char *name, bool force_bind,
		       u32 core_id);
void kni_kthread_detach(struct kni_dev *kd);
void kni_kthread_put(struct kni_dev *kd);
int kni_kthread_set_core(struct kni_dev *kd, bool bind, u32 core_id);
void kni_kthread_exit(void);
int kni_napi_poll(struct napi_struct *napi, int budget);
void kni_rx_kick(struct kni_rxq *q, struct net_device *dev);
void kni_rx_drain(struct kni_rxq *q);

/*
 * Ring helpers: the kernel never trusts an index userspace wrote.  Indices
 * are read with acquire and published with release semantics, pairing with
 * userspace's release of its own index and acquire of ours: the entries
 * (and buffer contents) written before an index store are visible to the
 * side that loads the index.
 */
static inline u32 kni_kring_cons_avail(struct kni_kring *r, u32 max)
{
	/* Pairs with the producer's release: entries up to it are written. */
	u32 n = smp_load_acquire(r->producer) - r->cached;

	if (n > r->mask + 1)	/* bogus producer index: nothing to read */
		return 0;
	return min(n, max);
}

static inline void kni_kring_cons_release(struct kni_kring *r, u32 n)
{
	r->cached += n;
	/* Our reads of the entries (and buffers) happen before the reuse. */
	smp_store_release(r->consumer, r->cached);
}

static inline u32 kni_kring_prod_free(struct kni_kring *r)
{
	/* Pairs with the consumer's release: freed entries are done with. */
	u32 used = r->cached - smp_load_acquire(r->consumer);

	if (used > r->mask + 1)	/* bogus consumer index: treat as full */
		return 0;
	return r->mask + 1 - used;
}

static inline void kni_kring_prod_submit(struct kni_kring *r, u32 n)
{
	r->cached += n;
	/* Entries written before are visible to whoever sees the index. */
	smp_store_release(r->producer, r->cached);
}

static inline struct kni_desc *kni_kring_desc(struct kni_kring *r, u32 idx)
{
	return (struct kni_desc *)r->desc + (idx & r->mask);
}

/*
 * Sets or clears NEED_WAKEUP on @r.  Setting it is followed by a full
 * barrier: the caller then looks at the ring once more before it stops,
 * pairing with userspace's barrier between moving its index and reading
 * the flag.
 */
static inline void kni_kring_need_wakeup(struct kni_kring *r, bool on)
{
	if (on) {
		WRITE_ONCE(*r->flags, KNI_RING_F_NEED_WAKEUP);
		/* Flag before the index read; pairs with userspace's fence. */
		smp_mb();
	} else if (READ_ONCE(*r->flags)) {
		WRITE_ONCE(*r->flags, 0);
	}
}

/*
 * Copies a descriptor out of shared memory once; use only the copy.
 * Returns false if a reserved field or a flag outside @flags is set, or
 * (@offloads false) an offload field.
 */
static inline bool kni_desc_read(struct kni_desc *dst,
				 const struct kni_desc *src, u16 flags,
				 bool offloads)
{
	dst->addr = READ_ONCE(src->addr);
	dst->cookie = READ_ONCE(src->cookie);
	dst->len = READ_ONCE(src->len);
	dst->flags = READ_ONCE(src->flags);
	dst->gso_type = READ_ONCE(src->gso_type);
	dst->rsvd0 = READ_ONCE(src->rsvd0);
	dst->csum_start = READ_ONCE(src->csum_start);
	dst->csum_offset = READ_ONCE(src->csum_offset);
	dst->gso_size = READ_ONCE(src->gso_size);
	dst->rsvd1 = READ_ONCE(src->rsvd1);
	dst->hash = READ_ONCE(src->hash);
	dst->rsvd2 = READ_ONCE(src->rsvd2);
	if (dst->flags & ~flags || dst->rsvd0 || dst->rsvd1 || dst->rsvd2)
		return false;
	return offloads || (!dst->gso_type && !dst->csum_start &&
			    !dst->csum_offset && !dst->gso_size && !dst->hash);
}

/*
 * Writes a descriptor with @addr, @cookie, @len and @flags, the rest 0
 * (kni_desc_write_offloads() then sets the offload fields).
 */
static inline void kni_desc_write(struct kni_desc *dst, u64 addr, u64 cookie,
				  u32 len, u16 flags)
{
	WRITE_ONCE(dst->addr, addr);
	WRITE_ONCE(dst->cookie, cookie);
	WRITE_ONCE(dst->len, len);
	WRITE_ONCE(dst->flags, flags);
	WRITE_ONCE(dst->gso_type, 0);
	WRITE_ONCE(dst->rsvd0, 0);
	WRITE_ONCE(dst->csum_start, 0);
	WRITE_ONCE(dst->csum_offset, 0);
	WRITE_ONCE(dst->gso_size, 0);
	WRITE_ONCE(dst->rsvd1, 0);
	WRITE_ONCE(dst->hash, 0);
	WRITE_ONCE(dst->rsvd2, 0);
}

static inline void kni_stat_inc(struct u64_stats_sync *syncp, u64_stats_t *c)
{
	u64_stats_update_begin(syncp);
	u64_stats_inc(c);
	u64_stats_update_end(syncp);
}

static inline void kni_stat_add(struct u64_stats_sync *syncp, u64_stats_t *c,
				u64 v)
{
	u64_stats_update_begin(syncp);
	u64_stats_add(c, v);
	u64_stats_update_end(syncp);
}

#endif /* _KNI_INTERNAL_H */
