// SPDX-License-Identifier: GPL-2.0
/*
 * kni: receive, by kernel threads or by NAPI.
 *
 * Receive takes frames userspace put on a receive queue's rx ring, turns
 * them into skbs (or, in the loopback modes, copies them to a tx ring) and
 * returns the buffers on the queue's comp ring.  kthread_mode=single runs
 * one thread for every device; kthread_mode=multiple runs one per device
 * (for all its queues), bound to core_id when the device asked for
 * force_bind.  kthread_mode=none runs no thread: the owner's KNI_IOC_KICK
 * schedules the queue's NAPI on the kicking CPU, where it runs before the
 * ioctl returns (as tun's NAPI mode does), and hands the frames to GRO.
 * NEED_WAKEUP then stays set on rx, so the owner kicks after every batch
 * it produces.
 *
 * Every loop has a bound: a round serves each queue at most KNI_RX_BATCH
 * descriptors with bottom halves off for that queue only, and the thread
 * reschedules between rounds.  A thread that cannot progress (every rx
 * ring empty, or its comp ring full) for kni_poll_us microseconds sets
 * KNI_RING_F_NEED_WAKEUP on the rings whose owner must move them, looks
 * once more, and sleeps until KNI_IOC_KICK: an idle device costs no CPU
 * time, and a full comp ring makes the thread sleep, not spin.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/kthread.h>
#include <linux/netdevice.h>
#include <linux/sched/clock.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "kni_internal.h"

static DEFINE_MUTEX(kni_single_lock);
static struct kni_kthread *kni_single;

/*
 * Checks the offload fields of rx descriptor @d against the device's
 * offloads: the flags and fields of one it was not created with, a
 * checksum outside the frame, segmentation without a checksum to do.
 */
static bool kni_rx_desc_ok(const struct kni_dev *kd, const struct kni_desc *d)
{
	u32 o = kd->offloads;

	if (d->flags & (KNI_DESC_F_CSUM_PARTIAL | KNI_DESC_F_CSUM_VALID) &&
	    !(o & KNI_OFFLOAD_CSUM))
		return false;
	if (d->flags & KNI_DESC_F_HASH ? !(o & KNI_OFFLOAD_HASH) : d->hash)
		return false;
	if (d->flags & KNI_DESC_F_CSUM_PARTIAL) {
		if ((u32)d->csum_start + d->csum_offset + sizeof(__sum16) >
		    d->len)
			return false;
	} else if (d->csum_start || d->csum_offset) {
		return false;
	}
	if (d->gso_type == KNI_GSO_NONE)
		return !d->gso_size;
	return o & KNI_OFFLOAD_TSO && d->gso_type <= KNI_GSO_UDP_L4 &&
	       d->gso_size && d->flags & KNI_DESC_F_CSUM_PARTIAL;
}

/*
 * The offloads of rx descriptor @d (checked) on @skb, whose data is at the
 * Ethernet header.  A segmentation request is untrusted (SKB_GSO_DODGY):
 * the stack checks the headers before it segments.
 */
static void kni_rx_offloads(struct sk_buff *skb, const struct kni_desc *d)
{
	static const u32 gso_types[] = {
		[KNI_GSO_TCPV4] = SKB_GSO_TCPV4,
		[KNI_GSO_TCPV6] = SKB_GSO_TCPV6,
		[KNI_GSO_UDP_L4] = SKB_GSO_UDP_L4,
	};

	if (d->flags & KNI_DESC_F_CSUM_PARTIAL)
		skb_partial_csum_set(skb, d->csum_start, d->csum_offset);
	else if (d->flags & KNI_DESC_F_CSUM_VALID)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (d->gso_type != KNI_GSO_NONE) {
		skb_shinfo(skb)->gso_size = d->gso_size;
		skb_shinfo(skb)->gso_type = gso_types[d->gso_type] |
					    SKB_GSO_DODGY;
		skb_shinfo(skb)->gso_segs = 0;
	}
	if (d->flags & KNI_DESC_F_HASH)
		skb_set_hash(skb, d->hash, PKT_HASH_TYPE_L4);
}

