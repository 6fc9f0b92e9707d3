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

#include "kni.h"

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
	return 0;
}

static long kni_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KNI_IOC_ABI_VERSION:
		return put_user((__u32)KNI_ABI_REPORTED, (__u32 __user *)uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kni_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kni_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
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
}

module_init(kni_init);
module_exit(kni_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kernel NIC interface: net_devices backed by userspace rings");
MODULE_AUTHOR("ovs-kni developers");
MODULE_VERSION("0.1");
