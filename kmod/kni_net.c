// SPDX-License-Identifier: GPL-2.0
/*
 * kni: the net_device side.
 *
 * Each device owns one mmap()able area holding its rings: rx and comp for
 * each receive queue, tx and fill for each transmit queue.  Transmit picks
 * a queue by the skb's flow hash, copies the skb into a buffer taken from
 * that queue's fill ring and puts it on its tx ring, and stops the queue
 * while either ring has no room; the owner's kick wakes it.  Nothing here waits for the owner: a change made from the kernel side
 * (MTU, MAC, up, down, promisc, allmulti, address lists) is checked against
 * the limits the owner declared, applied at once and posted as an event.
 * Changes the owner makes through ioctls post no event.
 *
 * Lifetimes.  struct kni_dev has a reference count of its own: the file
 * holds one until the owner releases the device, the net_device one until
 * it is freed.  The net_device can go first (ip link del, the end of its
 * network namespace, through kni_link_ops.dellink); the device then stays,
 * without a net_device, until the owner releases it.  kd->netdev is
 * written under RTNL and read under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "kni_internal.h"

static struct kni_dev *kni_netdev_kd(const struct net_device *dev)
{
	return kni_netdev_priv(dev)->kd;
}

/* Transmit */

/* Room for one more frame: a tx slot and a fill buffer.  @q locked. */
static bool kni_tx_room(struct kni_txq *q)
{
	return kni_kring_prod_free(&q->tx) &&
	       kni_kring_cons_avail(&q->fill, 1);
}

/*
 * Stops @nq until the owner makes room in @q, unless room appeared
 * meanwhile.  @q locked.
 */
static void kni_tx_stop(struct kni_txq *q, struct netdev_queue *nq)
{
	netif_tx_stop_queue(nq);
	kni_stat_inc(&q->c.syncp, &q->c.stopped);
	kni_kring_need_wakeup(&q->fill, true);
	kni_kring_need_wakeup(&q->tx, true);
	if (kni_tx_room(q)) {
		kni_kring_need_wakeup(&q->fill, false);
		kni_kring_need_wakeup(&q->tx, false);
		netif_tx_wake_queue(nq);
	}
}

/* Gives fill descriptor @d back to its owner on tx, unused.  @q locked. */
static void kni_tx_return(struct kni_txq *q, const struct kni_desc *d)
{
	kni_desc_write(kni_kring_desc(&q->tx, q->tx.cached), d->addr,
		       d->cookie, 0, KNI_DESC_F_INVALID);
	kni_kring_prod_submit(&q->tx, 1);
}

/*
 * The offload metadata of @skb, which the device's features allowed, in tx
 * descriptor @t: a checksum left to do, the segmentation still to do, the
 * flow hash.  @skb->data is at the Ethernet header.
 */
static void kni_tx_offloads(struct kni_dev *kd, struct kni_desc *t,
			    struct sk_buff *skb)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	u16 flags = 0;

	/* Without CSUM (and so TSO) the stack completes both itself. */
	if (kd->offloads & KNI_OFFLOAD_CSUM) {
		if (skb->ip_summed == CHECKSUM_PARTIAL) {
			flags |= KNI_DESC_F_CSUM_PARTIAL;
			WRITE_ONCE(t->csum_start,
				   skb_checksum_start_offset(skb));
			WRITE_ONCE(t->csum_offset, skb->csum_offset);
		} else if (skb->ip_summed == CHECKSUM_UNNECESSARY) {
			flags |= KNI_DESC_F_CSUM_VALID;
		}
	}
	if (skb_is_gso(skb)) {
		/* The features let only TCP segmentation through. */
		u8 type = sh->gso_type & SKB_GSO_TCPV6 ? KNI_GSO_TCPV6 :
			  KNI_GSO_TCPV4;

		WRITE_ONCE(t->gso_type, type);
		WRITE_ONCE(t->gso_size, sh->gso_size);
	}
	if (kd->offloads & KNI_OFFLOAD_HASH) {
		flags |= KNI_DESC_F_HASH;
		WRITE_ONCE(t->hash, skb_get_hash(skb));
	}
	WRITE_ONCE(t->flags, flags);
}

/*
 * Puts one frame on @q's tx ring, in a buffer taken from its fill ring.
 * The frame is @skb, or @len bytes at @data.  @q locked, bottom halves
 * off.  A bad fill descriptor goes back on the tx ring with
 * KNI_DESC_F_INVALID and length 0 so that its owner gets it back, and the
 * frame is dropped.  One inside the registered memory but shorter than the
 * frame (queued before KNI_IOC_SET_BUF_SIZE made the buffers larger) goes
 * back the same way, and the next one is tried, at most ring_size times.
 */
bool kni_tx_frame(struct kni_dev *kd, struct kni_txq *q, struct sk_buff *skb,
		  const void *data, u32 len)
{
	struct kni_tx_counters *c = &q->c;
	u32 tries = kd->ring_size;	/* fill holds at most this many */
	struct kni_desc d;
	bool small, ok;
	void *dst;

	if (!len || len > READ_ONCE(kd->buf_size)) {
		kni_stat_inc(&c->syncp, &c->too_big);
		return false;
	}
	do {
		if (!kni_kring_prod_free(&q->tx)) {
			kni_stat_inc(&c->syncp, &c->ring_full);
			return false;
		}
		if (!kni_kring_cons_avail(&q->fill, 1)) {
			kni_stat_inc(&c->syncp, &c->no_fill);
			return false;
		}
		ok = kni_desc_read(&d, kni_kring_desc(&q->fill, q->fill.cached),
				   0, false);
		kni_kring_cons_release(&q->fill, 1);

		rcu_read_lock();
		dst = ok ? kni_mem_lookup(kd->kf, d.addr, d.len) : NULL;
		small = dst && d.len < len;
		if (dst && !small) {
			if (skb)
				skb_copy_bits(skb, 0, dst, len);
			else
				memcpy(dst, data, len);
		}
		rcu_read_unlock();

		if (!dst) {
			kni_stat_inc(&c->syncp, &c->fill_bad_desc);
			kni_tx_return(q, &d);
			return false;
		}
		if (small) {
			kni_stat_inc(&c->syncp, &c->fill_too_small);
			kni_tx_return(q, &d);
			if (!--tries) {
				kni_stat_inc(&c->syncp, &c->no_fill);
				return false;
			}
		}
	} while (small);

	kni_desc_write(kni_kring_desc(&q->tx, q->tx.cached), d.addr,
		       d.cookie, len, 0);
	if (skb && kd->offloads)
		kni_tx_offloads(kd, kni_kring_desc(&q->tx, q->tx.cached), skb);
	kni_kring_prod_submit(&q->tx, 1);
	u64_stats_update_begin(&c->syncp);
	u64_stats_inc(&c->packets);
	u64_stats_add(&c->bytes, len);
	u64_stats_update_end(&c->syncp);
	return true;
}

