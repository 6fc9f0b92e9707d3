// SPDX-License-Identifier: GPL-2.0
/*
 * kni: kernel NIC interface module.
 *
 * /dev/kni lets a process create net_devices whose packets travel through
 * rings shared with that process.  This file holds the module parameters,
 * the memory shared with userspace, the misc device and its file
 * operations, and the file's event ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kni_internal.h"

static char *lo_mode = "lo_mode_none";
module_param(lo_mode, charp, 0444);
MODULE_PARM_DESC(lo_mode,
		 "Loopback mode: lo_mode_none (default), lo_mode_fifo (rx ring looped to tx ring through fill buffers), lo_mode_fifo_skb (the same through an skb)");

static char *kthread_mode = "none";
module_param(kthread_mode, charp, 0444);
MODULE_PARM_DESC(kthread_mode,
		 "Kernel receive threads: none (default: no thread, receive runs through NAPI on the CPU of the owner's kick), single (one thread for all devices), multiple (one per device, bound to core_id with force_bind)");

static char *carrier = "off";
module_param(carrier, charp, 0444);
MODULE_PARM_DESC(carrier,
		 "Carrier at interface up: off (default, until userspace sets it), on (up when the interface is brought up)");

unsigned int kni_poll_us = 50;
module_param_named(poll_us, kni_poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us,
		 "Microseconds a receive thread keeps polling idle rings before it sleeps until kicked (0-100000, default 50)");

unsigned int kni_max_pinned_mb = 4096;
module_param_named(max_pinned_mb, kni_max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most memory, in MiB, all users together may register (pinned); default 4096");

unsigned int kni_max_pinned_mb_user = 1024;
module_param_named(max_pinned_mb_user, kni_max_pinned_mb_user, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb_user,
		 "Most memory, in MiB, one user may register (pinned); default 1024");

enum kni_lo_mode kni_lo;
bool kni_kthread_multiple;
bool kni_rx_napi;
bool kni_carrier_on;

static int kni_parse_params(void)
{
	if (!strcmp(lo_mode, "lo_mode_none")) {
		kni_lo = KNI_LO_NONE;
	} else if (!strcmp(lo_mode, "lo_mode_fifo")) {
		kni_lo = KNI_LO_FIFO;
	} else if (!strcmp(lo_mode, "lo_mode_fifo_skb")) {
		kni_lo = KNI_LO_FIFO_SKB;
	} else {
		pr_err("invalid lo_mode '%s' (lo_mode_none, lo_mode_fifo or lo_mode_fifo_skb)\n",
		       lo_mode);
		return -EINVAL;
	}

	if (!strcmp(kthread_mode, "single")) {
		kni_kthread_multiple = false;
		kni_rx_napi = false;
	} else if (!strcmp(kthread_mode, "multiple")) {
		kni_kthread_multiple = true;
		kni_rx_napi = false;
	} else if (!strcmp(kthread_mode, "none")) {
		kni_kthread_multiple = false;
		kni_rx_napi = true;
	} else {
		pr_err("invalid kthread_mode '%s' (single, multiple or none)\n",
		       kthread_mode);
		return -EINVAL;
	}

	if (!strcmp(carrier, "off")) {
		kni_carrier_on = false;
	} else if (!strcmp(carrier, "on")) {
		kni_carrier_on = true;
	} else {
		pr_err("invalid carrier '%s' (off or on)\n", carrier);
		return -EINVAL;
	}

	if (kni_poll_us > 100000) {
		pr_err("invalid poll_us '%u' (0-100000)\n", kni_poll_us);
		return -EINVAL;
	}
	return 0;
}

/* Memory shared with userspace */

/*
 * Allocates @size bytes (rounded up to pages) of zeroed memory charged to
 * the caller's memory cgroup, mapped into the kernel with vmap().
 */
int kni_shmem_alloc(struct kni_shmem *m, size_t size)
{
	unsigned int i, n = PAGE_ALIGN(size) >> PAGE_SHIFT;

	m->npages = 0;
	m->kaddr = NULL;
	m->pages = kvcalloc(n, sizeof(*m->pages), GFP_KERNEL_ACCOUNT);
	if (!m->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		m->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!m->pages[i])
			goto fail;
		m->npages++;
	}
	m->kaddr = vmap(m->pages, n, VM_MAP, PAGE_KERNEL);
	if (!m->kaddr)
		goto fail;
	return 0;

fail:
	kni_shmem_free(m);
	return -ENOMEM;
}

/*
 * A userspace mapping holds its own reference on each page, so the pages
 * live on in it, unused by the kernel, until munmap.
 */
