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
#include <linux/netdevice.h>
#include <linux/sched.h>

#include "uapi/kni.h"
#include "compat.h"

#ifdef KNI_ABI_REPORT
#define KNI_ABI_REPORTED	KNI_ABI_REPORT
#else
#define KNI_ABI_REPORTED	KNI_ABI_VERSION
#endif

#define KNI_DRV_VERSION		"0.1"
#define KNI_BUF_SIZE_MIN	64
#define KNI_BUF_SIZE_MAX	65536
#define KNI_MAX_DEVS		1024	/* devices per file */
#define KNI_RX_BATCH		32	/* rx descriptors per device per round */
/* Each device's rings are mapped at dev id * KNI_MMAP_STRIDE. */
#define KNI_MMAP_STRIDE		(1ULL << 32)

enum kni_lo_mode {
	KNI_LO_NONE,
	KNI_LO_FIFO,
	KNI_LO_FIFO_SKB,
};

extern enum kni_lo_mode kni_lo;
extern bool kni_kthread_multiple;
extern bool kni_carrier_on;
extern unsigned int kni_req_timeout_ms;
extern unsigned int kni_poll_us;
extern unsigned int kni_max_pinned_mb;

/* One registered, pinned and kernel-mapped range of a process's memory. */
struct kni_region {
	u64 addr;		/* userspace address */
	u64 len;
	u32 id;
	unsigned long npages;
	struct page **pages;
	void *kaddr;		/* vmap() of pages */
	struct mm_struct *mm;	/* for locked_vm accounting */
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

/* Counters; each is written by one context at a time (see kni_net.c). */
struct kni_counters {
	u64 rx_packets, rx_bytes, rx_bad_desc, rx_nomem, rx_dropped;
	u64 tx_packets, tx_bytes, tx_no_fill, tx_ring_full, tx_too_big;
	u64 fill_bad_desc, fill_too_small, comp_ring_full;
	u64 req_sent, req_timeout, req_bad_resp;
	atomic64_t kicks;
};

/* A kni net_device; lives in netdev_priv(). */
struct kni_dev {
	struct net_device *netdev;
	struct kni_file *kf;
	u32 id;
	u32 ring_size;
	u32 buf_size;
	bool dead;		/* being released: no requests, no rx */
	bool from_user;		/* RTNL held: change applied by an ioctl */
	struct list_head file_node;	/* kf->devs, RCU */

	/* Rings, in vmalloc_user() memory mapped by userspace. */
	void *ring_mem;
	size_t ring_mem_size;
	struct kni_ring_offsets off;
	struct kni_kring rx, tx, fill, comp, req, resp;
	struct mutex mmap_lock;	/* mmap vs. release */
	bool mmap_closed;

	/* Receive: served by one kthread. */
	struct kni_kthread *kt;
	struct list_head kt_node;	/* kt->devs, RCU */

	/* Transmit: tx ring production and fill ring consumption. */
	spinlock_t tx_lock;

	/* Requests: one outstanding at a time. */
	struct mutex req_lock;
	u32 req_seq;
	wait_queue_head_t req_wq;

	struct kni_counters c;
};

/* Per open file of /dev/kni. */
struct kni_file {
	struct mutex lock;	/* devs and regions updates */
	struct list_head devs;	/* RCU for readers */
	unsigned int n_devs;
	u32 next_dev_id;
	u32 next_region_id;
	struct kni_region_table __rcu *regions;
	wait_queue_head_t poll_wq;
	atomic_t req_waiting;	/* requests of this file waiting for answers */
};

/* A kernel receive thread serving one (multiple) or all (single) devices. */
struct kni_kthread {
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t kicked;
	spinlock_t lock;	/* devs updates */
	struct list_head devs;	/* RCU */
};

/* kni_mem.c */
int kni_mem_reg(struct kni_file *kf, struct kni_mem_reg __user *uarg);
int kni_mem_unreg(struct kni_file *kf, u32 id);
void kni_mem_release_all(struct kni_file *kf);
void *kni_mem_lookup(struct kni_file *kf, u64 addr, u32 len);

/* kni_net.c */
int kni_dev_create(struct kni_file *kf, struct kni_create __user *uarg);
void kni_dev_destroy(struct kni_dev *kd);
struct kni_dev *kni_dev_find_rcu(struct kni_file *kf, u32 id);
int kni_dev_set_mtu(struct kni_dev *kd, u32 mtu);
int kni_dev_set_mac(struct kni_dev *kd, const u8 *mac);
int kni_dev_set_buf_size(struct kni_dev *kd, u32 buf_size);
void kni_dev_set_carrier(struct kni_dev *kd, bool on);
void kni_dev_get_stats(struct kni_dev *kd, struct kni_stats *st);
void kni_dev_kick(struct kni_dev *kd);
bool kni_dev_req_pending(struct kni_dev *kd);
bool kni_tx_frame(struct kni_dev *kd, const struct sk_buff *skb,
		  const void *data, u32 len);

/* kni_rx.c */
int kni_kthread_attach(struct kni_dev *kd, bool force_bind, u32 core_id);
void kni_kthread_detach(struct kni_dev *kd);
void kni_kthread_exit(void);

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

static inline struct kni_req *kni_kring_req(struct kni_kring *r, u32 idx)
{
	return (struct kni_req *)r->desc + (idx & r->mask);
}

/* Copies a descriptor out of shared memory once; use only the copy. */
static inline void kni_desc_read(struct kni_desc *dst,
				 const struct kni_desc *src)
{
	dst->addr = READ_ONCE(src->addr);
	dst->len = READ_ONCE(src->len);
	dst->flags = READ_ONCE(src->flags);
	dst->pad = 0;
	dst->cookie = READ_ONCE(src->cookie);
	dst->rsvd = 0;
}

static inline void kni_desc_write(struct kni_desc *dst,
				  const struct kni_desc *src)
{
	WRITE_ONCE(dst->addr, src->addr);
	WRITE_ONCE(dst->len, src->len);
	WRITE_ONCE(dst->flags, src->flags);
	WRITE_ONCE(dst->pad, 0);
	WRITE_ONCE(dst->cookie, src->cookie);
	WRITE_ONCE(dst->rsvd, 0);
}

#define kni_count(kd, field)	WRITE_ONCE((kd)->c.field, (kd)->c.field + 1)
#define kni_count_add(kd, field, v) \
	WRITE_ONCE((kd)->c.field, (kd)->c.field + (v))

#endif /* _KNI_INTERNAL_H */