/*
 * A flow stays on one queue, so its frames stay in order: the queue is
 * picked by the skb's flow hash, which the owner also gets with the frame
 * (KNI_OFFLOAD_HASH).
 */
static u16 kni_select_queue(struct net_device *dev, struct sk_buff *skb,
			    struct net_device *sb_dev)
{
	if (dev->real_num_tx_queues == 1)
		return 0;
	return reciprocal_scale(skb_get_hash(skb), dev->real_num_tx_queues);
}

static netdev_tx_t kni_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct kni_dev *kd = kni_netdev_kd(dev);
	u16 qi = skb_get_queue_mapping(skb);
	struct kni_txq *q;
	bool sent = false;

	/* The core keeps the mapping below real_num_tx_queues, n_txq. */
	q = &kd->txq[qi];
	spin_lock(&q->lock);
	if (unlikely(READ_ONCE(kd->dead))) {
		kni_stat_inc(&q->c.syncp, &q->c.dropped);
	} else {
		sent = kni_tx_frame(kd, q, skb, NULL, skb->len);
		if (!kni_tx_room(q))
			kni_tx_stop(q, netdev_get_tx_queue(dev, qi));
	}
	spin_unlock(&q->lock);
	if (sent)
		consume_skb(skb);
	else
		kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* Wakes transmit queue @qi if it waited for room the owner made.  RCU. */
static void kni_tx_kick(struct kni_dev *kd, struct net_device *dev, u32 qi)
{
	struct netdev_queue *nq = netdev_get_tx_queue(dev, qi);
	struct kni_txq *q = &kd->txq[qi];

	if (!netif_tx_queue_stopped(nq))
		return;
	spin_lock_bh(&q->lock);
	if (kni_tx_room(q) && !READ_ONCE(kd->dead)) {
		kni_kring_need_wakeup(&q->fill, false);
		kni_kring_need_wakeup(&q->tx, false);
		netif_tx_wake_queue(nq);
	}
	spin_unlock_bh(&q->lock);
}

/*
 * The owner moved the rings of receive queue @rxq and transmit queue @txq
 * (KNI_QUEUE_ALL: every queue, KNI_QUEUE_NONE: none): receive here
 * (kthread_mode=none) or wake the receive thread, and wake the transmit
 * queue if it waited for room.  The queues are in range.  RCU held.
 */
void kni_dev_kick(struct kni_dev *kd, u32 rxq, u32 txq)
{
	struct kni_kthread *kt = kd->kt;
	struct net_device *dev;
	u32 i;

	atomic64_inc(&kd->kicks);
	dev = rcu_dereference(kd->netdev);
	if (rxq == KNI_QUEUE_NONE) {
		/* Transmit only. */
	} else if (kni_rx_napi) {
		if (rxq != KNI_QUEUE_ALL)
			kni_rx_kick(&kd->rxq[rxq], dev);
		else
			for (i = 0; i < kd->n_rxq; i++)
				kni_rx_kick(&kd->rxq[i], dev);
	} else if (kt) {
		atomic_set(&kt->kicked, 1);
		wake_up(&kt->wq);
	}

	if (!dev || txq == KNI_QUEUE_NONE)
		return;
	if (txq != KNI_QUEUE_ALL)
		kni_tx_kick(kd, dev, txq);
	else
		for (i = 0; i < kd->n_txq; i++)
			kni_tx_kick(kd, dev, i);
}

/* net_device_ops: decide, apply, notify */

static int kni_open(struct net_device *dev)
{
	struct kni_dev *kd = kni_netdev_kd(dev);
	u16 i;

	kni_event_post(kd, KNI_EVENT_UP, 1, 0, NULL);
	if (kni_carrier_on)
		netif_carrier_on(dev);
	netif_tx_start_all_queues(dev);
	if (kni_rx_napi) {
		struct napi_struct *napi = kni_netdev_priv(dev)->napi;

		for (i = 0; i < kd->n_rxq; i++)
			napi_enable(&napi[i]);
		/* Frames produced while the interface was coming up. */
		local_bh_disable();
		for (i = 0; i < kd->n_rxq; i++)
			napi_schedule(&napi[i]);
		local_bh_enable();
	}
	return 0;
}

static int kni_stop(struct net_device *dev)
{
	struct kni_dev *kd = kni_netdev_kd(dev);
	u16 i;

	netif_tx_stop_all_queues(dev);
	if (kni_carrier_on)
		netif_carrier_off(dev);
	if (kni_rx_napi) {
		for (i = 0; i < kd->n_rxq; i++)
			napi_disable(&kni_netdev_priv(dev)->napi[i]);
		/* Kicks drain rx from now on; take what came before. */
		rcu_read_lock();
		for (i = 0; i < kd->n_rxq; i++)
			kni_rx_drain(&kd->rxq[i]);
		rcu_read_unlock();
	}
	kni_event_post(kd, KNI_EVENT_UP, 0, 0, NULL);
	return 0;
}

/* The core keeps new_mtu within dev->min_mtu..max_mtu, the owner's range. */
static int kni_change_mtu(struct net_device *dev, int new_mtu)
{
	struct kni_dev *kd = kni_netdev_kd(dev);

	WRITE_ONCE(dev->mtu, new_mtu);
	if (!kd->from_user)
		kni_event_post(kd, KNI_EVENT_MTU, new_mtu, 0, NULL);
	return 0;
}

static int kni_set_mac_address(struct net_device *dev, void *p)
{
	struct kni_dev *kd = kni_netdev_kd(dev);
	struct sockaddr *sa = p;

	if (!is_valid_ether_addr(sa->sa_data))
		return -EADDRNOTAVAIL;
	if (!kd->from_user && !(kd->policy & KNI_POLICY_MAC))
		return -EPERM;
	eth_hw_addr_set(dev, sa->sa_data);
	if (!kd->from_user)
		kni_event_post(kd, KNI_EVENT_MAC, 0, 0, dev->dev_addr);
	return 0;
}