void kni_shmem_free(struct kni_shmem *m)
{
	unsigned int i;

	if (m->kaddr)
		vunmap(m->kaddr);
	for (i = 0; i < m->npages; i++)
		__free_page(m->pages[i]);
	kvfree(m->pages);
	m->pages = NULL;
	m->npages = 0;
	m->kaddr = NULL;
}

static int kni_shmem_mmap(struct kni_shmem *m, struct vm_area_struct *vma)
{
	unsigned long n = vma_pages(vma);

	if (n > m->npages || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_pages(vma, vma->vm_start, m->pages, &n);
}

/* Rings */

/* Shared words of a ring, each on its own cache line, then the entries. */
#define KNI_RING_PRODUCER	0
#define KNI_RING_CONSUMER	64
#define KNI_RING_FLAGS		128
#define KNI_RING_HDR		192

/* Lays a ring of @entries entries out at @pos; returns the end. */
size_t kni_ring_layout(struct kni_ring_offset *o, size_t pos, u32 entries,
		       size_t entry_size)
{
	o->producer = pos + KNI_RING_PRODUCER;
	o->consumer = pos + KNI_RING_CONSUMER;
	o->flags = pos + KNI_RING_FLAGS;
	o->desc = pos + KNI_RING_HDR;
	return ALIGN(pos + KNI_RING_HDR + entries * entry_size, 64);
}

void kni_kring_init(struct kni_kring *r, void *mem,
		    const struct kni_ring_offset *o, u32 entries)
{
	r->producer = mem + o->producer;
	r->consumer = mem + o->consumer;
	r->flags = mem + o->flags;
	r->desc = mem + o->desc;
	r->mask = entries - 1;
	r->cached = 0;
}

/* Events */

static int kni_events_init(struct kni_file *kf)
{
	struct kni_event_ring *info = &kf->event_info;
	size_t size;
	int ret;

	size = kni_ring_layout(&info->off, 0, KNI_EVENT_RING_SIZE,
			       sizeof(struct kni_event));
	ret = kni_shmem_alloc(&kf->event_mem, size);
	if (ret)
		return ret;
	info->mmap_offset = 0;
	info->mmap_size = (u64)kf->event_mem.npages << PAGE_SHIFT;
	info->size = KNI_EVENT_RING_SIZE;
	kni_kring_init(&kf->events, kf->event_mem.kaddr, &info->off,
		       KNI_EVENT_RING_SIZE);
	spin_lock_init(&kf->event_lock);
	return 0;
}

/*
 * Posts an event of @kd for its owner; never waits.  When one slot is left
 * it becomes KNI_EVENT_OVERFLOW and the events that follow are dropped
 * until the owner has read some.  Any context.
 */
void kni_event_post(struct kni_dev *kd, u32 type, u32 value, u32 aux,
		    const u8 *mac)
{
	struct kni_file *kf = kd->kf;
	struct kni_event *ev;
	unsigned long flags;
	u32 room;

	if (READ_ONCE(kd->dead))
		return;
	atomic64_inc(&kd->events);

	spin_lock_irqsave(&kf->event_lock, flags);
	room = kni_kring_prod_free(&kf->events);
	if (room) {
		ev = (struct kni_event *)kf->events.desc +
		     (kf->events.cached & kf->events.mask);
		if (room == 1) {
			WRITE_ONCE(ev->dev_id, 0);
			WRITE_ONCE(ev->type, KNI_EVENT_OVERFLOW);
			WRITE_ONCE(ev->value, 0);
			WRITE_ONCE(ev->aux, 0);
			memset(ev->mac, 0, sizeof(ev->mac));
		} else {
			WRITE_ONCE(ev->dev_id, kd->id);
			WRITE_ONCE(ev->type, type);
			WRITE_ONCE(ev->value, value);
			WRITE_ONCE(ev->aux, aux);
			if (mac)
				memcpy(ev->mac, mac, sizeof(ev->mac));
			else
				memset(ev->mac, 0, sizeof(ev->mac));
		}
		memset(ev->pad, 0, sizeof(ev->pad));
		kni_kring_prod_submit(&kf->events, 1);
	}
	spin_unlock_irqrestore(&kf->event_lock, flags);
	if (room)
		wake_up_interruptible(&kf->poll_wq);
}

/* File operations */

static int kni_open_file(struct inode *inode, struct file *file)
{
	struct kni_file *kf;
	int ret;

	kf = kzalloc(sizeof(*kf), GFP_KERNEL_ACCOUNT);
	if (!kf)
		return -ENOMEM;
	mutex_init(&kf->lock);
	xa_init_flags(&kf->devs, XA_FLAGS_ALLOC1);
	init_waitqueue_head(&kf->poll_wq);
	ret = kni_events_init(kf);
	if (ret) {
		kfree(kf);
		return ret;
	}
	file->private_data = kf;
	return nonseekable_open(inode, file);
}

/* Last close, also on exit or kill -9: release everything of this file. */
static int kni_release_file(struct inode *inode, struct file *file)
{
	struct kni_file *kf = file->private_data;

	kni_dev_release_all(kf);
	kni_mem_release_all(kf);
	kni_shmem_free(&kf->event_mem);
	xa_destroy(&kf->devs);
	mutex_destroy(&kf->lock);
	kfree(kf);
	return 0;
}

static long kni_dev_ioctl(struct kni_file *kf, unsigned int cmd,
			  void __user *uarg)
{
	struct kni_dev_value dv;
	struct kni_dev_mac dm;
	struct kni_policy pol;
	struct kni_link link;
	struct kni_core core;
	struct kni_dev *kd;
	long ret;

	switch (cmd) {
	case KNI_IOC_SET_MTU:
	case KNI_IOC_SET_BUF_SIZE:
		if (copy_from_user(&dv, uarg, sizeof(dv)))
			return -EFAULT;
		kd = kni_dev_get(kf, dv.id);
		if (!kd)
			return -ENOENT;
		if (cmd == KNI_IOC_SET_MTU)
			ret = kni_dev_set_mtu(kd, dv.value);
		else
			ret = kni_dev_set_buf_size(kd, dv.value);
		break;

	case KNI_IOC_SET_MAC:
		if (copy_from_user(&dm, uarg, sizeof(dm)))
			return -EFAULT;
		if (dm.pad[0] || dm.pad[1])
			return -EINVAL;
		kd = kni_dev_get(kf, dm.id);
		if (!kd)
			return -ENOENT;
		ret = kni_dev_set_mac(kd, dm.mac);
		break;

	case KNI_IOC_SET_POLICY:
		if (copy_from_user(&pol, uarg, sizeof(pol)))
			return -EFAULT;
		kd = kni_dev_get(kf, pol.id);
		if (!kd)
			return -ENOENT;
		ret = kni_dev_set_policy(kd, &pol);
		break;

	case KNI_IOC_SET_LINK:
		if (copy_from_user(&link, uarg, sizeof(link)))
			return -EFAULT;
		kd = kni_dev_get(kf, link.id);
		if (!kd)
			return -ENOENT;
		ret = kni_dev_set_link(kd, &link);
		break;

	case KNI_IOC_SET_CORE:
		if (copy_from_user(&core, uarg, sizeof(core)))
			return -EFAULT;
		kd = kni_dev_get(kf, core.id);
		if (!kd)
			return -ENOENT;
		ret = kni_dev_set_core(kd, &core);
		break;

	default:
		return -ENOTTY;
	}
	kni_dev_put(kd);
	return ret;
}

/* GET_INFO, GET_ADDRS, GET_STATS: copy a struct out about one device. */
static long kni_dev_get_ioctl(struct kni_file *kf, unsigned int cmd,
			      void __user *uarg)
{
	size_t size = _IOC_SIZE(cmd);
	struct kni_dev *kd;
	void *buf;
	long ret = 0;
	u32 id;

	if (get_user(id, (__u32 __user *)uarg))
		return -EFAULT;
	kd = kni_dev_get(kf, id);
	if (!kd)
		return -ENOENT;
	buf = kzalloc(size, GFP_KERNEL);
	if (!buf) {
		kni_dev_put(kd);
		return -ENOMEM;
	}
	/* Each struct starts with the device id. */
	*(u32 *)buf = id;
	if (cmd == KNI_IOC_GET_INFO)
		kni_dev_get_info(kd, buf);
	else if (cmd == KNI_IOC_GET_ADDRS)
		kni_dev_get_addrs(kd, buf);
	else
		kni_dev_get_stats(kd, buf);
	kni_dev_put(kd);
	if (copy_to_user(uarg, buf, size))
		ret = -EFAULT;
	kfree(buf);
	return ret;
}

/* KNI_IOC_KICK for one receive and one transmit queue. */
static long kni_kick_queue(struct kni_file *kf, void __user *uarg)
{
	struct kni_kick k;
	struct kni_dev *kd;
	long ret = 0;

	if (copy_from_user(&k, uarg, sizeof(k)))
		return -EFAULT;
	rcu_read_lock();
	kd = xa_load(&kf->devs, k.id);
	if (!kd)
		ret = -ENOENT;
	else if ((k.rx_queue != KNI_QUEUE_NONE && k.rx_queue >= kd->n_rxq) ||
		 (k.tx_queue != KNI_QUEUE_NONE && k.tx_queue >= kd->n_txq))
		ret = -EINVAL;
	else
		kni_dev_kick(kd, k.rx_queue, k.tx_queue);
	rcu_read_unlock();
	return ret;
}

static long kni_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kni_file *kf = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct kni_dev *kd;
	u32 id;

	switch (cmd) {
	case KNI_IOC_ABI_VERSION:
		return put_user((__u32)KNI_ABI_REPORTED, (__u32 __user *)uarg);

	case KNI_IOC_EVENT_RING:
		return copy_to_user(uarg, &kf->event_info,
				    sizeof(kf->event_info)) ? -EFAULT : 0;

	case KNI_IOC_MEM_REG:
		return kni_mem_reg(kf, uarg);

	case KNI_IOC_MEM_UNREG:
		if (get_user(id, (__u32 __user *)uarg))
			return -EFAULT;
		return kni_mem_unreg(kf, id);

	case KNI_IOC_CREATE:
		return kni_dev_create(kf, uarg);

	case KNI_IOC_RELEASE:
		if (get_user(id, (__u32 __user *)uarg))
			return -EFAULT;
		return kni_dev_release(kf, id);

	case KNI_IOC_KICK:
		/* The data path's call: one lookup, no reference taken. */
		if (get_user(id, (__u32 __user *)uarg))
			return -EFAULT;
		rcu_read_lock();
		kd = xa_load(&kf->devs, id);
		if (kd)
			kni_dev_kick(kd, KNI_QUEUE_ALL, KNI_QUEUE_ALL);
		rcu_read_unlock();
		return kd ? 0 : -ENOENT;

	case KNI_IOC_KICK_QUEUE:
		return kni_kick_queue(kf, uarg);

	case KNI_IOC_GET_INFO:
	case KNI_IOC_GET_ADDRS:
	case KNI_IOC_GET_STATS:
		return kni_dev_get_ioctl(kf, cmd, uarg);

	default:
		return kni_dev_ioctl(kf, cmd, uarg);
	}
}

