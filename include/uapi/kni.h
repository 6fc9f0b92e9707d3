/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * ovs-kni: the ABI between the kni kernel module and userspace.
 *
 * This is the only header shared by kmod/ and lib/.  It holds fixed-width
 * types only, explicit padding and no pointers.  Userspace must check
 * KNI_IOC_ABI_VERSION before anything else and refuse a module whose
 * version differs from KNI_ABI_VERSION.
 *
 * Model
 * -----
 * A process opens /dev/kni, registers the memory its packet buffers live in
 * (KNI_IOC_MEM_REG), then creates devices (KNI_IOC_CREATE).  Every device
 * and every registered region belongs to the file it was created through;
 * closing that file (exit, kill -9) releases the devices and unpins the
 * memory.
 *
 * Each device has one set of single-producer/single-consumer rings, mapped
 * into userspace with mmap(fd, create.mmap_offset, create.mmap_size).  Ring
 * names are seen from the kernel net_device, as for a NIC:
 *
 *   rx    userspace -> kernel   frames the kernel stack receives
 *   tx    kernel -> userspace   frames the kernel stack transmitted
 *   fill  userspace -> kernel   empty buffers for the kernel to transmit into
 *   comp  kernel -> userspace   rx buffers the kernel is finished with
 *   req   kernel -> userspace   control requests (struct kni_req)
 *   resp  userspace -> kernel   answers to those requests (struct kni_req)
 *
 * A packet descriptor names a buffer by its userspace virtual address.  The
 * kernel never dereferences that address: it looks it up in the regions the
 * file registered and uses its own mapping of the pinned pages.  A
 * descriptor whose [addr, addr + len) is not inside one registered region is
 * dropped and counted (kni_stats.rx_bad_desc, fill_bad_desc), never used.
 * The cookie is opaque to the kernel and comes back unchanged: a buffer
 * given on fill returns on tx with the same cookie, a buffer given on rx
 * returns on comp with the same cookie.
 *
 * Indices are free-running 32-bit counters; the slot is index & (size - 1).
 * A producer writes the slot, then publishes producer with release
 * semantics; a consumer reads producer with acquire semantics.  The kernel
 * bounds every index it reads (producer - consumer <= size): a ring whose
 * index is out of bounds counts as empty (rx, fill, resp) or full (tx,
 * comp, req) until it is sane again.
 *
 * Details the kernel guarantees
 * -----------------------------
 * - Registered memory: pinned until KNI_IOC_MEM_UNREG or close; at most
 *   KNI_MAX_REGIONS regions per file and the module parameter
 *   max_pinned_mb (MiB, all files together) pinned in all, also charged
 *   to RLIMIT_MEMLOCK without CAP_IPC_LOCK.  Regions may overlap; a buffer
 *   must lie inside one of them.  Unaligned buffers are fine.
 * - A bad descriptor is never used but always given back, with
 *   KNI_DESC_F_INVALID (see below), so every buffer returns to its owner.
 * - rx frames are at least 14 bytes (an Ethernet header) and at most
 *   65536; a fill buffer must hold the whole frame (desc.len >= frame).
 * - NEED_WAKEUP: after publishing entries, the producer issues a full
 *   barrier (e.g. __atomic_thread_fence(__ATOMIC_SEQ_CST)) and then reads
 *   the flags word; the kernel sets the flag, issues a full barrier and
 *   looks at the producer index once more before it sleeps.
 * - Requests: the fd polls readable (POLLIN) while a req ring holds an
 *   unread request.  The kernel waits for the answer at most
 *   req_timeout_ms (module parameter), holding RTNL meanwhile, then fails
 *   the change with ETIMEDOUT; a late answer is dropped and counted
 *   (req_bad_resp).  Releasing the device or closing the file ends the
 *   wait at once (ENODEV).  Answers may be kicked (KNI_IOC_KICK); the
 *   kernel also looks at resp every 10 ms.  result must be 0 or a negative
 *   errno value (others become EIO).
 *   Answer from a thread that never waits for RTNL, directly or through
 *   a lock: a netlink dump or a SIOCSIF* ioctl made while a request waits
 *   blocks until the request times out.
 * - KNI_IOC_SET_MTU, KNI_IOC_SET_MAC and KNI_IOC_SET_BUF_SIZE need RTNL:
 *   if RTNL is held by a request of the same file that waits for its
 *   answer, they fail with EAGAIN instead of blocking (answer the request,
 *   then retry).
 * - The rings' mapping holds the file open; after KNI_IOC_RELEASE it stays
 *   valid (but dead) until munmap.
 */
#ifndef _UAPI_KNI_H
#define _UAPI_KNI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KNI_ABI_VERSION		2
#define KNI_DEVICE_PATH		"/dev/kni"
#define KNI_NAMESIZE		16	/* IFNAMSIZ: 15 bytes and a NUL */