/*
 * A frame longer than KNI_RX_LINEAR goes into an skb whose head holds its
 * first KNI_RX_HEAD bytes (and at least the checksum field a checksum
 * offload names), the rest in page fragments, as virtio_net and tun build
 * theirs: a 64 kB segment then takes two 32 kB pages, not one 128 kB
 * kmalloc() block, and its truesize, which socket buffers are charged, is
 * about its length, not twice that.
 */
#define KNI_RX_LINEAR		2048
#define KNI_RX_HEAD		256
#define KNI_RX_FRAG_ORDER	PAGE_ALLOC_COSTLY_ORDER

/*
 * Copies @len bytes at @src to new page fragments of @skb.  Pages of
 * KNI_RX_FRAG_ORDER are tried first, single pages once one fails.  False
 * if memory or fragment slots ran out.
 */
static bool kni_rx_frags(struct sk_buff *skb, const u8 *src, u32 len)
{
	unsigned int order = KNI_RX_FRAG_ORDER;
	int i = skb_shinfo(skb)->nr_frags;

	while (len) {
		unsigned int o = min_t(unsigned int, order, get_order(len));
		struct page *page = NULL;
		u32 size, chunk;

		if (i >= MAX_SKB_FRAGS)
			return false;
		if (o) {
			page = alloc_pages(GFP_ATOMIC | __GFP_COMP |
					   __GFP_NOWARN | __GFP_NORETRY, o);
			if (!page)
				order = 0;
		}
		if (!page) {
			o = 0;
			page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
			if (!page)
				return false;
		}
		size = PAGE_SIZE << o;
		chunk = min(len, size);
		memcpy(page_address(page), src, chunk);
		skb_add_rx_frag(skb, i++, page, 0, chunk, size);
		src += chunk;
		len -= chunk;
	}
	return true;
}

static struct sk_buff *kni_rx_skb(struct kni_rxq *q, struct net_device *dev,
				  const void *src, const struct kni_desc *d)
{
	struct sk_buff *skb;
	u32 head = d->len;

	if (d->len > KNI_RX_LINEAR) {
		head = KNI_RX_HEAD;
		/* kni_rx_desc_ok() kept the checksum field inside the frame. */
		if (d->flags & KNI_DESC_F_CSUM_PARTIAL)
			head = max_t(u32, head, (u32)d->csum_start +
				     d->csum_offset + sizeof(__sum16));
	}
	skb = netdev_alloc_skb_ip_align(dev, head);
	if (!skb)
		goto nomem;
	skb_put_data(skb, src, head);
	if (head < d->len &&
	    !kni_rx_frags(skb, (const u8 *)src + head, d->len - head)) {
		kfree_skb(skb);
		goto nomem;
	}
	kni_rx_offloads(skb, d);
	skb_record_rx_queue(skb, q->index);
	return skb;

nomem:
	kni_stat_inc(&q->c.syncp, &q->c.nomem);
	return NULL;
}

/*
 * The frame of rx descriptor @d at @src (registered memory, RCU held) for
 * @dev, which is NULL once the net_device is gone; an skb for the stack
 * goes to GRO under NAPI (@napi), else on @list.  The loopback modes send
 * it back on the transmit queue of the same number (modulo their count).
 */
static void kni_rx_frame(struct kni_rxq *q, struct net_device *dev,
			 const void *src, const struct kni_desc *d,
			 struct napi_struct *napi, struct list_head *list)
{
	struct kni_dev *kd = q->kd;
	struct kni_txq *txq;
	struct sk_buff *skb;
	u32 len = d->len;

	if (!dev) {
		kni_stat_inc(&q->c.syncp, &q->c.dropped);
		return;
	}
	/* The test modes' transmit queue; unused by the stack's path. */
	txq = kni_lo == KNI_LO_NONE ? NULL : &kd->txq[q->index % kd->n_txq];
	switch (kni_lo) {
	case KNI_LO_FIFO:
		spin_lock(&txq->lock);
		kni_tx_frame(kd, txq, NULL, src, len);
		spin_unlock(&txq->lock);
		return;
	case KNI_LO_FIFO_SKB:
		skb = kni_rx_skb(q, dev, src, d);
		if (!skb)
			return;
		spin_lock(&txq->lock);
		kni_tx_frame(kd, txq, skb, NULL, skb->len);
		spin_unlock(&txq->lock);
		consume_skb(skb);
		return;
	case KNI_LO_NONE:
		break;
	}

