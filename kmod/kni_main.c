// SPDX-License-Identifier: GPL-2.0
/*
 * kni: kernel NIC interface module.
 *
 * /dev/kni lets a process create net_devices whose packets travel through
 * rings shared with that process.  This file holds the module parameters,
 * the misc device and its file operations.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/poll.h>
#include <linux/netdevice.h>

#include "kni_internal.h"

static char *lo_mode = "lo_mode_none";
module_param(lo_mode, charp, 0444);
MODULE_PARM_DESC(lo_mode,
		 "Loopback mode: lo_mode_none (default), lo_mode_fifo (rx ring looped to tx ring through fill buffers), lo_mode_fifo_skb (the same through an skb)");

static char *kthread_mode = "single";
module_param(kthread_mode, charp, 0444);
MODULE_PARM_DESC(kthread_mode,
		 "Kernel receive threads: single (default, one for all devices), multiple (one per device, bound to core_id with force_bind)");

static char *carrier = "off";
module_param(carrier, charp, 0444);
MODULE_PARM_DESC(carrier,
		 "Carrier at interface up: off (default, until userspace sets it), on (up when the interface is brought up)");

unsigned int kni_req_timeout_ms = 2000;
module_param_named(req_timeout_ms, kni_req_timeout_ms, uint, 0444);
MODULE_PARM_DESC(req_timeout_ms,
		 "Longest wait for userspace to answer a request, in ms (10-10000, default 2000); RTNL is held meanwhile");

unsigned int kni_poll_us = 50;
module_param_named(poll_us, kni_poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us,
		 "Microseconds a receive thread keeps polling idle rings before it sleeps until kicked (0-100000, default 50)");

unsigned int kni_max_pinned_mb = 1024;
module_param_named(max_pinned_mb, kni_max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most memory, in MiB, all processes together may register (pinned); default 1024");

enum kni_lo_mode kni_lo;
bool kni_kthread_multiple;
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
	} else if (!strcmp(kthread_mode, "multiple")) {
		kni_kthread_multiple = true;
	} else {
		pr_err("invalid kthread_mode '%s' (single or multiple)\n",
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

	if (kni_req_timeout_ms < 10 ||
	    kni_req_timeout_ms > KNI_REQ_TIMEOUT_MAX_MS) {
		pr_err("invalid req_timeout_ms '%u' (10-%d)\n",
		       kni_req_timeout_ms, KNI_REQ_TIMEOUT_MAX_MS);
		return -EINVAL;
	}
	if (kni_poll_us > 100000) {
		pr_err("invalid poll_us '%u' (0-100000)\n", kni_poll_us);
		return -EINVAL;
	}
	return 0;
}

static int kni_open_file(struct inode *inode, struct file *file)
{
	struct kni_file *kf;

	kf = kzalloc(sizeof(*kf), GFP_KERNEL);
	if (!kf)
		return -ENOMEM;
	mutex_init(&kf->lock);
	INIT_LIST_HEAD(&kf->devs);
	init_waitqueue_head(&kf->poll_wq);
	atomic_set(&kf->req_waiting, 0);
	file->private_data = kf;
	return nonseekable_open(inode, file);
}

/* Last close, also on exit or kill -9: release everything of this file. */
static int kni_release_file(struct inode *inode, struct file *file)
{
	struct kni_file *kf = file->private_data;
	struct kni_dev *kd, *tmp;

	mutex_lock(&kf->lock);
	list_for_each_entry_safe(kd, tmp, &kf->devs, file_node)
		kni_dev_destroy(kd);
	mutex_unlock(&kf->lock);
	kni_mem_release_all(kf);
	mutex_destroy(&kf->lock);
	kfree(kf);
	return 0;
}

static int kni_release_dev(struct kni_file *kf, u32 id)
{
	struct kni_dev *kd, *found = NULL;

	mutex_lock(&kf->lock);
	list_for_each_entry(kd, &kf->devs, file_node) {
		if (kd->id == id) {
			found = kd;
			break;
		}
	}
	if (found)
		kni_dev_destroy(found);
	mutex_unlock(&kf->lock);
	return found ? 0 : -ENOENT;
}

/* Finds device @id of @kf and holds a reference on its net_device. */
static struct kni_dev *kni_dev_get(struct kni_file *kf, u32 id)
{
	struct kni_dev *kd;

	rcu_read_lock();
	kd = kni_dev_find_rcu(kf, id);
	if (kd)
		dev_hold(kd->netdev);
	rcu_read_unlock();
	return kd;
}