#define KNI_RING_SIZE_MIN	64
#define KNI_RING_SIZE_MAX	16384
#define KNI_RING_SIZE_DEFAULT	1024
#define KNI_REQ_RING_SIZE	16	/* req and resp rings, fixed */
#define KNI_REQ_TIMEOUT_MAX_MS	10000	/* largest req_timeout_ms */
#define KNI_MAX_REGIONS		64	/* registered regions per file */

/* One packet buffer. */
struct kni_desc {
	__u64 addr;	/* userspace address of the first byte of the frame */
	__u32 len;	/* frame length; on fill: bytes the buffer can take */
	__u16 flags;	/* KNI_DESC_F_* */
	__u16 pad;	/* zero */
	__u64 cookie;	/* opaque, returned unchanged */
	__u64 rsvd;	/* zero */
};

/*
 * Descriptor flags.  KNI_DESC_F_INVALID is set by the kernel on a buffer it
 * gives back unused because its descriptor was bad (outside the registered
 * memory, zero length, or, on fill, shorter than the frame): on comp for an
 * rx descriptor, on tx with len 0 for a fill descriptor.  Such a buffer
 * holds no frame; its owner just takes it back.
 */
#define KNI_DESC_F_INVALID	(1U << 0)

/* Request types, kernel -> userspace. */
enum kni_req_type {
	KNI_REQ_CHANGE_MTU = 1,		/* value: new MTU */
	KNI_REQ_CFG_NETWORK_IF = 2,	/* value: 1 up, 0 down */
	KNI_REQ_CHANGE_MAC_ADDR = 3,	/* mac: new address */
	KNI_REQ_CHANGE_PROMISC = 4,	/* value: 1 on, 0 off */
	KNI_REQ_CHANGE_ALLMULTI = 5,	/* value: 1 on, 0 off */
};

/* A request (req ring) and its answer (resp ring, same seq and type). */
struct kni_req {
	__u32 seq;	/* set by the kernel, echoed in the answer */
	__u32 type;	/* enum kni_req_type */
	__u32 value;
	__s32 result;	/* answer: 0 or a negative errno */
	__u8 mac[6];
	__u8 pad[2];
	__u64 rsvd;	/* zero */
};

/* Where one ring lives inside the device's mmap area (byte offsets). */
struct kni_ring_offset {
	__u64 producer;	/* __u32 */
	__u64 consumer;	/* __u32 */
	__u64 flags;	/* __u32, KNI_RING_F_* */
	__u64 desc;	/* array of ring size entries */
};

struct kni_ring_offsets {
	struct kni_ring_offset rx;
	struct kni_ring_offset tx;
	struct kni_ring_offset fill;
	struct kni_ring_offset comp;
	struct kni_ring_offset req;
	struct kni_ring_offset resp;
};

/*
 * Ring flags, written by the ring's consumer.  KNI_RING_F_NEED_WAKEUP on
 * rx, fill or resp means the kernel is idle: after producing, userspace
 * must call KNI_IOC_KICK.
 */
#define KNI_RING_F_NEED_WAKEUP	(1U << 0)

/* KNI_IOC_MEM_REG: register [addr, addr + len) of the caller's memory. */
struct kni_mem_reg {
	__u64 addr;	/* in: page aligned */
	__u64 len;	/* in: multiple of the page size, > 0 */
	__u32 flags;	/* in: zero */
	__u32 id;	/* out: region id, for KNI_IOC_MEM_UNREG */
};

#define KNI_CREATE_F_MAC	(1U << 0)	/* use mac[], else random */
#define KNI_CREATE_F_FORCE_BIND	(1U << 1)	/* bind the kthread to core_id */
/* (kthread_mode=single: only the first device decides the binding.) */

/* KNI_IOC_CREATE: make a net_device and its rings. */
struct kni_create {
	char name[KNI_NAMESIZE];	/* in: NUL terminated */
	__u32 flags;		/* in: KNI_CREATE_F_* */
	__u32 mtu;		/* in: 0 for 1500 */
	__u32 min_mtu;		/* in: 0 for 68 */
	__u32 max_mtu;		/* in: 0 for buf_size - 14, capped by it */
	__u32 buf_size;		/* in: bytes a fill buffer holds, >= 64 */
	__u32 ring_size;	/* in: power of two, 0 for the default */
	__u32 core_id;		/* in: with KNI_CREATE_F_FORCE_BIND */
	__u8 mac[6];		/* in: with KNI_CREATE_F_MAC; out: in use */
	__u8 pad[2];		/* zero */
	__u32 id;		/* out: device id on this file */
	__u32 ifindex;		/* out: in the creator's netns */
	__u32 rsvd;		/* zero */
	__u64 mmap_offset;	/* out: mmap() offset of the rings */
	__u64 mmap_size;	/* out: mmap() length of the rings */
	__u32 ring_size_out;	/* out: entries in rx, tx, fill and comp */
	__u32 req_ring_size;	/* out: entries in req and resp */
	struct kni_ring_offsets off;	/* out */
};

