// SPDX-License-Identifier: GPL-2.0
/*
 * kni: the net_device side.
 *
 * Each device owns one mmap()able area holding its six rings.  Transmit
 * copies an skb into a buffer taken from the fill ring and puts it on the tx
 * ring.  Changes made from the kernel side (MTU, MAC, promisc, allmulti, up,
 * down) become requests on the req ring; the answer comes back on the resp
 * ring within kni_req_timeout_ms or the change fails.  Changes made by the
 * owner through ioctls apply directly and never produce a request.
 *
 * Counters are plain u64s, each written by one context at a time: rx
 * counters by the device's receive thread, tx and fill counters under
 * tx_lock, request counters under req_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>

#include "kni_internal.h"

/* Shared words of a ring, each on its own cache line, then the entries. */
#define KNI_RING_PRODUCER	0
#define KNI_RING_CONSUMER	64
#define KNI_RING_FLAGS		128
#define KNI_RING_HDR		192

static size_t kni_ring_layout(struct kni_ring_offset *o, size_t pos,
			      u32 entries, size_t entry_size)
{
	o->producer = pos + KNI_RING_PRODUCER;
	o->consumer = pos + KNI_RING_CONSUMER;
	o->flags = pos + KNI_RING_FLAGS;
	o->desc = pos + KNI_RING_HDR;
	return ALIGN(pos + KNI_RING_HDR + entries * entry_size, 64);
}

static void kni_kring_init(struct kni_kring *r, void *mem,
			   const struct kni_ring_offset *o, u32 entries)
{
	r->producer = mem + o->producer;
	r->consumer = mem + o->consumer;
	r->flags = mem + o->flags;
	r->desc = mem + o->desc;
	r->mask = entries - 1;
	r->cached = 0;
}

/* Requests */

static bool kni_resp_ready(struct kni_dev *kd)
{
	return kni_kring_cons_avail(&kd->resp, 1) != 0;
}

/* Consumes answers; true when the one for @seq was found.  req_lock held. */
static bool kni_resp_take(struct kni_dev *kd, u32 seq, int *result)
{
	while (kni_kring_cons_avail(&kd->resp, 1)) {
		struct kni_req *a = kni_kring_req(&kd->resp, kd->resp.cached);
		u32 aseq = READ_ONCE(a->seq);
		s32 res = READ_ONCE(a->result);

		kni_kring_cons_release(&kd->resp, 1);
		if (seq && aseq == seq) {
			/* Only errno values a system call may return. */
			*result = (res > 0 || res < -133) ? -EIO : res;
			return true;
		}
		kni_count(kd, req_bad_resp);
	}
	return false;
}

/*
 * Sends @rq to the owner and waits for the answer.  Called with RTNL held
 * (all net_device_ops callers hold it), which is why the wait is bounded by
 * kni_req_timeout_ms and ends at once when the device is being released.
 */