/*
 * Called from dev_set_promiscuity() and dev_set_allmulti(), under RTNL or
 * under the address list lock: post, never sleep.
 */
static void kni_change_rx_flags(struct net_device *dev, int change)
{
	struct kni_dev *kd = kni_netdev_kd(dev);

	if (!(READ_ONCE(kd->policy) & KNI_POLICY_RX_MODE))
		return;
	if (change & IFF_PROMISC)
		kni_event_post(kd, KNI_EVENT_PROMISC,
			       !!(dev->flags & IFF_PROMISC), 0, NULL);
	if (change & IFF_ALLMULTI)
		kni_event_post(kd, KNI_EVENT_ALLMULTI,
			       !!(dev->flags & IFF_ALLMULTI), 0, NULL);
}

/* Address lists changed; the address list lock is held. */
static void kni_set_rx_mode(struct net_device *dev)
{
	struct kni_dev *kd = kni_netdev_kd(dev);

	if (READ_ONCE(kd->policy) & KNI_POLICY_RX_MODE)
		kni_event_post(kd, KNI_EVENT_RX_MODE, netdev_uc_count(dev),
			       netdev_mc_count(dev), NULL);
}

static void kni_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *s)
{
	struct kni_stats st = { 0 };

	kni_dev_get_stats(kni_netdev_kd(dev), &st);
	s->rx_packets = st.rx_packets;
	s->rx_bytes = st.rx_bytes;
	s->rx_errors = st.rx_bad_desc;
	s->rx_dropped = st.rx_bad_desc + st.rx_nomem + st.rx_dropped;
	s->tx_packets = st.tx_packets;
	s->tx_bytes = st.tx_bytes;
	s->tx_errors = st.fill_bad_desc;
	s->tx_dropped = st.tx_no_fill + st.tx_ring_full + st.tx_too_big +
			st.fill_bad_desc + st.tx_dropped;
}

static const struct net_device_ops kni_netdev_ops = {
	.ndo_open = kni_open,
	.ndo_stop = kni_stop,
	.ndo_start_xmit = kni_start_xmit,
	.ndo_select_queue = kni_select_queue,
	.ndo_change_mtu = kni_change_mtu,
	.ndo_set_mac_address = kni_set_mac_address,
	.ndo_change_rx_flags = kni_change_rx_flags,
	.ndo_set_rx_mode = kni_set_rx_mode,
	.ndo_get_stats64 = kni_get_stats64,
	.ndo_validate_addr = eth_validate_addr,
};

/* ethtool_ops */

static void kni_get_drvinfo(struct net_device *dev,
			    struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, KNI_DRV_VERSION, sizeof(info->version));
	snprintf(info->fw_version, sizeof(info->fw_version), "abi %u",
		 KNI_ABI_REPORTED);
	strscpy(info->bus_info, "kni", sizeof(info->bus_info));
}

static void kni_get_ringparam(struct net_device *dev,
			      struct ethtool_ringparam *ring,
			      struct kernel_ethtool_ringparam *kring,
			      struct netlink_ext_ack *extack)
{
	struct kni_dev *kd = kni_netdev_kd(dev);

	ring->rx_max_pending = KNI_RING_SIZE_MAX;
	ring->tx_max_pending = KNI_RING_SIZE_MAX;
	ring->rx_pending = kd->ring_size;
	ring->tx_pending = kd->ring_size;
}

/* Speed and duplex as the owner declared them, for bonding and ethtool. */
static int kni_get_link_ksettings(struct net_device *dev,
				  struct ethtool_link_ksettings *cmd)
{
	struct kni_dev *kd = kni_netdev_kd(dev);
	u32 speed = READ_ONCE(kd->speed);

	cmd->base.speed = speed ? speed : SPEED_UNKNOWN;
	cmd->base.duplex = !speed ? DUPLEX_UNKNOWN :
			   READ_ONCE(kd->duplex) == KNI_DUPLEX_FULL ?
			   DUPLEX_FULL : DUPLEX_HALF;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

#define KNI_STAT(name)	{ #name, offsetof(struct kni_stats, name) }
static const struct {
	char name[ETH_GSTRING_LEN];
	size_t off;
} kni_ethtool_stats[] = {
	KNI_STAT(rx_packets), KNI_STAT(rx_bytes), KNI_STAT(rx_bad_desc),
	KNI_STAT(rx_nomem), KNI_STAT(rx_dropped), KNI_STAT(tx_packets),
	KNI_STAT(tx_bytes), KNI_STAT(tx_no_fill), KNI_STAT(tx_ring_full),
	KNI_STAT(tx_too_big), KNI_STAT(tx_dropped), KNI_STAT(tx_stopped),
	KNI_STAT(fill_bad_desc), KNI_STAT(fill_too_small),
	KNI_STAT(comp_ring_full), KNI_STAT(kicks), KNI_STAT(events),
};

/* The device's totals, then packets and bytes of each queue. */
static int kni_get_sset_count(struct net_device *dev, int sset)
{
	struct kni_dev *kd = kni_netdev_kd(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return ARRAY_SIZE(kni_ethtool_stats) + 2 * (kd->n_rxq + kd->n_txq);
}

static void kni_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	struct kni_dev *kd = kni_netdev_kd(dev);
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(kni_ethtool_stats); i++)
		ethtool_puts(&data, kni_ethtool_stats[i].name);
	for (i = 0; i < kd->n_rxq; i++) {
		ethtool_sprintf(&data, "rx_queue_%u_packets", i);
		ethtool_sprintf(&data, "rx_queue_%u_bytes", i);
	}
	for (i = 0; i < kd->n_txq; i++) {
		ethtool_sprintf(&data, "tx_queue_%u_packets", i);
		ethtool_sprintf(&data, "tx_queue_%u_bytes", i);
	}
}

/* Packets and bytes of one queue, consistent, in @data[0] and [1]. */
static void kni_read_pair(const struct u64_stats_sync *syncp,
			  const u64_stats_t *packets, const u64_stats_t *bytes,
			  u64 *data)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(syncp);
		data[0] = u64_stats_read(packets);
		data[1] = u64_stats_read(bytes);
	} while (u64_stats_fetch_retry(syncp, start));
}