static void kni_dev_put(struct kni_dev *kd)
{
	dev_put(kd->netdev);
}

static long kni_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kni_file *kf = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct kni_dev_value dv;
	struct kni_dev_mac dm;
	struct kni_stats st;
	struct kni_dev *kd;
	long ret;
	u32 id;

	switch (cmd) {
	case KNI_IOC_ABI_VERSION:
		return put_user((__u32)KNI_ABI_REPORTED, (__u32 __user *)uarg);

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
		return kni_release_dev(kf, id);

	case KNI_IOC_SET_CARRIER:
		if (copy_from_user(&dv, uarg, sizeof(dv)))
			return -EFAULT;
		if (dv.value > 1)
			return -EINVAL;
		rcu_read_lock();
		kd = kni_dev_find_rcu(kf, dv.id);
		if (kd)
			kni_dev_set_carrier(kd, dv.value);
		rcu_read_unlock();
		return kd ? 0 : -ENOENT;

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
		kni_dev_put(kd);
		return ret;

	case KNI_IOC_SET_MAC:
		if (copy_from_user(&dm, uarg, sizeof(dm)))
			return -EFAULT;
		if (dm.pad[0] || dm.pad[1])
			return -EINVAL;
		kd = kni_dev_get(kf, dm.id);
		if (!kd)
			return -ENOENT;
		ret = kni_dev_set_mac(kd, dm.mac);
		kni_dev_put(kd);
		return ret;

	case KNI_IOC_KICK:
		if (get_user(id, (__u32 __user *)uarg))
			return -EFAULT;
		rcu_read_lock();
		kd = kni_dev_find_rcu(kf, id);
		if (kd)
			kni_dev_kick(kd);
		rcu_read_unlock();
		return kd ? 0 : -ENOENT;

	case KNI_IOC_GET_STATS:
		if (get_user(id, (__u32 __user *)uarg))
			return -EFAULT;
		memset(&st, 0, sizeof(st));
		st.id = id;
		rcu_read_lock();
		kd = kni_dev_find_rcu(kf, id);
		if (kd)
			kni_dev_get_stats(kd, &st);
		rcu_read_unlock();
		if (!kd)
			return -ENOENT;
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;

	default:
		return -ENOTTY;
	}
}

/* Maps the rings of device id at offset id * KNI_MMAP_STRIDE. */
static int kni_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kni_file *kf = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long size = vma->vm_end - vma->vm_start;
	struct kni_dev *kd;
	int ret;

	if (off % KNI_MMAP_STRIDE || off / KNI_MMAP_STRIDE > U32_MAX)
		return -EINVAL;
	kd = kni_dev_get(kf, off / KNI_MMAP_STRIDE);
	if (!kd)
		return -EINVAL;

	mutex_lock(&kd->mmap_lock);
	if (kd->mmap_closed || size > kd->ring_mem_size)
		ret = -EINVAL;
	else
		ret = remap_vmalloc_range(vma, kd->ring_mem, 0);
	mutex_unlock(&kd->mmap_lock);
	kni_dev_put(kd);
	return ret;
}

/* Readable while a request of one of the file's devices is unread. */
static __poll_t kni_poll(struct file *file, poll_table *wait)
{
	struct kni_file *kf = file->private_data;
	struct kni_dev *kd;
	__poll_t mask = 0;

	poll_wait(file, &kf->poll_wq, wait);
	rcu_read_lock();
	list_for_each_entry_rcu(kd, &kf->devs, file_node) {
		if (kni_dev_req_pending(kd)) {
			mask = EPOLLIN | EPOLLRDNORM;
			break;
		}
	}
	rcu_read_unlock();
	return mask;
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

	ret = misc_register(&kni_misc);
	if (ret) {
		pr_err("cannot register /dev/kni: %d\n", ret);
		return ret;
	}
	pr_info("loaded: ABI %u, lo_mode=%s kthread_mode=%s carrier=%s\n",
		KNI_ABI_REPORTED, lo_mode, kthread_mode, carrier);
	return 0;
}

static void __exit kni_exit(void)
{
	misc_deregister(&kni_misc);
	kni_kthread_exit();
}

module_init(kni_init);
module_exit(kni_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kernel NIC interface: net_devices backed by userspace rings");
MODULE_AUTHOR("ovs-kni developers");
MODULE_VERSION(KNI_DRV_VERSION);