static int kni_request(struct kni_dev *kd, struct kni_req *rq)
{
	unsigned long deadline, step = max(1UL, msecs_to_jiffies(10));
	struct kni_file *kf = kd->kf;
	struct kni_req *slot;
	int ret;

	if (READ_ONCE(kd->dead))
		return -ENODEV;

	mutex_lock(&kd->req_lock);
	kni_resp_take(kd, 0, &ret);	/* drop late answers */
	if (!kni_kring_prod_free(&kd->req)) {
		/* Nobody reads the requests. */
		kni_count(kd, req_timeout);
		ret = -ETIMEDOUT;
		goto out;
	}

	if (!++kd->req_seq)	/* 0 never matches an answer */
		++kd->req_seq;
	rq->seq = kd->req_seq;
	slot = kni_kring_req(&kd->req, kd->req.cached);
	WRITE_ONCE(slot->seq, rq->seq);
	WRITE_ONCE(slot->type, rq->type);
	WRITE_ONCE(slot->value, rq->value);
	WRITE_ONCE(slot->result, 0);
	memcpy(slot->mac, rq->mac, sizeof(slot->mac));
	memset(slot->pad, 0, sizeof(slot->pad));
	WRITE_ONCE(slot->rsvd, 0);
	kni_kring_prod_submit(&kd->req, 1);
	kni_count(kd, req_sent);

	atomic_inc(&kf->req_waiting);
	wake_up_interruptible(&kf->poll_wq);
	deadline = jiffies + msecs_to_jiffies(kni_req_timeout_ms);
	for (;;) {
		long left = (long)(deadline - jiffies);

		if (kni_resp_take(kd, rq->seq, &ret))
			break;
		if (READ_ONCE(kd->dead)) {
			ret = -ENODEV;
			break;
		}
		if (left <= 0) {
			kni_count(kd, req_timeout);
			ret = -ETIMEDOUT;
			break;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/* Woken by KNI_IOC_KICK; look again every 10 ms regardless. */
		wait_event_interruptible_timeout(kd->req_wq,
						 kni_resp_ready(kd) ||
						 READ_ONCE(kd->dead),
						 min_t(long, left, step));
	}
	atomic_dec(&kf->req_waiting);
out:
	mutex_unlock(&kd->req_lock);
	return ret;
}

bool kni_dev_req_pending(struct kni_dev *kd)
{
	u32 n = READ_ONCE(kd->req.cached) - READ_ONCE(*kd->req.consumer);

	return n && n <= kd->req.mask + 1;
}

/* net_device_ops */

static int kni_open(struct net_device *dev)
{
	struct kni_dev *kd = netdev_priv(dev);
	struct kni_req rq = { .type = KNI_REQ_CFG_NETWORK_IF, .value = 1 };
	int ret;

	ret = kni_request(kd, &rq);
	if (ret)
		return ret;
	if (kni_carrier_on)
		netif_carrier_on(dev);
	netif_tx_start_all_queues(dev);
	return 0;
}

static int kni_stop(struct net_device *dev)
{
	struct kni_dev *kd = netdev_priv(dev);
	struct kni_req rq = { .type = KNI_REQ_CFG_NETWORK_IF, .value = 0 };

	netif_tx_stop_all_queues(dev);
	if (kni_carrier_on)
		netif_carrier_off(dev);
	/* The interface goes down whatever the answer. */
	kni_request(kd, &rq);
	return 0;
}

static int kni_change_mtu(struct net_device *dev, int new_mtu)
{
	struct kni_dev *kd = netdev_priv(dev);
	struct kni_req rq = { .type = KNI_REQ_CHANGE_MTU, .value = new_mtu };
	int ret;

	if (!kd->from_user) {
		ret = kni_request(kd, &rq);
		if (ret)
			return ret;
	}
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static int kni_set_mac_address(struct net_device *dev, void *p)
{
	struct kni_dev *kd = netdev_priv(dev);
	struct kni_req rq = { .type = KNI_REQ_CHANGE_MAC_ADDR };
	struct sockaddr *sa = p;
	int ret;

	if (!is_valid_ether_addr(sa->sa_data))
		return -EADDRNOTAVAIL;
	if (!kd->from_user) {
		memcpy(rq.mac, sa->sa_data, ETH_ALEN);
		ret = kni_request(kd, &rq);
		if (ret)
			return ret;
	}
	eth_hw_addr_set(dev, sa->sa_data);
	return 0;
}

static void kni_change_rx_flags(struct net_device *dev, int change)
{
	struct kni_dev *kd = netdev_priv(dev);
	struct kni_req rq;

	/*
	 * Called with RTNL held from dev_set_promiscuity() and
	 * dev_set_allmulti().  IFF_UNICAST_FLT keeps the core from calling
	 * it under the address list lock; never sleep if it still happens.
	 */
	if (!preemptible())
		return;

	if (change & IFF_PROMISC) {
		rq = (struct kni_req){ .type = KNI_REQ_CHANGE_PROMISC,
				       .value = !!(dev->flags & IFF_PROMISC) };
		kni_request(kd, &rq);
	}
	if (change & IFF_ALLMULTI) {
		rq = (struct kni_req){ .type = KNI_REQ_CHANGE_ALLMULTI,
				       .value = !!(dev->flags & IFF_ALLMULTI) };
		kni_request(kd, &rq);
	}
}

/* Gives fill descriptor @d back to its owner on tx, unused.  tx_lock held. */
static void kni_tx_return(struct kni_dev *kd, struct kni_desc *d)
{
	d->len = 0;
	d->flags = KNI_DESC_F_INVALID;
	kni_desc_write(kni_kring_desc(&kd->tx, kd->tx.cached), d);
	kni_kring_prod_submit(&kd->tx, 1);
}

/*
 * Puts one frame on the tx ring, in a buffer taken from the fill ring.
 * The frame is @skb, or @len bytes at @data.  tx_lock held, bottom halves
 * off.  A fill descriptor outside the registered memory goes back on the
 * tx ring with KNI_DESC_F_INVALID and length 0 so that its owner gets it
 * back, and the frame is dropped.  One inside it but shorter than the
 * frame (queued before KNI_IOC_SET_BUF_SIZE made the buffers larger) goes
 * back the same way, and the next one is tried.
 */
bool kni_tx_frame(struct kni_dev *kd, const struct sk_buff *skb,
		  const void *data, u32 len)
{
	u32 tries = kd->ring_size;	/* fill holds at most this many */
	struct kni_desc d;
	bool small;
	void *dst;

	if (!len || len > kd->buf_size) {
		kni_count(kd, tx_too_big);
		return false;
	}
	do {
		if (!kni_kring_prod_free(&kd->tx)) {
			kni_count(kd, tx_ring_full);
			return false;
		}
		if (!kni_kring_cons_avail(&kd->fill, 1)) {
			kni_count(kd, tx_no_fill);
			return false;
		}
		kni_desc_read(&d, kni_kring_desc(&kd->fill, kd->fill.cached));
		kni_kring_cons_release(&kd->fill, 1);

		rcu_read_lock();
		dst = kni_mem_lookup(kd->kf, d.addr, d.len);
		small = dst && d.len < len;
		if (dst && !small) {
			if (skb)
				skb_copy_bits(skb, 0, dst, len);
			else
				memcpy(dst, data, len);
		}
		rcu_read_unlock();

		if (!dst) {
			kni_count(kd, fill_bad_desc);
			kni_tx_return(kd, &d);
			return false;
		}
		if (small) {
			kni_count(kd, fill_too_small);
			kni_tx_return(kd, &d);
			if (!--tries) {
				kni_count(kd, tx_no_fill);
				return false;
			}
		}
	} while (small);

	d.len = len;
	d.flags = 0;
	kni_desc_write(kni_kring_desc(&kd->tx, kd->tx.cached), &d);
	kni_kring_prod_submit(&kd->tx, 1);
	kni_count(kd, tx_packets);
	kni_count_add(kd, tx_bytes, len);
	return true;
}

static netdev_tx_t kni_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct kni_dev *kd = netdev_priv(dev);
	bool sent;

	spin_lock(&kd->tx_lock);
	sent = kni_tx_frame(kd, skb, NULL, skb->len);
	spin_unlock(&kd->tx_lock);
	if (sent)
		consume_skb(skb);
	else
		kfree_skb(skb);
	return NETDEV_TX_OK;
}

static void kni_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *s)
{
	struct kni_dev *kd = netdev_priv(dev);
	struct kni_counters *c = &kd->c;

	s->rx_packets = READ_ONCE(c->rx_packets);
	s->rx_bytes = READ_ONCE(c->rx_bytes);
	s->rx_errors = READ_ONCE(c->rx_bad_desc);
	s->rx_dropped = READ_ONCE(c->rx_bad_desc) + READ_ONCE(c->rx_nomem) +
			READ_ONCE(c->rx_dropped);
	s->tx_packets = READ_ONCE(c->tx_packets);
	s->tx_bytes = READ_ONCE(c->tx_bytes);
	s->tx_errors = READ_ONCE(c->fill_bad_desc);
	s->tx_dropped = READ_ONCE(c->tx_no_fill) + READ_ONCE(c->tx_ring_full) +
			READ_ONCE(c->tx_too_big) + READ_ONCE(c->fill_bad_desc);
}

