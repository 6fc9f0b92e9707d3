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
 * closing that file (exit, kill -9) deletes the devices and unpins the
 * memory.  Both ioctls need CAP_NET_ADMIN in the user namespace that owns
 * the caller's network namespace.
 *
 * The kernel never waits for userspace.  The owner declares at create, and
 * may change with KNI_IOC_SET_POLICY, what the kernel side may change on
 * its own: the MTU range (the maximum bounded by the buffers, a VLAN tag
 * included) and whether the MAC address may change.  A change from the
 * kernel side ("ip link set ...") within those limits applies at once and
 * is posted as an event; one outside them fails with an errno (EINVAL for
 * an MTU out of range, EPERM for a MAC address the owner locked).  The
 * owner reads the events when it likes, from the file's event ring; if it
 * disagrees, it sets the device back through KNI_IOC_SET_MTU or
 * KNI_IOC_SET_MAC, which post no event.
 *
 * Rings
 * -----
 * Each device has one set of single-producer/single-consumer rings per
 * queue, mapped with mmap(fd, create.mmap_offset, create.mmap_size): rx
 * and comp for each of its n_rx_queues receive queues, tx and fill for
 * each of its n_tx_queues transmit queues (1 to KNI_MAX_QUEUES each,
 * fixed at create).  The kernel picks the transmit queue of a frame by
 * its flow hash, so the frames of one flow keep to one queue, in order.
 * Ring names are seen from the kernel net_device, as for a NIC:
 *
 *   rx    userspace -> kernel   frames the kernel stack receives
 *   comp  kernel -> userspace   rx buffers the kernel is finished with
 *   tx    kernel -> userspace   frames the kernel stack transmitted
 *   fill  userspace -> kernel   empty buffers for the kernel to transmit into
 *
 * The file has one more, the event ring (kernel -> userspace), mapped at
 * offset 0 as KNI_IOC_EVENT_RING describes.
 *
 * A packet descriptor names a buffer by its userspace virtual address.  The
 * kernel never dereferences that address: it looks it up in the regions the
 * file registered and uses its own mapping of the pinned pages.  A
 * descriptor whose [addr, addr + len) is not inside one registered region,
 * or whose reserved fields or flags are not zero, is never used: the
 * buffer comes back flagged KNI_DESC_F_INVALID and is counted
 * (kni_stats.rx_bad_desc, fill_bad_desc).  The cookie is opaque to the
 * kernel and comes back unchanged: a buffer given on fill returns on tx
 * with the same cookie, a buffer given on rx returns on comp with the same
 * cookie.
 *
 * Indices are free-running 32-bit counters; the slot is index & (size - 1).
 * A producer writes the slot, then publishes producer with release
 * semantics; a consumer reads producer with acquire semantics.  The kernel
 * bounds every index it reads (producer - consumer <= size): a ring whose
 * index is out of bounds counts as empty (rx, fill) or full (tx, comp)
 * until it is sane again.
 *
 * Wake-ups.  The kernel sets KNI_RING_F_NEED_WAKEUP in a ring's flags word
 * when it has stopped and waits for userspace to move that ring: to
 * produce on rx or fill, to consume on comp or tx.  After moving its index
 * userspace issues a full barrier (__atomic_thread_fence(__ATOMIC_SEQ_CST))
 * and reads the flags; if the flag is set it calls KNI_IOC_KICK, or
 * KNI_IOC_KICK_QUEUE for that ring's queue.  The
 * kernel sets the flag, issues a full barrier and looks at the index once
 * more before it stops, so no wake-up is lost.  The receive thread stops
 * when rx is empty or comp is full; transmit stops the device's queue when
 * tx is full or fill is empty, and the kick wakes it.  With the module's
 * kthread_mode=none there is no receive thread: the flag stays set on rx,
 * and each kick receives the frames on the kicking CPU before it returns.
 *
 * Details the kernel guarantees
 * -----------------------------
 * - Registered memory: pinned until KNI_IOC_MEM_UNREG or close; at most
 *   KNI_MAX_REGIONS regions per file, max_pinned_mb_user MiB per user and
 *   max_pinned_mb MiB in all (module parameters).  The pages are charged
 *   to the user's RLIMIT_MEMLOCK (as AF_XDP's umem is) unless the caller
 *   has CAP_IPC_LOCK, for as long as they stay pinned.  Regions may
 *   overlap; a buffer must lie inside one of them.  Unaligned buffers are
 *   fine.
 * - Every buffer comes back: a bad rx descriptor on comp, a bad fill
 *   descriptor on tx with len 0, both flagged KNI_DESC_F_INVALID.
 * - rx frames are at least 14 bytes (an Ethernet header) and at most
 *   65536; a fill buffer must hold the whole frame (desc.len >= frame).
 * - Events: the fd polls readable (POLLIN) while the event ring holds an
 *   unread event.  When one slot is left the kernel puts
 *   KNI_EVENT_OVERFLOW there and drops the events that follow until the
 *   ring has room again: the owner then reads each device's state with
 *   KNI_IOC_GET_INFO.
 * - A device deleted from the kernel side ("ip link del", or the end of
 *   the network namespace it lives in) posts KNI_EVENT_DELETED.  Its rings
 *   and id stay until KNI_IOC_RELEASE; frames queued on rx come back on
 *   comp without reaching a stack.
 * - The rings' mapping stays valid after KNI_IOC_RELEASE (but dead) until
 *   munmap.
 */