/*
 * KNI_IOC_SET_CARRIER, KNI_IOC_SET_MTU: no request comes back.
 * KNI_IOC_SET_BUF_SIZE: value is the bytes the fill buffers hold from now
 * on; the device's max_mtu becomes value - 14.  The fill buffers queued
 * before come back on tx, flagged KNI_DESC_F_INVALID and empty, as far as
 * tx has room; one met later that is too short for a frame comes back the
 * same way (fill_too_small) and the next one is tried.
 */
struct kni_dev_value {
	__u32 id;
	__u32 value;
};

/* KNI_IOC_SET_MAC: no request comes back. */
struct kni_dev_mac {
	__u32 id;
	__u8 mac[6];
	__u8 pad[2];
};

/* KNI_IOC_GET_STATS: counters of one device. */
struct kni_stats {
	__u32 id;		/* in */
	__u32 pad;
	__u64 rx_packets;	/* taken from rx into the stack */
	__u64 rx_bytes;
	__u64 rx_bad_desc;	/* rx descriptors outside registered memory */
	__u64 rx_nomem;		/* no skb for an rx frame */
	__u64 tx_packets;	/* copied into fill buffers, put on tx */
	__u64 tx_bytes;
	__u64 tx_no_fill;	/* dropped: fill ring empty */
	__u64 tx_ring_full;	/* dropped: tx ring full */
	__u64 tx_too_big;	/* dropped: frame longer than the buffer */
	__u64 fill_bad_desc;	/* fill descriptors outside registered memory */
	__u64 comp_ring_full;	/* rx stalled: comp ring full */
	__u64 req_sent;
	__u64 req_timeout;	/* no answer within the bound */
	__u64 req_bad_resp;	/* answers with an unknown seq */
	__u64 kicks;
	__u64 rx_dropped;	/* rx frames dropped: interface down */
	__u64 fill_too_small;	/* fill buffers given back: too short */
	__u64 rsvd[6];
};

/*
 * ioctls, and the errors they return besides EFAULT:
 *   ABI_VERSION  -
 *   MEM_REG      EINVAL (unaligned, zero or wrapping range, flags),
 *                ENOSPC (KNI_MAX_REGIONS), ENOMEM (max_pinned_mb or
 *                RLIMIT_MEMLOCK), EFAULT (memory not mapped writable)
 *   MEM_UNREG    ENOENT
 *   CREATE       EPERM (no CAP_NET_ADMIN), ENAMETOOLONG, EINVAL (name,
 *                sizes, MTUs, flags, reserved fields, core_id),
 *                EADDRNOTAVAIL (MAC), EEXIST (name taken), ENOSPC
 *   RELEASE, SET_CARRIER, SET_MTU, SET_MAC, KICK, GET_STATS,
 *   SET_BUF_SIZE: ENOENT (no such device on this file); SET_CARRIER
 *                EINVAL (value not 0 or 1); SET_MTU EINVAL (outside
 *                min/max MTU), EAGAIN; SET_MAC EADDRNOTAVAIL, EINVAL
 *                (pad), EAGAIN; SET_BUF_SIZE EINVAL (outside
 *                64..65536 bytes, or too short for the MTU in use),
 *                EAGAIN
 */
#define KNI_IOC_MAGIC		0xd6
#define KNI_IOC_ABI_VERSION	_IOR(KNI_IOC_MAGIC, 0x00, __u32)
#define KNI_IOC_MEM_REG		_IOWR(KNI_IOC_MAGIC, 0x01, struct kni_mem_reg)
#define KNI_IOC_MEM_UNREG	_IOW(KNI_IOC_MAGIC, 0x02, __u32)
#define KNI_IOC_CREATE		_IOWR(KNI_IOC_MAGIC, 0x03, struct kni_create)
#define KNI_IOC_RELEASE		_IOW(KNI_IOC_MAGIC, 0x04, __u32)
#define KNI_IOC_SET_CARRIER	_IOW(KNI_IOC_MAGIC, 0x05, struct kni_dev_value)
#define KNI_IOC_SET_MTU		_IOW(KNI_IOC_MAGIC, 0x06, struct kni_dev_value)
#define KNI_IOC_SET_MAC		_IOW(KNI_IOC_MAGIC, 0x07, struct kni_dev_mac)
#define KNI_IOC_KICK		_IOW(KNI_IOC_MAGIC, 0x08, __u32)
#define KNI_IOC_GET_STATS	_IOWR(KNI_IOC_MAGIC, 0x09, struct kni_stats)
#define KNI_IOC_SET_BUF_SIZE	_IOW(KNI_IOC_MAGIC, 0x0a, struct kni_dev_value)

#endif /* _UAPI_KNI_H */