static const struct net_device_ops kni_netdev_ops = {
	.ndo_open = kni_open,
	.ndo_stop = kni_stop,
	.ndo_start_xmit = kni_start_xmit,
	.ndo_change_mtu = kni_change_mtu,
	.ndo_set_mac_address = kni_set_mac_address,
	.ndo_change_rx_flags = kni_change_rx_flags,
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
	struct kni_dev *kd = netdev_priv(dev);

	ring->rx_max_pending = KNI_RING_SIZE_MAX;
	ring->tx_max_pending = KNI_RING_SIZE_MAX;
	ring->rx_pending = kd->ring_size;
	ring->tx_pending = kd->ring_size;
}

#define KNI_STAT(name) { #name, offsetof(struct kni_counters, name) }
static const struct {
	const char *name;
	size_t off;
} kni_ethtool_stats[] = {
	KNI_STAT(rx_packets), KNI_STAT(rx_bytes), KNI_STAT(rx_bad_desc),
	KNI_STAT(rx_nomem), KNI_STAT(rx_dropped), KNI_STAT(tx_packets),
	KNI_STAT(tx_bytes), KNI_STAT(tx_no_fill), KNI_STAT(tx_ring_full),
	KNI_STAT(tx_too_big), KNI_STAT(fill_bad_desc), KNI_STAT(fill_too_small),
	KNI_STAT(comp_ring_full), KNI_STAT(req_sent), KNI_STAT(req_timeout),
	KNI_STAT(req_bad_resp),
};