#ifndef _UAPI_KNI_H
#define _UAPI_KNI_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KNI_ABI_VERSION		3
#define KNI_DEVICE_PATH		"/dev/kni"
#define KNI_NAMESIZE		16	/* IFNAMSIZ: 15 bytes and a NUL */

#define KNI_RING_SIZE_MIN	64
#define KNI_RING_SIZE_MAX	16384
#define KNI_RING_SIZE_DEFAULT	1024
#define KNI_EVENT_RING_SIZE	4096	/* the file's event ring, fixed */
#define KNI_MAX_REGIONS		64	/* registered regions per file */
#define KNI_MAX_QUEUES		16	/* rx or tx queues per device */
#define KNI_MAX_ADDRS		64	/* addresses KNI_IOC_GET_ADDRS returns */
#define KNI_FRAME_OVERHEAD	18	/* Ethernet header and one VLAN tag */

/* One packet buffer. */
struct kni_desc {
	__u64 addr;	/* userspace address of the first byte of the frame */
	__u64 cookie;	/* opaque, returned unchanged */
	__u32 len;	/* frame length; on fill: bytes the buffer can take */
	__u16 flags;	/* KNI_DESC_F_* */
	__u8 gso_type;	/* KNI_GSO_*, with KNI_OFFLOAD_TSO */
	__u8 rsvd0;	/* zero */
	__u16 csum_start;	/* with KNI_DESC_F_CSUM_PARTIAL */
	__u16 csum_offset;
	__u16 gso_size;	/* with gso_type */
	__u16 rsvd1;	/* zero */
	__u32 hash;	/* with KNI_DESC_F_HASH */
	__u32 rsvd2;	/* zero */
};

/*
 * Descriptor flags.  KNI_DESC_F_INVALID is set by the kernel on a buffer it
 * gives back unused because its descriptor was bad (outside the registered
 * memory, zero length, reserved fields or flags set, or, on fill, shorter
 * than the frame): on comp for an rx descriptor, on tx with len 0 for a
 * fill descriptor.  Such a buffer holds no frame; its owner just takes it
 * back.  The others describe offloads and are valid only on a device
 * created with the matching KNI_OFFLOAD_* bit; userspace sets none of them
 * on fill.
 */
#define KNI_DESC_F_INVALID	(1U << 0)
/*
 * The checksum from csum_start, stored at csum_start + csum_offset, is
 * still to do.
 */
#define KNI_DESC_F_CSUM_PARTIAL	(1U << 1)
#define KNI_DESC_F_CSUM_VALID	(1U << 2)	/* checksums already checked */
#define KNI_DESC_F_HASH		(1U << 3)	/* hash holds the flow hash */

#define KNI_GSO_NONE		0
#define KNI_GSO_TCPV4		1
#define KNI_GSO_TCPV6		2
#define KNI_GSO_UDP_L4		3