	if (!netif_running(dev)) {
		kni_stat_inc(&q->c.syncp, &q->c.dropped);
		return;
	}
	skb = kni_rx_skb(q, dev, src, d);
	if (!skb)
		return;
	skb->protocol = eth_type_trans(skb, dev);
	u64_stats_update_begin(&q->c.syncp);
	u64_stats_inc(&q->c.packets);
	u64_stats_add(&q->c.bytes, len);
	u64_stats_update_end(&q->c.syncp);
	if (napi)
		napi_gro_receive(napi, skb);
	else
		list_add_tail(&skb->list, list);
}

/*
 * Serves up to @max (at most KNI_RX_BATCH) rx descriptors of queue @q, for
 * @napi's poll or, with @napi NULL, for a receive thread or a drain.  RCU
 * held, bottom halves off.  Every descriptor taken goes back on comp, so
 * never take more than comp has room for.  Without NAPI the stack gets the
 * batch's skbs here, in order: netif_rx() would queue them on this CPU's
 * backlog, and a batch queued on another CPU after the thread moved could
 * overtake it.
 */
static u32 kni_rx_queue(struct kni_rxq *q, struct napi_struct *napi, u32 max)
{
	struct kni_dev *kd = q->kd;
	struct net_device *dev = rcu_dereference(kd->netdev);
	LIST_HEAD(list);
	u32 n, room, i;

	spin_lock(&q->lock);
	n = kni_kring_cons_avail(&q->rx, max);
	if (!n)
		goto out;
	room = kni_kring_prod_free(&q->comp);
	if (room < n) {
		kni_stat_inc(&q->c.syncp, &q->c.comp_full);
		n = room;
		if (!n)
			goto out;
	}

	for (i = 0; i < n; i++) {
		const void *src = NULL;
		struct kni_desc d;
		u16 flags = 0;

		if (kni_desc_read(&d, kni_kring_desc(&q->rx, q->rx.cached + i),
				  KNI_DESC_F_OFFLOADS, true) &&
		    kni_rx_desc_ok(kd, &d) &&
		    d.len >= ETH_HLEN && d.len <= KNI_BUF_SIZE_MAX)
			src = kni_mem_lookup(kd->kf, d.addr, d.len);
		if (src) {
			kni_rx_frame(q, dev, src, &d, napi, &list);
		} else {
			kni_stat_inc(&q->c.syncp, &q->c.bad_desc);
			flags = KNI_DESC_F_INVALID;
		}
		kni_desc_write(kni_kring_desc(&q->comp, q->comp.cached + i),
			       d.addr, d.cookie, d.len, flags);
	}
	/* Release orders the copies above before userspace reuses buffers. */
	kni_kring_prod_submit(&q->comp, n);
	kni_kring_cons_release(&q->rx, n);
out:
	spin_unlock(&q->lock);
	if (!list_empty(&list))
		netif_receive_skb_list(&list);
	return n;
}

/* NAPI (kthread_mode=none) */

static struct kni_rxq *kni_napi_rxq(struct napi_struct *napi)
{
	struct kni_priv *priv = kni_netdev_priv(napi->dev);

	return &priv->kd->rxq[napi - priv->napi];
}

/*
 * A queue's poll, scheduled by a kick: at most @budget frames.  rx's
 * NEED_WAKEUP is never cleared in this mode, so a frame produced after the
 * last look comes with a kick; only a full comp ring needs a wake-up asked
 * for, and one more look.
 */