#define KNI_N_STATS	(ARRAY_SIZE(kni_ethtool_stats) + 1)	/* + kicks */

static int kni_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? KNI_N_STATS : -EOPNOTSUPP;
}

static void kni_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(kni_ethtool_stats); i++)
		ethtool_puts(&data, kni_ethtool_stats[i].name);
	ethtool_puts(&data, "kicks");
}

static void kni_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct kni_dev *kd = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kni_ethtool_stats); i++)
		data[i] = READ_ONCE(*(u64 *)((u8 *)&kd->c +
					     kni_ethtool_stats[i].off));
	data[i] = atomic64_read(&kd->c.kicks);
}

static const struct ethtool_ops kni_ethtool_ops = {
	.get_drvinfo = kni_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_ringparam = kni_get_ringparam,
	.get_sset_count = kni_get_sset_count,
	.get_strings = kni_get_strings,
	.get_ethtool_stats = kni_get_ethtool_stats,
};

static void kni_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &kni_netdev_ops;
	dev->ethtool_ops = &kni_ethtool_ops;
	/* No unicast filter to program, but keeps promisc changes in RTNL. */
	dev->priv_flags |= IFF_UNICAST_FLT;
	/* Nothing would complete an offload: advertise none. */
	dev->features = 0;
	dev->hw_features = 0;
}

/* Device lifecycle */