/*
 * Offloads a device may be created with (kni_create.offloads).  A module
 * that does not know a bit refuses the create with EOPNOTSUPP; TSO
 * without CSUM is refused with EINVAL.  The semantics are virtio_net_hdr's:
 *
 * KNI_OFFLOAD_CSUM  tx: a frame may come with KNI_DESC_F_CSUM_PARTIAL, its
 *                   L4 checksum still to compute over the bytes from
 *                   csum_start (an offset from the frame's first byte) and
 *                   to store at csum_start + csum_offset, where the pseudo
 *                   header's sum already is; or with KNI_DESC_F_CSUM_VALID.
 *                   rx: the owner may set either flag with the same
 *                   meaning; the kernel then does not check the checksum.
 * KNI_OFFLOAD_TSO   tx: a frame may be one TCP segment of up to buf_size
 *                   bytes (gso_type KNI_GSO_TCPV4 or TCPV6, gso_size the
 *                   MSS, always with KNI_DESC_F_CSUM_PARTIAL, the pseudo
 *                   header summed with the frame's whole length), for the
 *                   owner to cut into segments.  rx: the owner may give such
 *                   frames, also KNI_GSO_UDP_L4; the kernel checks their
 *                   headers before it segments them.
 * KNI_OFFLOAD_HASH  both ways: KNI_DESC_F_HASH and hash, the flow hash.
 *
 * An rx descriptor whose offload fields break these rules is refused
 * (KNI_DESC_F_INVALID on comp, rx_bad_desc).  ethtool -K may turn an
 * offload off on the kernel side: tx frames then come without it.
 */
#define KNI_OFFLOAD_CSUM	(1U << 0)
#define KNI_OFFLOAD_TSO		(1U << 1)
#define KNI_OFFLOAD_HASH	(1U << 2)

/* Where one ring lives inside an mmap area (byte offsets). */
struct kni_ring_offset {
	__u64 producer;	/* __u32 */
	__u64 consumer;	/* __u32 */
	__u64 flags;	/* __u32, KNI_RING_F_* */
	__u64 desc;	/* array of ring size entries */
};

/* Rings of queue 0; queue q's are at offset + q * the queue stride. */
struct kni_ring_offsets {
	struct kni_ring_offset rx;
	struct kni_ring_offset comp;
	struct kni_ring_offset tx;
	struct kni_ring_offset fill;
};

/* Ring flags, written by the kernel (see "Wake-ups" above). */
#define KNI_RING_F_NEED_WAKEUP	(1U << 0)

/* Events, kernel -> userspace, on the file's event ring. */
enum kni_event_type {
	KNI_EVENT_OVERFLOW = 1,	/* events were dropped: resynchronise */
	KNI_EVENT_UP = 2,	/* value: 1 up ("ip link set up"), 0 down */
	KNI_EVENT_MTU = 3,	/* value: the new MTU */
	KNI_EVENT_MAC = 4,	/* mac: the new address */
	KNI_EVENT_PROMISC = 5,	/* value: 1 on, 0 off */
	KNI_EVENT_ALLMULTI = 6,	/* value: 1 on, 0 off */
	/* Address lists changed; value: unicast, aux: multicast addresses. */
	KNI_EVENT_RX_MODE = 7,
	KNI_EVENT_DELETED = 8,	/* the net_device is gone */
	/* Moved to another network namespace; value: its ifindex there. */
	KNI_EVENT_NETNS = 9,
	KNI_EVENT_NAME = 10,	/* renamed; KNI_IOC_GET_INFO has the name */
};

struct kni_event {
	__u32 dev_id;	/* 0 for KNI_EVENT_OVERFLOW */
	__u32 type;	/* enum kni_event_type */
	__u32 value;
	__u32 aux;
	__u8 mac[6];
	__u8 pad[2];	/* zero */
};

/* KNI_IOC_EVENT_RING: where the file's event ring is. */
struct kni_event_ring {
	__u64 mmap_offset;	/* out: 0 */
	__u64 mmap_size;	/* out */
	__u32 size;		/* out: KNI_EVENT_RING_SIZE entries */
	__u32 pad;
	struct kni_ring_offset off;	/* out */
};

/* KNI_IOC_MEM_REG: register [addr, addr + len) of the caller's memory. */
struct kni_mem_reg {
	__u64 addr;	/* in: page aligned */
	__u64 len;	/* in: multiple of the page size, > 0 */
	__u32 flags;	/* in: zero */
	__u32 id;	/* out: region id, for KNI_IOC_MEM_UNREG */
};