/* Offset 0 maps the event ring, id * KNI_MMAP_STRIDE device id's rings. */
static int kni_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kni_file *kf = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct kni_dev *kd;
	int ret;

	if (!off)
		return kni_shmem_mmap(&kf->event_mem, vma);
	if (off % KNI_MMAP_STRIDE || off / KNI_MMAP_STRIDE > U32_MAX)
		return -EINVAL;
	kd = kni_dev_get(kf, off / KNI_MMAP_STRIDE);
	if (!kd)
		return -EINVAL;
	ret = kni_shmem_mmap(&kd->ring_mem, vma);
	kni_dev_put(kd);
	return ret;
}

/* Readable while the event ring holds an unread event. */
static __poll_t kni_poll(struct file *file, poll_table *wait)
{
	struct kni_file *kf = file->private_data;
	u32 n;

	poll_wait(file, &kf->poll_wq, wait);
	n = READ_ONCE(kf->events.cached) - READ_ONCE(*kf->events.consumer);
	return n && n <= kf->events.mask + 1 ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations kni_fops = {
	.owner = THIS_MODULE,
	.open = kni_open_file,
	.release = kni_release_file,
	.unlocked_ioctl = kni_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = kni_mmap,
	.poll = kni_poll,
	.llseek = noop_llseek,
};

static struct miscdevice kni_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kni",
	.fops = &kni_fops,
	.mode = 0600,
};

static int __init kni_init(void)
{
	int ret;

	ret = kni_parse_params();
	if (ret)
		return ret;

	ret = kni_net_init();
	if (ret)
		return ret;

	ret = misc_register(&kni_misc);
	if (ret) {
		pr_err("cannot register /dev/kni: %d\n", ret);
		kni_net_exit();
		return ret;
	}
	pr_info("loaded: ABI %u, lo_mode=%s kthread_mode=%s carrier=%s\n",
		KNI_ABI_REPORTED, lo_mode, kthread_mode, carrier);
	return 0;
}

static void __exit kni_exit(void)
{
	misc_deregister(&kni_misc);
	kni_net_exit();
	kni_kthread_exit();
	kni_mem_exit();
}

module_init(kni_init);
module_exit(kni_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kernel NIC interface: net_devices backed by userspace rings");
MODULE_AUTHOR("ovs-kni developers");
MODULE_VERSION(KNI_DRV_VERSION);