static int kni_check_create(struct kni_create *c)
{
	size_t len = strnlen(c->name, KNI_NAMESIZE);

	if (len == KNI_NAMESIZE)
		return -ENAMETOOLONG;
	if (!len || !dev_valid_name(c->name) || strchr(c->name, '%'))
		return -EINVAL;
	if (c->flags & ~(KNI_CREATE_F_MAC | KNI_CREATE_F_FORCE_BIND) ||
	    c->pad[0] || c->pad[1] || c->rsvd)
		return -EINVAL;
	if (c->buf_size < KNI_BUF_SIZE_MIN || c->buf_size > KNI_BUF_SIZE_MAX)
		return -EINVAL;
	if (!c->ring_size)
		c->ring_size = KNI_RING_SIZE_DEFAULT;
	if (c->ring_size < KNI_RING_SIZE_MIN ||
	    c->ring_size > KNI_RING_SIZE_MAX || !is_power_of_2(c->ring_size))
		return -EINVAL;

	if (!c->min_mtu)
		c->min_mtu = ETH_MIN_MTU;
	if (!c->max_mtu || c->max_mtu > c->buf_size - ETH_HLEN)
		c->max_mtu = c->buf_size - ETH_HLEN;
	if (c->min_mtu < ETH_MIN_MTU || c->min_mtu > c->max_mtu)
		return -EINVAL;
	if (!c->mtu)
		c->mtu = clamp_t(u32, ETH_DATA_LEN, c->min_mtu, c->max_mtu);
	if (c->mtu < c->min_mtu || c->mtu > c->max_mtu)
		return -EINVAL;

	if (c->flags & KNI_CREATE_F_FORCE_BIND &&
	    (c->core_id >= nr_cpu_ids || !cpu_online(c->core_id)))
		return -EINVAL;
	if (c->flags & KNI_CREATE_F_MAC && !is_valid_ether_addr(c->mac))
		return -EADDRNOTAVAIL;
	return 0;
}

static int kni_dev_rings(struct kni_dev *kd, struct kni_create *c)
{
	struct kni_ring_offsets *o = &kd->off;
	size_t pos = 0, dsz = sizeof(struct kni_desc);
	u32 n = c->ring_size, nr = KNI_REQ_RING_SIZE;
	void *mem;

	pos = kni_ring_layout(&o->rx, pos, n, dsz);
	pos = kni_ring_layout(&o->tx, pos, n, dsz);
	pos = kni_ring_layout(&o->fill, pos, n, dsz);
	pos = kni_ring_layout(&o->comp, pos, n, dsz);
	pos = kni_ring_layout(&o->req, pos, nr, sizeof(struct kni_req));
	pos = kni_ring_layout(&o->resp, pos, nr, sizeof(struct kni_req));
	kd->ring_mem_size = PAGE_ALIGN(pos);

	mem = vmalloc_user(kd->ring_mem_size);
	if (!mem)
		return -ENOMEM;
	kd->ring_mem = mem;
	kni_kring_init(&kd->rx, mem, &o->rx, n);
	kni_kring_init(&kd->tx, mem, &o->tx, n);
	kni_kring_init(&kd->fill, mem, &o->fill, n);
	kni_kring_init(&kd->comp, mem, &o->comp, n);
	kni_kring_init(&kd->req, mem, &o->req, nr);
	kni_kring_init(&kd->resp, mem, &o->resp, nr);

	/* Until the receive thread runs, producers of rx must kick. */
	WRITE_ONCE(*kd->rx.flags, KNI_RING_F_NEED_WAKEUP);
	/* A request waits asleep: answers must always be kicked. */
	WRITE_ONCE(*kd->resp.flags, KNI_RING_F_NEED_WAKEUP);
	return 0;
}

