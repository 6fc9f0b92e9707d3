/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kni: kernel NIC interface module, internal declarations.
 */
#ifndef _KNI_H
#define _KNI_H

#include <linux/types.h>

#include "uapi/kni.h"
#include "compat.h"

#ifdef KNI_ABI_REPORT
#define KNI_ABI_REPORTED	KNI_ABI_REPORT
#else
#define KNI_ABI_REPORTED	KNI_ABI_VERSION
#endif

enum kni_lo_mode {
	KNI_LO_NONE,
	KNI_LO_FIFO,
	KNI_LO_FIFO_SKB,
};

extern enum kni_lo_mode kni_lo;
extern bool kni_kthread_multiple;
extern bool kni_carrier_on;

#endif /* _KNI_H */