static void kni_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct kni_dev *kd = kni_netdev_kd(dev);
	struct kni_stats st = { 0 };
	unsigned int i;

	kni_dev_get_stats(kd, &st);
	for (i = 0; i < ARRAY_SIZE(kni_ethtool_stats); i++)
		*data++ = *(u64 *)((u8 *)&st + kni_ethtool_stats[i].off);
	for (i = 0; i < kd->n_rxq; i++, data += 2)
		kni_read_pair(&kd->rxq[i].c.syncp, &kd->rxq[i].c.packets,
			      &kd->rxq[i].c.bytes, data);
	for (i = 0; i < kd->n_txq; i++, data += 2)
		kni_read_pair(&kd->txq[i].c.syncp, &kd->txq[i].c.packets,
			      &kd->txq[i].c.bytes, data);
}

/* The queues are fixed at create: ethtool -l shows them, -L cannot. */
static void kni_get_channels(struct net_device *dev,
			     struct ethtool_channels *ch)
{
	struct kni_dev *kd = kni_netdev_kd(dev);

	ch->max_rx = KNI_MAX_QUEUES;
	ch->max_tx = KNI_MAX_QUEUES;
	ch->rx_count = kd->n_rxq;
	ch->tx_count = kd->n_txq;
}

static const struct ethtool_ops kni_ethtool_ops = {
	.get_drvinfo = kni_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_link_ksettings = kni_get_link_ksettings,
	.get_ringparam = kni_get_ringparam,
	.get_sset_count = kni_get_sset_count,
	.get_strings = kni_get_strings,
	.get_ethtool_stats = kni_get_ethtool_stats,
	.get_channels = kni_get_channels,
};

/* rtnl_link_ops: "ip link del", and the end of the device's netns */

/*
 * The net_device goes; the device stays, dead, until its owner releases
 * it.  RTNL held.  A dying network namespace deletes its kni devices this
 * way too, instead of moving them to the initial namespace: a device whose
 * owner lives in a container never reaches the host's namespace.
 */
static void kni_dellink(struct net_device *dev, struct list_head *head)
{
	struct kni_dev *kd = kni_netdev_kd(dev);

	kni_event_post(kd, KNI_EVENT_DELETED, 0, 0, NULL);
	RCU_INIT_POINTER(kd->netdev, NULL);
	unregister_netdevice_queue(dev, head);
}

/*
 * No .setup: "ip link add type kni" is refused; devices come from
 * /dev/kni only.
 */
static struct rtnl_link_ops kni_link_ops __read_mostly = {
	.kind = "kni",
	.dellink = kni_dellink,
};

/* Moves between namespaces and renames reach the owner as events. */
static int kni_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct kni_dev *kd;

	if (dev->netdev_ops != &kni_netdev_ops)
		return NOTIFY_DONE;
	kd = kni_netdev_kd(dev);
	if (event == NETDEV_REGISTER && kd->registered)
		kni_event_post(kd, KNI_EVENT_NETNS, dev->ifindex, 0, NULL);
	else if (event == NETDEV_CHANGENAME)
		kni_event_post(kd, KNI_EVENT_NAME, 0, 0, NULL);
	return NOTIFY_DONE;
}

static struct notifier_block kni_notifier = {
	.notifier_call = kni_netdev_event,
};

/* Device lifecycle */

static void kni_dev_free_rcu(struct rcu_head *head)
{
	struct kni_dev *kd = container_of(head, struct kni_dev, rcu);

	kfree(kd->rxq);
	kfree(kd->txq);
	kfree(kd);
}

/*
 * The last reference goes: the device's own receive thread (which no
 * longer sees it: it was detached a grace period ago), its rings, then
 * the device.  Process context.
 */
void kni_dev_put(struct kni_dev *kd)
{
	if (refcount_dec_and_test(&kd->ref)) {
		kni_kthread_put(kd);
		kni_shmem_free(&kd->ring_mem);
		/* KICK finds devices under RCU without a reference. */
		call_rcu(&kd->rcu, kni_dev_free_rcu);
	}
}

/* Finds device @id of @kf and takes a reference on it. */
struct kni_dev *kni_dev_get(struct kni_file *kf, u32 id)
{
	struct kni_dev *kd;

	rcu_read_lock();
	kd = xa_load(&kf->devs, id);
	if (kd && !refcount_inc_not_zero(&kd->ref))
		kd = NULL;
	rcu_read_unlock();
	return kd;
}

/* The net_device is freed: drop its reference on the device. */
static void kni_netdev_destructor(struct net_device *dev)
{
	kni_dev_put(kni_netdev_kd(dev));
}

static void kni_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &kni_netdev_ops;
	dev->ethtool_ops = &kni_ethtool_ops;
	dev->rtnl_link_ops = &kni_link_ops;
	/* The transmit lock is taken with bottom halves off only. */
	dev->priv_flags |= IFF_DISABLE_NETPOLL;
	/*
	 * Transmit copies with skb_copy_bits(), which gathers page fragments
	 * and frag lists, so the stack need not linearize.  Checksum and
	 * segmentation offloads only for an owner that completes them
	 * (kni_set_offloads()).
	 */
	dev->features = NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HIGHDMA;
	dev->hw_features = dev->features;
}

/*
 * The offloads the owner asked for at create: checksums left to it
 * (HW_CSUM: any protocol, from csum_start) and checked by it (RXCSUM), TCP
 * segmentation up to the buffer size, the flow hash both ways.  ethtool -K
 * may turn each off; the owner then just sees no such frames.
 */
static void kni_set_offloads(struct net_device *dev, u32 offloads,
			     u32 buf_size)
{
	netdev_features_t f = 0;

	if (offloads & KNI_OFFLOAD_CSUM)
		f |= NETIF_F_HW_CSUM | NETIF_F_RXCSUM;
	if (offloads & KNI_OFFLOAD_TSO) {
		/* Not TSO_ECN or UDP: the descriptors cannot say CWR, and
		 * owners need not segment UDP.
		 */
		f |= NETIF_F_TSO | NETIF_F_TSO6;
		/* A whole GSO frame, headers included, fits one buffer. */
		netif_set_tso_max_size(dev, buf_size - KNI_FRAME_OVERHEAD);
	}
	if (offloads & KNI_OFFLOAD_HASH)
		f |= NETIF_F_RXHASH;
	dev->hw_features |= f;
	dev->features |= f;
	dev->vlan_features = dev->features;
}