int kni_dev_create(struct kni_file *kf, struct kni_create __user *uarg)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *dev;
	struct kni_create c;
	struct kni_dev *kd;
	int ret;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	ret = kni_check_create(&c);
	if (ret)
		return ret;

	mutex_lock(&kf->lock);
	if (kf->n_devs >= KNI_MAX_DEVS || kf->next_dev_id >= S32_MAX / 2) {
		ret = -ENOSPC;
		goto out_unlock;
	}

	dev = alloc_netdev(sizeof(*kd), c.name, NET_NAME_USER, kni_setup);
	if (!dev) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	dev_net_set(dev, net);
	kd = netdev_priv(dev);
	kd->netdev = dev;
	kd->kf = kf;
	kd->id = ++kf->next_dev_id;
	kd->ring_size = c.ring_size;
	kd->buf_size = c.buf_size;
	INIT_LIST_HEAD(&kd->file_node);
	INIT_LIST_HEAD(&kd->kt_node);
	mutex_init(&kd->mmap_lock);
	spin_lock_init(&kd->tx_lock);
	mutex_init(&kd->req_lock);
	init_waitqueue_head(&kd->req_wq);

	ret = kni_dev_rings(kd, &c);
	if (ret)
		goto out_free;

	dev->min_mtu = c.min_mtu;
	dev->max_mtu = c.max_mtu;
	dev->mtu = c.mtu;
	if (c.flags & KNI_CREATE_F_MAC)
		eth_hw_addr_set(dev, c.mac);
	else
		eth_hw_addr_random(dev);
	netif_carrier_off(dev);

	ret = register_netdev(dev);
	if (ret)
		goto out_free;

	ret = kni_kthread_attach(kd, c.flags & KNI_CREATE_F_FORCE_BIND,
				 c.core_id);
	if (ret)
		goto out_unregister;
	list_add_tail_rcu(&kd->file_node, &kf->devs);
	kf->n_devs++;

	c.id = kd->id;
	c.ifindex = dev->ifindex;
	c.mmap_offset = (u64)kd->id * KNI_MMAP_STRIDE;
	c.mmap_size = kd->ring_mem_size;
	c.ring_size_out = kd->ring_size;
	c.req_ring_size = KNI_REQ_RING_SIZE;
	c.off = kd->off;
	memcpy(c.mac, dev->dev_addr, ETH_ALEN);
	if (copy_to_user(uarg, &c, sizeof(c))) {
		kni_dev_destroy(kd);
		ret = -EFAULT;
	}
	mutex_unlock(&kf->lock);
	return ret;

out_unregister:
	WRITE_ONCE(kd->dead, true);
	unregister_netdev(dev);
out_free:
	vfree(kd->ring_mem);
	free_netdev(dev);
out_unlock:
	mutex_unlock(&kf->lock);
	return ret;
}

/*
 * Releases one device; kf->lock held.  Order matters: mark it dead (a
 * request in flight returns at once and no new one starts), unlink it from
 * the file and its receive thread and wait for their RCU readers, close
 * mmap, unregister (no transmit runs after that), then free the rings.
 */
void kni_dev_destroy(struct kni_dev *kd)
{
	struct net_device *dev = kd->netdev;

	WRITE_ONCE(kd->dead, true);
	wake_up_all(&kd->req_wq);
	list_del_rcu(&kd->file_node);
	kd->kf->n_devs--;
	kni_kthread_detach(kd);

	mutex_lock(&kd->mmap_lock);
	kd->mmap_closed = true;
	mutex_unlock(&kd->mmap_lock);

	unregister_netdev(dev);
	vfree(kd->ring_mem);
	free_netdev(dev);
}

struct kni_dev *kni_dev_find_rcu(struct kni_file *kf, u32 id)
{
	struct kni_dev *kd;

	list_for_each_entry_rcu(kd, &kf->devs, file_node)
		if (kd->id == id)
			return kd;
	return NULL;
}

/*
 * Takes RTNL for an ioctl of the owner that changes @kd.  If RTNL is held
 * by a request of this same file waiting for its answer, blocking here
 * could leave nobody to answer it: fail with -EAGAIN instead, so the owner
 * answers and tries again.  Fails with -ENODEV, RTNL released, if @kd is
 * being released.
 */
static int kni_rtnl_lock(struct kni_dev *kd)
{
	while (!rtnl_trylock()) {
		if (atomic_read(&kd->kf->req_waiting))
			return -EAGAIN;
		if (signal_pending(current))
			return -EINTR;
		usleep_range(200, 500);
	}
	if (READ_ONCE(kd->dead)) {
		rtnl_unlock();
		return -ENODEV;
	}
	return 0;
}

int kni_dev_set_mtu(struct kni_dev *kd, u32 mtu)
{
	int ret;

	if (mtu > INT_MAX)
		return -EINVAL;
	ret = kni_rtnl_lock(kd);
	if (ret)
		return ret;
	kd->from_user = true;
	ret = dev_set_mtu(kd->netdev, mtu);
	kd->from_user = false;
	rtnl_unlock();
	return ret;
}

