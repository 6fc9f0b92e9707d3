/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel versions the kni module builds against
 * (6.1 and later).  Keep every version test of the module in this file.
 */
#ifndef _KNI_COMPAT_H
#define _KNI_COMPAT_H

#include <linux/version.h>
#include <linux/ethtool.h>

/* ethtool_puts() appeared in 6.8; ethtool_sprintf() exists since 5.13. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define kni_ethtool_puts(data, str) ethtool_sprintf(data, "%s", str)
#else
#define kni_ethtool_puts(data, str) ethtool_puts(data, str)
#endif

#endif /* _KNI_COMPAT_H */