/* A CPU a receive thread may be bound to for the caller. */
int kni_check_core(u32 core_id)
{
	if (core_id >= nr_cpu_ids || !cpu_online(core_id))
		return -EINVAL;
	/* Only where the caller's cpuset lets the caller run. */
	if (!cpumask_test_cpu(core_id, current->cpus_ptr))
		return -EPERM;
	return 0;
}

static int kni_check_create(struct kni_create *c)
{
	size_t len = strnlen(c->name, KNI_NAMESIZE);
	u32 cap;

	if (len == KNI_NAMESIZE)
		return -ENAMETOOLONG;
	if (!len || !dev_valid_name(c->name) || strchr(c->name, '%'))
		return -EINVAL;
	if (c->flags & ~(KNI_CREATE_F_MAC | KNI_CREATE_F_FORCE_BIND) ||
	    c->policy & ~(KNI_POLICY_MAC | KNI_POLICY_RX_MODE) ||
	    c->pad || c->rsvd[0] || c->rsvd[1] || c->rsvd[2] ||
	    c->id || c->ifindex || c->mmap_offset || c->mmap_size)
		return -EINVAL;
	if (c->offloads & ~(KNI_OFFLOAD_CSUM | KNI_OFFLOAD_TSO |
			    KNI_OFFLOAD_HASH))
		return -EOPNOTSUPP;
	/* Segmentation leaves the checksums to the other side too. */
	if (c->offloads & KNI_OFFLOAD_TSO && !(c->offloads & KNI_OFFLOAD_CSUM))
		return -EINVAL;
	if (!c->n_rx_queues)
		c->n_rx_queues = 1;
	if (!c->n_tx_queues)
		c->n_tx_queues = 1;
	if (c->n_rx_queues > KNI_MAX_QUEUES || c->n_tx_queues > KNI_MAX_QUEUES)
		return -EINVAL;
	if (c->buf_size < KNI_BUF_SIZE_MIN || c->buf_size > KNI_BUF_SIZE_MAX)
		return -EINVAL;
	if (!c->ring_size)
		c->ring_size = KNI_RING_SIZE_DEFAULT;
	if (c->ring_size < KNI_RING_SIZE_MIN ||
	    c->ring_size > KNI_RING_SIZE_MAX || !is_power_of_2(c->ring_size))
		return -EINVAL;
	if (c->duplex > KNI_DUPLEX_FULL)
		return -EINVAL;
	if (!c->speed) {
		c->speed = KNI_SPEED_DEFAULT;
		c->duplex = KNI_DUPLEX_FULL;
	}

	/* A frame of the largest MTU, with a VLAN tag, fits a buffer. */
	cap = c->buf_size - KNI_FRAME_OVERHEAD;
	if (!c->min_mtu)
		c->min_mtu = ETH_MIN_MTU;
	if (!c->max_mtu || c->max_mtu > cap)
		c->max_mtu = cap;
	if (c->min_mtu < ETH_MIN_MTU || c->min_mtu > c->max_mtu)
		return -EINVAL;
	if (!c->mtu)
		c->mtu = clamp_t(u32, ETH_DATA_LEN, c->min_mtu, c->max_mtu);
	if (c->mtu < c->min_mtu || c->mtu > c->max_mtu)
		return -EINVAL;

	if (c->flags & KNI_CREATE_F_FORCE_BIND) {
		int ret = kni_check_core(c->core_id);

		if (ret)
			return ret;
	}
	if (c->flags & KNI_CREATE_F_MAC && !is_valid_ether_addr(c->mac))
		return -EADDRNOTAVAIL;
	return 0;
}

/* Shifts a ring's offsets by @delta bytes. */
static struct kni_ring_offset kni_ring_offset_at(const struct kni_ring_offset *o,
						 size_t delta)
{
	struct kni_ring_offset r = {
		.producer = o->producer + delta,
		.consumer = o->consumer + delta,
		.flags = o->flags + delta,
		.desc = o->desc + delta,
	};

	return r;
}

/*
 * The queues and their rings: rx and comp of each receive queue, every
 * rx_queue_stride bytes from 0, then tx and fill of each transmit queue,
 * every tx_queue_stride bytes.
 */
static int kni_dev_rings(struct kni_dev *kd, struct kni_create *c)
{
	struct kni_ring_offsets *o = &kd->off;
	size_t pos = 0, tx0, dsz = sizeof(struct kni_desc);
	u32 n = c->ring_size;
	struct kni_ring_offset ro;
	void *mem;
	u16 i;
	int ret;

	kd->n_rxq = c->n_rx_queues;
	kd->n_txq = c->n_tx_queues;
	pos = kni_ring_layout(&o->rx, pos, n, dsz);
	pos = kni_ring_layout(&o->comp, pos, n, dsz);
	c->rx_queue_stride = pos;
	tx0 = pos * kd->n_rxq;
	pos = kni_ring_layout(&o->tx, tx0, n, dsz);
	pos = kni_ring_layout(&o->fill, pos, n, dsz);
	c->tx_queue_stride = pos - tx0;
	pos = tx0 + c->tx_queue_stride * kd->n_txq;

	kd->rxq = kcalloc(kd->n_rxq, sizeof(*kd->rxq), GFP_KERNEL_ACCOUNT);
	kd->txq = kcalloc(kd->n_txq, sizeof(*kd->txq), GFP_KERNEL_ACCOUNT);
	if (!kd->rxq || !kd->txq)
		return -ENOMEM;
	ret = kni_shmem_alloc(&kd->ring_mem, pos);
	if (ret)
		return ret;
	mem = kd->ring_mem.kaddr;
	for (i = 0; i < kd->n_rxq; i++) {
		struct kni_rxq *q = &kd->rxq[i];

		q->kd = kd;
		q->index = i;
		spin_lock_init(&q->lock);
		u64_stats_init(&q->c.syncp);
		ro = kni_ring_offset_at(&o->rx, i * c->rx_queue_stride);
		kni_kring_init(&q->rx, mem, &ro, n);
		ro = kni_ring_offset_at(&o->comp, i * c->rx_queue_stride);
		kni_kring_init(&q->comp, mem, &ro, n);
		/* Until the receive thread runs, producers of rx must kick. */
		WRITE_ONCE(*q->rx.flags, KNI_RING_F_NEED_WAKEUP);
	}
	for (i = 0; i < kd->n_txq; i++) {
		struct kni_txq *q = &kd->txq[i];

		spin_lock_init(&q->lock);
		u64_stats_init(&q->c.syncp);
		ro = kni_ring_offset_at(&o->tx, i * c->tx_queue_stride);
		kni_kring_init(&q->tx, mem, &ro, n);
		ro = kni_ring_offset_at(&o->fill, i * c->tx_queue_stride);
		kni_kring_init(&q->fill, mem, &ro, n);
	}
	return 0;
}

