/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels the kni module builds against (6.1 and
 * later).  Kbuild probes the kernel headers for the features named here
 * (KNI_HAVE_*), so that distribution backports count too; keep every such
 * difference of the module in this file.
 */
#ifndef _KNI_COMPAT_H
#define _KNI_COMPAT_H

#include <linux/ethtool.h>
#include <linux/mm.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/socket.h>

/* ethtool_puts() appeared in 6.8; ethtool_sprintf() exists since 5.13. */
#ifndef KNI_HAVE_ETHTOOL_PUTS
static inline void ethtool_puts(u8 **data, const char *str)
{
	ethtool_sprintf(data, "%s", str);
}
#endif

/* vm_flags_set() appeared in 6.3, when vm_flags became read-only. */
#ifndef KNI_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * dev_set_mac_address() takes a struct sockaddr_storage since 6.16, a
 * struct sockaddr before; the address sits after the family in both.
 */
static inline int kni_compat_set_mac(struct net_device *dev, const u8 *mac,
				     struct netlink_ext_ack *extack)
{
#ifdef KNI_HAVE_SET_MAC_SS
	struct sockaddr_storage sa = { .ss_family = dev->type };
#else
	struct sockaddr sa = { .sa_family = dev->type };
#endif

	memcpy(((struct sockaddr *)&sa)->sa_data, mac, ETH_ALEN);
	return dev_set_mac_address(dev, (void *)&sa, extack);
}

#endif /* _KNI_COMPAT_H */