/*
 * What the kernel side may change on its own (kni_create.policy,
 * kni_policy.flags): the MAC address; whether promisc, allmulti and
 * address list changes are posted as events (they apply either way: a
 * driver cannot refuse them).
 */
#define KNI_POLICY_MAC		(1U << 0)
#define KNI_POLICY_RX_MODE	(1U << 1)

#define KNI_CREATE_F_MAC	(1U << 0)	/* use mac[], else random */
#define KNI_CREATE_F_FORCE_BIND	(1U << 1)	/* bind the kthread to core_id */
/* (kthread_mode=single: only the first device decides the binding.) */

#define KNI_SPEED_DEFAULT	10000	/* Mb/s a device reports until set */
#define KNI_DUPLEX_HALF		0
#define KNI_DUPLEX_FULL		1

/*
 * KNI_IOC_CREATE: make a net_device and its rings.  buf_size lies in
 * 64..65536 and leaves room for a frame of min_mtu: at least min_mtu +
 * KNI_FRAME_OVERHEAD (86 bytes with the default min_mtu).  max_mtu is
 * capped at buf_size - KNI_FRAME_OVERHEAD; an mtu outside [min_mtu,
 * max_mtu] is refused (EINVAL), not capped.
 */
struct kni_create {
	char name[KNI_NAMESIZE];	/* in: NUL terminated */
	__u32 flags;		/* in: KNI_CREATE_F_* */
	__u32 policy;		/* in: KNI_POLICY_* */
	__u32 mtu;		/* in: 0 for 1500 (or max_mtu if lower) */
	__u32 min_mtu;		/* in: 0 for 68 */
	__u32 max_mtu;		/* in: 0 or more: buf_size - 18 */
	__u32 buf_size;		/* in: bytes a fill buffer holds */
	__u32 ring_size;	/* in: power of two, 0 for the default */
	__u32 core_id;		/* in: with KNI_CREATE_F_FORCE_BIND */
	__u32 n_rx_queues;	/* in: 0 for 1 */
	__u32 n_tx_queues;	/* in: 0 for 1 */
	__u32 offloads;		/* in: KNI_OFFLOAD_* */
	__u32 speed;		/* in: Mb/s, 0 for KNI_SPEED_DEFAULT */
	__u8 mac[6];		/* in: with KNI_CREATE_F_MAC; out: in use */
	__u8 duplex;		/* in: KNI_DUPLEX_* */
	__u8 pad;		/* zero */
	__u32 rsvd[3];		/* zero */
	__u32 id;		/* out: device id on this file, never 0 */
	__u32 ifindex;		/* out: in the creator's netns */
	__u64 mmap_offset;	/* out: mmap() offset of the rings */
	__u64 mmap_size;	/* out: mmap() length of the rings */
	__u32 ring_size_out;	/* out: entries in each packet ring */
	__u32 max_mtu_out;	/* out */
	__u64 rx_queue_stride;	/* out: bytes between rx queues' rings */
	__u64 tx_queue_stride;	/* out: bytes between tx queues' rings */
	struct kni_ring_offsets off;	/* out: queue 0 */
};

/*
 * KNI_IOC_SET_MTU: the MTU, within the device's range, no event back.
 * KNI_IOC_SET_BUF_SIZE: value is the bytes the fill buffers hold from now
 * on; the device's max_mtu becomes value - KNI_FRAME_OVERHEAD (or the
 * policy's max_mtu, if lower).  The fill buffers queued before come back
 * on tx, flagged KNI_DESC_F_INVALID and empty, as far as tx has room; one
 * met later that is too short for a frame comes back the same way
 * (fill_too_small) and the next one is tried.
 */
struct kni_dev_value {
	__u32 id;
	__u32 value;
};

/* KNI_IOC_SET_MAC: no event back. */
struct kni_dev_mac {
	__u32 id;
	__u8 mac[6];
	__u8 pad[2];	/* zero */
};

/*
 * KNI_IOC_SET_POLICY: what the kernel side may change from now on.  The
 * MTU in use must lie in [min_mtu, max_mtu]; a max_mtu of 0 or beyond
 * the buffers means as much as they hold.
 */
struct kni_policy {
	__u32 id;
	__u32 flags;	/* KNI_POLICY_* */
	__u32 min_mtu;	/* 0: 68 */
	__u32 max_mtu;
};