/* Frees a device kni_dev_create() could not finish, and its rings. */
static void kni_dev_free(struct kni_dev *kd)
{
	kni_shmem_free(&kd->ring_mem);
	kni_dev_free_rcu(&kd->rcu);
}

int kni_dev_create(struct kni_file *kf, struct kni_create __user *uarg)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *dev;
	struct kni_create c;
	struct kni_dev *kd;
	u32 id;
	int ret;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	ret = kni_check_create(&c);
	if (ret)
		return ret;

	kd = kzalloc(sizeof(*kd), GFP_KERNEL_ACCOUNT);
	if (!kd)
		return -ENOMEM;
	refcount_set(&kd->ref, 1);
	kd->kf = kf;
	kd->ring_size = c.ring_size;
	kd->offloads = c.offloads;
	kd->buf_size = c.buf_size;
	kd->policy = c.policy;
	kd->max_mtu_policy = c.max_mtu < c.buf_size - KNI_FRAME_OVERHEAD ?
			     c.max_mtu : 0;
	kd->speed = c.speed;
	kd->duplex = c.duplex;
	INIT_LIST_HEAD(&kd->kt_node);
	ret = kni_dev_rings(kd, &c);
	if (ret) {
		kni_dev_free(kd);
		return ret;
	}

	mutex_lock(&kf->lock);
	if (kf->n_devs >= KNI_MAX_DEVS) {
		ret = -ENOSPC;
		goto out_put;
	}
	/*
	 * Ids count up (a stale id names no other device until they wrap),
	 * and stay reserved, invisible to lookups, until the device is ready.
	 */
	ret = xa_alloc_cyclic(&kf->devs, &id, NULL, XA_LIMIT(1, S32_MAX / 2),
			      &kf->next_dev_id, GFP_KERNEL);
	if (ret < 0)
		goto out_put;
	kd->id = id;

	dev = alloc_netdev_mqs(struct_size_t(struct kni_priv, napi, kd->n_rxq),
			       c.name, NET_NAME_USER, kni_setup, kd->n_txq,
			       kd->n_rxq);
	if (!dev) {
		ret = -ENOMEM;
		goto out_erase;
	}
	dev_net_set(dev, net);
	kni_netdev_priv(dev)->kd = kd;
	if (kni_rx_napi) {	/* enabled while the interface is up */
		u16 i;

		for (i = 0; i < kd->n_rxq; i++)
			netif_napi_add(dev, &kni_netdev_priv(dev)->napi[i],
				       kni_napi_poll);
	}
	refcount_inc(&kd->ref);		/* the net_device's */
	dev->min_mtu = c.min_mtu;
	dev->max_mtu = c.max_mtu;
	dev->mtu = c.mtu;
	if (c.flags & KNI_CREATE_F_MAC)
		eth_hw_addr_set(dev, c.mac);
	else
		eth_hw_addr_random(dev);
	kni_set_offloads(dev, c.offloads, c.buf_size);
	netif_carrier_off(dev);
	rcu_assign_pointer(kd->netdev, dev);

	rtnl_lock();
	ret = register_netdevice(dev);
	if (!ret) {
		/* From now on the net_device's reference goes with it. */
		dev->needs_free_netdev = true;
		dev->priv_destructor = kni_netdev_destructor;
		kd->registered = true;
		/*
		 * Once RTNL is dropped, the kernel side may delete the
		 * net_device ("ip link del", the end of its namespace) and
		 * free it at any time: take what the owner is told now.
		 */
		c.ifindex = dev->ifindex;
		memcpy(c.mac, dev->dev_addr, ETH_ALEN);
	}
	rtnl_unlock();
	if (ret) {
		RCU_INIT_POINTER(kd->netdev, NULL);
		free_netdev(dev);
		kni_dev_put(kd);
		goto out_erase;
	}

	ret = kni_kthread_attach(kd, c.name, c.flags & KNI_CREATE_F_FORCE_BIND,
				 c.core_id);
	if (ret) {
		WRITE_ONCE(kd->dead, true);
		rtnl_lock();
		/* Unless the kernel side deleted it meanwhile. */
		dev = rtnl_dereference(kd->netdev);
		if (dev) {
			RCU_INIT_POINTER(kd->netdev, NULL);
			unregister_netdevice(dev);
		}
		rtnl_unlock();
		goto out_erase;
	}
	xa_store(&kf->devs, id, kd, GFP_KERNEL);
	kf->n_devs++;

	c.id = kd->id;
	c.mmap_offset = (u64)kd->id * KNI_MMAP_STRIDE;
	c.mmap_size = (u64)kd->ring_mem.npages << PAGE_SHIFT;
	c.ring_size_out = kd->ring_size;
	c.max_mtu_out = c.max_mtu;
	c.off = kd->off;
	mutex_unlock(&kf->lock);
	if (copy_to_user(uarg, &c, sizeof(c))) {
		kni_dev_release(kf, id);
		return -EFAULT;
	}
	return 0;

out_erase:
	xa_erase(&kf->devs, id);
out_put:
	mutex_unlock(&kf->lock);
	kni_dev_put(kd);
	return ret;
}

/*
 * Releases @n devices: marks them dead first (no event, no transmit), then
 * unregisters their net_devices in one batch, takes them from their
 * receive threads and waits once for RCU readers.  The devices are no
 * longer in the file's table.
 */
