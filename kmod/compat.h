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

/* ethtool_puts() appeared in 6.8; ethtool_sprintf() exists since 5.13. */
#ifndef KNI_HAVE_ETHTOOL_PUTS
static inline void ethtool_puts(u8 **data, const char *str)
{
	ethtool_sprintf(data, "%s", str);
}
#endif

#endif /* _KNI_COMPAT_H */