/* KNI_IOC_SET_LINK: carrier, and the speed and duplex ethtool shows. */
struct kni_link {
	__u32 id;
	__u32 carrier;	/* 0 or 1 */
	__u32 speed;	/* Mb/s, 0 for unknown */
	__u8 duplex;	/* KNI_DUPLEX_* */
	__u8 pad[3];	/* zero */
};

/*
 * KNI_IOC_SET_CORE: bind the device's receive thread to core_id (with
 * KNI_CREATE_F_FORCE_BIND in flags), or unbind it (flags 0).  With
 * kthread_mode=single the one thread serves every device and moves for
 * all of them.
 */
struct kni_core {
	__u32 id;
	__u32 flags;	/* 0 or KNI_CREATE_F_FORCE_BIND */
	__u32 core_id;
	__u32 pad;	/* zero */
};

/*
 * KNI_IOC_KICK_QUEUE: KNI_IOC_KICK for one receive queue (rx and comp
 * rings) and one transmit queue (tx and fill rings) only; KNI_QUEUE_NONE
 * for neither.  KNI_IOC_KICK kicks every queue.
 */
#define KNI_QUEUE_NONE		0xffff

struct kni_kick {
	__u32 id;
	__u16 rx_queue;	/* receive queue, or KNI_QUEUE_NONE */
	__u16 tx_queue;	/* transmit queue, or KNI_QUEUE_NONE */
};

/* KNI_IOC_GET_INFO: the device's state as the kernel sees it. */
#define KNI_INFO_F_UP		(1U << 0)	/* administratively up */
#define KNI_INFO_F_PROMISC	(1U << 1)
#define KNI_INFO_F_ALLMULTI	(1U << 2)
#define KNI_INFO_F_CARRIER	(1U << 3)
#define KNI_INFO_F_DELETED	(1U << 4)	/* no net_device any more */

struct kni_info {
	__u32 id;		/* in */
	__u32 flags;		/* out: KNI_INFO_F_* */
	char name[KNI_NAMESIZE];	/* out */
	__u32 ifindex;		/* out: in its network namespace */
	__u32 mtu;		/* out */
	__u32 min_mtu;		/* out */
	__u32 max_mtu;		/* out */
	__u32 policy;		/* out: KNI_POLICY_* */
	__u32 n_uc;		/* out: secondary unicast addresses */
	__u32 n_mc;		/* out: multicast addresses */
	__u32 speed;		/* out: Mb/s, 0 for unknown */
	__u8 mac[6];		/* out */
	__u8 duplex;		/* out */
	__u8 pad;
	__u32 rsvd[5];
};

/*
 * KNI_IOC_GET_ADDRS: the unicast then the multicast addresses the stack
 * added to the device (bond, vlan, macvlan, multicast groups), at most
 * KNI_MAX_ADDRS of them; n_uc and n_mc count them all.
 */
struct kni_addrs {
	__u32 id;		/* in */
	__u32 n_uc;		/* out */
	__u32 n_mc;		/* out */
	__u32 n;		/* out: entries filled in addr[] */
	__u8 addr[KNI_MAX_ADDRS][8];	/* out: 6 bytes each, then 2 zero */
};

/* KNI_IOC_GET_STATS: counters of one device. */
struct kni_stats {
	__u32 id;		/* in */
	__u32 pad;
	__u64 rx_packets;	/* taken from rx into the stack */
	__u64 rx_bytes;
	__u64 rx_bad_desc;	/* rx descriptors refused */
	__u64 rx_nomem;		/* no skb for an rx frame */
	__u64 rx_dropped;	/* rx frames dropped: interface down or gone */
	__u64 tx_packets;	/* copied into fill buffers, put on tx */
	__u64 tx_bytes;
	__u64 tx_no_fill;	/* dropped: fill ring empty */
	__u64 tx_ring_full;	/* dropped: tx ring full */
	__u64 tx_too_big;	/* dropped: frame longer than the buffer */
	__u64 tx_dropped;	/* dropped: the owner released the device */
	__u64 tx_stopped;	/* times the queue was stopped for room */
	__u64 fill_bad_desc;	/* fill descriptors refused */
	__u64 fill_too_small;	/* fill buffers given back: too short */
	__u64 comp_ring_full;	/* rx stalled: comp ring full */
	__u64 kicks;
	__u64 events;		/* events posted for this device */
	__u64 rsvd[7];
};