static void kni_devs_teardown(struct kni_dev **kds, unsigned int n)
{
	struct net_device *dev;
	LIST_HEAD(kill);
	unsigned int i;

	for (i = 0; i < n; i++)
		WRITE_ONCE(kds[i]->dead, true);

	rtnl_lock();
	for (i = 0; i < n; i++) {
		dev = rtnl_dereference(kds[i]->netdev);
		if (dev) {
			RCU_INIT_POINTER(kds[i]->netdev, NULL);
			unregister_netdevice_queue(dev, &kill);
		}
	}
	unregister_netdevice_many(&kill);
	rtnl_unlock();

	for (i = 0; i < n; i++)
		kni_kthread_detach(kds[i]);
	synchronize_rcu();
	for (i = 0; i < n; i++)
		kni_dev_put(kds[i]);
}

int kni_dev_release(struct kni_file *kf, u32 id)
{
	struct kni_dev *kd;

	mutex_lock(&kf->lock);
	kd = xa_erase(&kf->devs, id);
	if (kd)
		kf->n_devs--;
	mutex_unlock(&kf->lock);
	if (!kd)
		return -ENOENT;
	kni_devs_teardown(&kd, 1);
	return 0;
}

/* The file goes away: every device, in one batch. */
void kni_dev_release_all(struct kni_file *kf)
{
	struct kni_dev **kds, *kd;
	unsigned long id;
	unsigned int n = 0;

	mutex_lock(&kf->lock);
	kds = kvmalloc_array(max(kf->n_devs, 1U), sizeof(*kds), GFP_KERNEL);
	xa_for_each(&kf->devs, id, kd) {
		xa_erase(&kf->devs, id);
		if (kds) {
			kds[n++] = kd;
		} else {
			/* No memory for a batch: one at a time. */
			kni_devs_teardown(&kd, 1);
		}
	}
	kf->n_devs = 0;
	mutex_unlock(&kf->lock);
	if (kds) {
		kni_devs_teardown(kds, n);
		kvfree(kds);
	}
}

/* Owner changes: RTNL, then the device's net_device, if it has one. */
static struct net_device *kni_dev_rtnl(struct kni_dev *kd)
{
	struct net_device *dev;

	rtnl_lock();
	dev = rtnl_dereference(kd->netdev);
	if (!dev)
		rtnl_unlock();
	return dev;
}

int kni_dev_set_mtu(struct kni_dev *kd, u32 mtu)
{
	struct net_device *dev;
	int ret;

	if (mtu > INT_MAX)
		return -EINVAL;
	dev = kni_dev_rtnl(kd);
	if (!dev)
		return -ENODEV;
	kd->from_user = true;
	ret = dev_set_mtu(dev, mtu);
	kd->from_user = false;
	rtnl_unlock();
	return ret;
}

int kni_dev_set_mac(struct kni_dev *kd, const u8 *mac)
{
	struct net_device *dev;
	int ret;

	if (!is_valid_ether_addr(mac))
		return -EADDRNOTAVAIL;
	dev = kni_dev_rtnl(kd);
	if (!dev)
		return -ENODEV;
	kd->from_user = true;
	ret = kni_compat_set_mac(dev, mac, NULL);
	kd->from_user = false;
	rtnl_unlock();
	return ret;
}

/* The largest MTU the buffers allow under the owner's policy.  RTNL. */
static u32 kni_dev_max_mtu(struct kni_dev *kd, u32 buf_size)
{
	u32 cap = buf_size - KNI_FRAME_OVERHEAD;

	return kd->max_mtu_policy && kd->max_mtu_policy < cap ?
	       kd->max_mtu_policy : cap;
}

int kni_dev_set_policy(struct kni_dev *kd, const struct kni_policy *p)
{
	u32 min_mtu = p->min_mtu ? p->min_mtu : ETH_MIN_MTU;
	struct net_device *dev;
	u32 max_mtu;
	int ret = 0;

	if (p->flags & ~(KNI_POLICY_MAC | KNI_POLICY_RX_MODE) ||
	    min_mtu < ETH_MIN_MTU)
		return -EINVAL;
	dev = kni_dev_rtnl(kd);
	if (!dev)
		return -ENODEV;
	max_mtu = READ_ONCE(kd->buf_size) - KNI_FRAME_OVERHEAD;
	if (p->max_mtu && p->max_mtu < max_mtu)
		max_mtu = p->max_mtu;
	if (min_mtu > max_mtu || dev->mtu < min_mtu || dev->mtu > max_mtu) {
		ret = -EINVAL;
	} else {
		kd->max_mtu_policy = p->max_mtu;
		WRITE_ONCE(kd->policy, p->flags);
		dev->min_mtu = min_mtu;
		dev->max_mtu = max_mtu;
	}
	rtnl_unlock();
	return ret;
}

int kni_dev_set_link(struct kni_dev *kd, const struct kni_link *l)
{
	struct net_device *dev;
	bool changed;

	if (l->carrier > 1 || l->duplex > KNI_DUPLEX_FULL ||
	    l->pad[0] || l->pad[1] || l->pad[2])
		return -EINVAL;
	dev = kni_dev_rtnl(kd);
	if (!dev)
		return -ENODEV;
	changed = kd->speed != l->speed || kd->duplex != l->duplex;
	WRITE_ONCE(kd->speed, l->speed);
	WRITE_ONCE(kd->duplex, l->duplex);
	if (l->carrier)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
	/* Upper devices (bond) read the speed again on a change. */
	if (changed)
		netdev_state_change(dev);
	rtnl_unlock();
	return 0;
}

/*
 * Makes the fill buffers @buf_size bytes long from now on, for a larger (or
 * smaller) MTU without making the device again: the device's max_mtu
 * follows, and the buffers queued on each fill ring go back to the owner
 * on that queue's tx ring as far as it has room (kni_tx_frame() gives back
 * any left that turn out too short).
 */