int kni_napi_poll(struct napi_struct *napi, int budget)
{
	struct kni_rxq *q = kni_napi_rxq(napi);
	int done = 0;
	u32 n;

	kni_kring_need_wakeup(&q->comp, false);
	rcu_read_lock();
	while (done < budget) {
		n = kni_rx_queue(q, napi,
				 min_t(int, budget - done, KNI_RX_BATCH));
		if (!n)
			break;
		done += n;
	}
	rcu_read_unlock();
	if (done < budget && napi_complete_done(napi, done) &&
	    kni_kring_cons_avail(&q->rx, 1)) {
		/* Stopped by a full comp ring: ask for a kick, look again. */
		kni_kring_need_wakeup(&q->comp, true);
		if (kni_kring_prod_free(&q->comp))
			napi_schedule(napi);
	}
	return done;
}

/*
 * Takes back at most a ring's worth of @q's rx frames without NAPI:
 * dropped if the interface is down, given to the stack if it came up
 * meanwhile.  For a device whose interface is down or gone.  RCU held.
 */
void kni_rx_drain(struct kni_rxq *q)
{
	u32 left = q->kd->ring_size, n;

	kni_kring_need_wakeup(&q->comp, false);
	local_bh_disable();
	while (left) {
		n = kni_rx_queue(q, NULL, min_t(u32, left, KNI_RX_BATCH));
		if (n) {
			left -= n;
			continue;
		}
		if (!kni_kring_cons_avail(&q->rx, 1))
			break;
		/* Stopped by a full comp ring: ask for a kick, look again. */
		kni_kring_need_wakeup(&q->comp, true);
		if (!kni_kring_prod_free(&q->comp))
			break;
		left--;
	}
	local_bh_enable();
}

/*
 * The owner's kick (kthread_mode=none): receive @q's frames on this CPU
 * now, through NAPI while the interface is up.  RCU held.
 */
void kni_rx_kick(struct kni_rxq *q, struct net_device *dev)
{
	if (dev && netif_running(dev)) {
		local_bh_disable();
		napi_schedule(&kni_netdev_priv(dev)->napi[q->index]);
		/* Runs the poll here, unless it already runs elsewhere. */
		local_bh_enable();
	} else {
		kni_rx_drain(q);
	}
}

static u32 kni_kthread_round(struct kni_kthread *kt)
{
	struct kni_dev *kd;
	u32 work = 0;
	u16 i;

	rcu_read_lock();
	list_for_each_entry_rcu(kd, &kt->devs, kt_node) {
		for (i = 0; i < kd->n_rxq; i++) {
			local_bh_disable();
			work += kni_rx_queue(&kd->rxq[i], NULL, KNI_RX_BATCH);
			local_bh_enable();
		}
	}
	rcu_read_unlock();
	return work;
}

/* Work the thread can do on @q: rx frames and comp room for them. */
static bool kni_rxq_ready(struct kni_rxq *q)
{
	return kni_kring_cons_avail(&q->rx, 1) &&
	       kni_kring_prod_free(&q->comp);
}

/*
 * Asks the owners to kick: NEED_WAKEUP on every rx ring, and on the comp
 * ring of a device whose rx has frames but comp no room; then looks once
 * more.  Returns true if there is work after all.
 */
static bool kni_kthread_prepare_sleep(struct kni_kthread *kt)
{
	struct kni_dev *kd;
	bool work = false;
	u16 i;

	rcu_read_lock();
	list_for_each_entry_rcu(kd, &kt->devs, kt_node) {
		for (i = 0; i < kd->n_rxq; i++) {
			struct kni_rxq *q = &kd->rxq[i];

			kni_kring_need_wakeup(&q->rx, true);
			if (kni_kring_cons_avail(&q->rx, 1))
				kni_kring_need_wakeup(&q->comp, true);
			if (kni_rxq_ready(q))
				work = true;
		}
	}
	rcu_read_unlock();
	return work;
}

static void kni_kthread_awake(struct kni_kthread *kt)
{
	struct kni_dev *kd;
	u16 i;

	rcu_read_lock();
	list_for_each_entry_rcu(kd, &kt->devs, kt_node) {
		for (i = 0; i < kd->n_rxq; i++) {
			kni_kring_need_wakeup(&kd->rxq[i].rx, false);
			kni_kring_need_wakeup(&kd->rxq[i].comp, false);
		}
	}
	rcu_read_unlock();
}