int kni_dev_set_mac(struct kni_dev *kd, const u8 *mac)
{
	int ret;

	if (!is_valid_ether_addr(mac))
		return -EADDRNOTAVAIL;
	ret = kni_rtnl_lock(kd);
	if (ret)
		return ret;
	kd->from_user = true;
	ret = kni_compat_set_mac(kd->netdev, mac, NULL);
	kd->from_user = false;
	rtnl_unlock();
	return ret;
}

/*
 * Makes the fill buffers @buf_size bytes long from now on, for a larger (or
 * smaller) MTU without making the device again: the device's max_mtu
 * follows, and the buffers queued on fill go back to the owner on tx as
 * far as tx has room (kni_tx_frame() gives back any left that turn out too
 * short).
 */
int kni_dev_set_buf_size(struct kni_dev *kd, u32 buf_size)
{
	struct net_device *dev = kd->netdev;
	u32 n = kd->ring_size;
	struct kni_desc d;
	int ret;

	if (buf_size < KNI_BUF_SIZE_MIN || buf_size > KNI_BUF_SIZE_MAX)
		return -EINVAL;
	ret = kni_rtnl_lock(kd);
	if (ret)
		return ret;
	if (buf_size - ETH_HLEN < dev->mtu ||
	    buf_size - ETH_HLEN < dev->min_mtu) {
		rtnl_unlock();
		return -EINVAL;
	}
	spin_lock_bh(&kd->tx_lock);
	kd->buf_size = buf_size;
	while (n-- && kni_kring_prod_free(&kd->tx) &&
	       kni_kring_cons_avail(&kd->fill, 1)) {
		kni_desc_read(&d, kni_kring_desc(&kd->fill, kd->fill.cached));
		kni_kring_cons_release(&kd->fill, 1);
		kni_tx_return(kd, &d);
	}
	spin_unlock_bh(&kd->tx_lock);
	WRITE_ONCE(dev->max_mtu, buf_size - ETH_HLEN);
	rtnl_unlock();
	return 0;
}

void kni_dev_set_carrier(struct kni_dev *kd, bool on)
{
	if (on)
		netif_carrier_on(kd->netdev);
	else
		netif_carrier_off(kd->netdev);
}

void kni_dev_get_stats(struct kni_dev *kd, struct kni_stats *st)
{
	struct kni_counters *c = &kd->c;

	st->rx_packets = READ_ONCE(c->rx_packets);
	st->rx_bytes = READ_ONCE(c->rx_bytes);
	st->rx_bad_desc = READ_ONCE(c->rx_bad_desc);
	st->rx_nomem = READ_ONCE(c->rx_nomem);
	st->tx_packets = READ_ONCE(c->tx_packets);
	st->tx_bytes = READ_ONCE(c->tx_bytes);
	st->tx_no_fill = READ_ONCE(c->tx_no_fill);
	st->tx_ring_full = READ_ONCE(c->tx_ring_full);
	st->tx_too_big = READ_ONCE(c->tx_too_big);
	st->fill_bad_desc = READ_ONCE(c->fill_bad_desc);
	st->fill_too_small = READ_ONCE(c->fill_too_small);
	st->comp_ring_full = READ_ONCE(c->comp_ring_full);
	st->req_sent = READ_ONCE(c->req_sent);
	st->req_timeout = READ_ONCE(c->req_timeout);
	st->req_bad_resp = READ_ONCE(c->req_bad_resp);
	st->kicks = atomic64_read(&c->kicks);
	st->rx_dropped = READ_ONCE(c->rx_dropped);
}

void kni_dev_kick(struct kni_dev *kd)
{
	struct kni_kthread *kt = kd->kt;

	atomic64_inc(&kd->c.kicks);
	atomic_set(&kt->kicked, 1);
	wake_up(&kt->wq);
	wake_up(&kd->req_wq);
}