int kni_dev_set_buf_size(struct kni_dev *kd, u32 buf_size)
{
	struct net_device *dev;
	struct kni_desc d;
	u32 max_mtu, n;
	u16 i;

	if (buf_size < KNI_BUF_SIZE_MIN || buf_size > KNI_BUF_SIZE_MAX)
		return -EINVAL;
	dev = kni_dev_rtnl(kd);
	if (!dev)
		return -ENODEV;
	max_mtu = kni_dev_max_mtu(kd, buf_size);
	if (buf_size - KNI_FRAME_OVERHEAD < dev->mtu ||
	    max_mtu < dev->min_mtu) {
		rtnl_unlock();
		return -EINVAL;
	}
	WRITE_ONCE(kd->buf_size, buf_size);
	for (i = 0; i < kd->n_txq; i++) {
		struct kni_txq *q = &kd->txq[i];

		spin_lock_bh(&q->lock);
		for (n = kd->ring_size; n && kni_kring_prod_free(&q->tx) &&
		     kni_kring_cons_avail(&q->fill, 1); n--) {
			kni_desc_read(&d, kni_kring_desc(&q->fill,
							 q->fill.cached),
				      0, false);
			kni_kring_cons_release(&q->fill, 1);
			kni_tx_return(q, &d);
		}
		spin_unlock_bh(&q->lock);
	}
	WRITE_ONCE(dev->max_mtu, max_mtu);
	rtnl_unlock();
	return 0;
}

int kni_dev_set_core(struct kni_dev *kd, const struct kni_core *c)
{
	int ret;

	if (c->flags & ~KNI_CREATE_F_FORCE_BIND || c->pad)
		return -EINVAL;
	if (c->flags) {
		ret = kni_check_core(c->core_id);
		if (ret)
			return ret;
	}
	if (READ_ONCE(kd->dead))
		return -ENODEV;
	return kni_kthread_set_core(kd, c->flags, c->core_id);
}

void kni_dev_get_info(struct kni_dev *kd, struct kni_info *info)
{
	struct net_device *dev;

	rtnl_lock();
	dev = rtnl_dereference(kd->netdev);
	info->policy = kd->policy;
	info->speed = kd->speed;
	info->duplex = kd->duplex;
	if (!dev) {
		info->flags = KNI_INFO_F_DELETED;
		rtnl_unlock();
		return;
	}
	info->flags = (dev->flags & IFF_UP ? KNI_INFO_F_UP : 0) |
		      (dev->flags & IFF_PROMISC ? KNI_INFO_F_PROMISC : 0) |
		      (dev->flags & IFF_ALLMULTI ? KNI_INFO_F_ALLMULTI : 0) |
		      (netif_carrier_ok(dev) ? KNI_INFO_F_CARRIER : 0);
	strscpy(info->name, dev->name, sizeof(info->name));
	info->ifindex = dev->ifindex;
	info->mtu = dev->mtu;
	info->min_mtu = dev->min_mtu;
	info->max_mtu = dev->max_mtu;
	memcpy(info->mac, dev->dev_addr, ETH_ALEN);
	netif_addr_lock_bh(dev);
	info->n_uc = netdev_uc_count(dev);
	info->n_mc = netdev_mc_count(dev);
	netif_addr_unlock_bh(dev);
	rtnl_unlock();
}

void kni_dev_get_addrs(struct kni_dev *kd, struct kni_addrs *a)
{
	struct netdev_hw_addr *ha;
	struct net_device *dev;

	rcu_read_lock();
	dev = rcu_dereference(kd->netdev);
	if (dev) {
		netif_addr_lock_bh(dev);
		a->n_uc = netdev_uc_count(dev);
		a->n_mc = netdev_mc_count(dev);
		netdev_for_each_uc_addr(ha, dev) {
			if (a->n == KNI_MAX_ADDRS)
				break;
			memcpy(a->addr[a->n++], ha->addr, ETH_ALEN);
		}
		netdev_for_each_mc_addr(ha, dev) {
			if (a->n == KNI_MAX_ADDRS)
				break;
			memcpy(a->addr[a->n++], ha->addr, ETH_ALEN);
		}
		netif_addr_unlock_bh(dev);
	}
	rcu_read_unlock();
}

/* The sums over every queue. */
void kni_dev_get_stats(struct kni_dev *kd, struct kni_stats *st)
{
	unsigned int start;
	u16 i;

	for (i = 0; i < kd->n_rxq; i++) {
		const struct kni_rx_counters *r = &kd->rxq[i].c;
		u64 v[6];

		do {
			start = u64_stats_fetch_begin(&r->syncp);
			v[0] = u64_stats_read(&r->packets);
			v[1] = u64_stats_read(&r->bytes);
			v[2] = u64_stats_read(&r->bad_desc);
			v[3] = u64_stats_read(&r->nomem);
			v[4] = u64_stats_read(&r->dropped);
			v[5] = u64_stats_read(&r->comp_full);
		} while (u64_stats_fetch_retry(&r->syncp, start));
		st->rx_packets += v[0];
		st->rx_bytes += v[1];
		st->rx_bad_desc += v[2];
		st->rx_nomem += v[3];
		st->rx_dropped += v[4];
		st->comp_ring_full += v[5];
	}
	for (i = 0; i < kd->n_txq; i++) {
		const struct kni_tx_counters *t = &kd->txq[i].c;
		u64 v[9];

		do {
			start = u64_stats_fetch_begin(&t->syncp);
			v[0] = u64_stats_read(&t->packets);
			v[1] = u64_stats_read(&t->bytes);
			v[2] = u64_stats_read(&t->no_fill);
			v[3] = u64_stats_read(&t->ring_full);
			v[4] = u64_stats_read(&t->too_big);
			v[5] = u64_stats_read(&t->dropped);
			v[6] = u64_stats_read(&t->stopped);
			v[7] = u64_stats_read(&t->fill_bad_desc);
			v[8] = u64_stats_read(&t->fill_too_small);
		} while (u64_stats_fetch_retry(&t->syncp, start));
		st->tx_packets += v[0];
		st->tx_bytes += v[1];
		st->tx_no_fill += v[2];
		st->tx_ring_full += v[3];
		st->tx_too_big += v[4];
		st->tx_dropped += v[5];
		st->tx_stopped += v[6];
		st->fill_bad_desc += v[7];
		st->fill_too_small += v[8];
	}
	st->kicks = atomic64_read(&kd->kicks);
	st->events = atomic64_read(&kd->events);
}

int kni_net_init(void)
{
	int ret;

	ret = rtnl_link_register(&kni_link_ops);
	if (ret)
		return ret;
	ret = register_netdevice_notifier(&kni_notifier);
	if (ret)
		rtnl_link_unregister(&kni_link_ops);
	return ret;
}

void kni_net_exit(void)
{
	unregister_netdevice_notifier(&kni_notifier);
	rtnl_link_unregister(&kni_link_ops);
	/* kni_dev_put() frees devices after a grace period. */
	rcu_barrier();
}