static int kni_kthread_fn(void *arg)
{
	struct kni_kthread *kt = arg;
	u64 idle_since = 0;

	while (!kthread_should_stop()) {
		if (kni_kthread_round(kt)) {
			idle_since = 0;
		} else if (!idle_since) {
			idle_since = local_clock();
		} else if (local_clock() - idle_since >=
			   (u64)READ_ONCE(kni_poll_us) * NSEC_PER_USEC) {
			if (!kni_kthread_prepare_sleep(kt))
				wait_event_interruptible(kt->wq,
					atomic_xchg(&kt->kicked, 0) ||
					kthread_should_stop());
			kni_kthread_awake(kt);
			idle_since = 0;
		}
		cond_resched();
	}
	return 0;
}

static struct kni_kthread *kni_kthread_new(const char *name, bool force_bind,
					   u32 core_id)
{
	struct kni_kthread *kt;

	kt = kzalloc(sizeof(*kt), GFP_KERNEL);
	if (!kt)
		return ERR_PTR(-ENOMEM);
	init_waitqueue_head(&kt->wq);
	spin_lock_init(&kt->lock);
	INIT_LIST_HEAD(&kt->devs);

	kt->task = kthread_create(kni_kthread_fn, kt, "kni_%s", name);
	if (IS_ERR(kt->task)) {
		long err = PTR_ERR(kt->task);

		kfree(kt);
		return ERR_PTR(err);
	}
	if (force_bind)
		kthread_bind(kt->task, core_id);
	wake_up_process(kt->task);
	return kt;
}

static void kni_kthread_free(struct kni_kthread *kt)
{
	kthread_stop(kt->task);
	kfree(kt);
}

int kni_kthread_attach(struct kni_dev *kd, const char *name, bool force_bind,
		       u32 core_id)
{
	struct kni_kthread *kt;

	if (kni_rx_napi)
		return 0;	/* no thread: the owner's kicks receive */
	if (kni_kthread_multiple) {
		kt = kni_kthread_new(name, force_bind, core_id);
		if (IS_ERR(kt))
			return PTR_ERR(kt);
	} else {
		/* The first device decides where the single thread runs. */
		mutex_lock(&kni_single_lock);
		if (!kni_single) {
			kt = kni_kthread_new("single", force_bind, core_id);
			if (IS_ERR(kt)) {
				mutex_unlock(&kni_single_lock);
				return PTR_ERR(kt);
			}
			kni_single = kt;
		}
		kt = kni_single;
		mutex_unlock(&kni_single_lock);
	}

	kd->kt = kt;
	spin_lock(&kt->lock);
	list_add_tail_rcu(&kd->kt_node, &kt->devs);
	spin_unlock(&kt->lock);
	atomic_set(&kt->kicked, 1);
	wake_up(&kt->wq);
	return 0;
}

/* Stops serving @kd; its thread may still see it until a grace period. */
void kni_kthread_detach(struct kni_dev *kd)
{
	struct kni_kthread *kt = kd->kt;

	if (!kt)
		return;
	spin_lock(&kt->lock);
	list_del_rcu(&kd->kt_node);
	spin_unlock(&kt->lock);
}

/*
 * When the device goes, long after kni_kthread_detach() and a grace
 * period: its own thread (kthread_mode=multiple) stops.
 */
void kni_kthread_put(struct kni_dev *kd)
{
	if (kd->kt && kni_kthread_multiple)
		kni_kthread_free(kd->kt);
	kd->kt = NULL;
}

/*
 * Binds @kd's receive thread to @core_id, or lets it run anywhere.  The
 * core was checked against the caller's cpuset.
 */
int kni_kthread_set_core(struct kni_dev *kd, bool bind, u32 core_id)
{
	struct kni_kthread *kt = kd->kt;

	if (kni_rx_napi)
		return 0;	/* receive runs on the kicking CPU */
	if (!kt)
		return -ENODEV;
	return set_cpus_allowed_ptr(kt->task, bind ? cpumask_of(core_id) :
				    cpu_possible_mask);
}

void kni_kthread_exit(void)
{
	if (kni_single)
		kni_kthread_free(kni_single);
	kni_single = NULL;
}