/*
 * ioctls, and the errors they return besides EFAULT.  Every reserved or
 * pad field must be zero (EINVAL).
 *   ABI_VERSION  -
 *   EVENT_RING   -
 *   MEM_REG      EPERM (no CAP_NET_ADMIN), EINVAL (unaligned, zero or
 *                wrapping range, flags), ENOSPC (KNI_MAX_REGIONS), ENOMEM
 *                (max_pinned_mb, max_pinned_mb_user or RLIMIT_MEMLOCK),
 *                EFAULT (memory not mapped writable)
 *   MEM_UNREG    ENOENT
 *   CREATE       EPERM (no CAP_NET_ADMIN, or core_id outside the caller's
 *                cpuset), ENAMETOOLONG, EINVAL (name, sizes, MTUs, flags,
 *                queues, core_id), EOPNOTSUPP (offloads), EADDRNOTAVAIL
 *                (MAC), EEXIST (name taken), ENOSPC
 *   RELEASE, SET_MTU, SET_MAC, SET_POLICY, SET_LINK, SET_BUF_SIZE,
 *   SET_CORE, KICK, KICK_QUEUE, GET_INFO, GET_ADDRS, GET_STATS: ENOENT (no
 *   such device on this file); KICK_QUEUE EINVAL (no such queue);
 *                ENODEV (SET_* on a deleted device); SET_MTU EINVAL
 *                (outside min/max MTU); SET_MAC EADDRNOTAVAIL; SET_POLICY
 *                EINVAL (MTU range empty or without the MTU in use,
 *                flags); SET_LINK EINVAL (carrier not 0
 *                or 1, duplex); SET_BUF_SIZE EINVAL (outside 64..65536
 *                bytes, or too short for the MTU in use); SET_CORE EINVAL
 *                (flags, core_id), EPERM (core_id outside the caller's
 *                cpuset)
 */
#define KNI_IOC_MAGIC		0xd6
#define KNI_IOC_ABI_VERSION	_IOR(KNI_IOC_MAGIC, 0x00, __u32)
#define KNI_IOC_MEM_REG		_IOWR(KNI_IOC_MAGIC, 0x01, struct kni_mem_reg)
#define KNI_IOC_MEM_UNREG	_IOW(KNI_IOC_MAGIC, 0x02, __u32)
#define KNI_IOC_CREATE		_IOWR(KNI_IOC_MAGIC, 0x03, struct kni_create)
#define KNI_IOC_RELEASE		_IOW(KNI_IOC_MAGIC, 0x04, __u32)
#define KNI_IOC_SET_MTU		_IOW(KNI_IOC_MAGIC, 0x06, struct kni_dev_value)
#define KNI_IOC_SET_MAC		_IOW(KNI_IOC_MAGIC, 0x07, struct kni_dev_mac)
#define KNI_IOC_KICK		_IOW(KNI_IOC_MAGIC, 0x08, __u32)
#define KNI_IOC_GET_STATS	_IOWR(KNI_IOC_MAGIC, 0x09, struct kni_stats)
#define KNI_IOC_SET_BUF_SIZE	_IOW(KNI_IOC_MAGIC, 0x0a, struct kni_dev_value)
#define KNI_IOC_EVENT_RING	_IOR(KNI_IOC_MAGIC, 0x0b, struct kni_event_ring)
#define KNI_IOC_SET_POLICY	_IOW(KNI_IOC_MAGIC, 0x0c, struct kni_policy)
#define KNI_IOC_SET_LINK	_IOW(KNI_IOC_MAGIC, 0x0d, struct kni_link)
#define KNI_IOC_GET_INFO	_IOWR(KNI_IOC_MAGIC, 0x0e, struct kni_info)
#define KNI_IOC_GET_ADDRS	_IOWR(KNI_IOC_MAGIC, 0x0f, struct kni_addrs)
#define KNI_IOC_SET_CORE	_IOW(KNI_IOC_MAGIC, 0x10, struct kni_core)
#define KNI_IOC_KICK_QUEUE	_IOW(KNI_IOC_MAGIC, 0x11, struct kni_kick)

#endif /* _UAPI_KNI_H */
