// SPDX-License-Identifier: GPL-2.0
/*
 * kni: registered memory.
 *
 * A process registers the ranges its packet buffers live in.  The pages are
 * pinned long-term and mapped into the kernel with vmap(); descriptors name
 * buffers by userspace address and are translated through this table only,
 * after a bounds check.  The userspace address itself is never used.
 *
 * Limits: KNI_MAX_REGIONS regions per file, kni_max_pinned_mb_user MiB
 * pinned per user and kni_max_pinned_mb MiB by all users together (module
 * parameters).  Without CAP_IPC_LOCK the pages are also charged to the
 * user's locked_vm against RLIMIT_MEMLOCK, as AF_XDP charges its umem: the
 * charge belongs to the user, not to an address space, so it lasts exactly
 * as long as the pin whatever happens to the process (fork, exit, a file
 * descriptor passed on).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>

#include "kni_internal.h"

static atomic_long_t kni_pinned_pages = ATOMIC_LONG_INIT(0);

/* Users with pinned memory, by uid; kni_users_lock for updates. */
static DEFINE_XARRAY(kni_users);
static DEFINE_MUTEX(kni_users_lock);

static struct kni_user *kni_user_get(kuid_t uid)
{
	unsigned long key = from_kuid(&init_user_ns, uid);
	struct kni_user *u;

	mutex_lock(&kni_users_lock);
	u = xa_load(&kni_users, key);
	if (u) {
		refcount_inc(&u->ref);
	} else {
		u = kzalloc(sizeof(*u), GFP_KERNEL);
		if (u) {
			u->uid = uid;
			refcount_set(&u->ref, 1);
			if (xa_err(xa_store(&kni_users, key, u, GFP_KERNEL))) {
				kfree(u);
				u = NULL;
			}
		}
	}
	mutex_unlock(&kni_users_lock);
	return u;
}

static void kni_user_put(struct kni_user *u)
{
	mutex_lock(&kni_users_lock);
	if (refcount_dec_and_test(&u->ref)) {
		xa_erase(&kni_users, from_kuid(&init_user_ns, u->uid));
		kfree(u);
	}
	mutex_unlock(&kni_users_lock);
}

/* Adds @n to @counter unless that exceeds @limit. */
static bool kni_charge(atomic_long_t *counter, unsigned long n,
		       unsigned long limit)
{
	long old = atomic_long_read(counter);

	do {
		if (old + n > limit)
			return false;
	} while (!atomic_long_try_cmpxchg(counter, &old, old + n));
	return true;
}

/* Charges @r->npages to the global, per-user and RLIMIT_MEMLOCK limits. */
static int kni_region_charge(struct kni_region *r)
{
	unsigned long n = r->npages;
	unsigned long global = (unsigned long)kni_max_pinned_mb <<
			       (20 - PAGE_SHIFT);
	unsigned long per_user = (unsigned long)kni_max_pinned_mb_user <<
				 (20 - PAGE_SHIFT);

	r->user = kni_user_get(current_uid());
	if (!r->user)
		return -ENOMEM;
	if (!kni_charge(&r->user->pinned, n, per_user))
		goto fail_user;
	if (!kni_charge(&kni_pinned_pages, n, global))
		goto fail_global;
	if (!capable(CAP_IPC_LOCK)) {
		r->locked_user = get_uid(current_user());
		if (!kni_charge(&r->locked_user->locked_vm, n,
				rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT)) {
			free_uid(r->locked_user);
			r->locked_user = NULL;
			goto fail_locked;
		}
	}
	return 0;

fail_locked:
	atomic_long_sub(n, &kni_pinned_pages);
fail_global:
	atomic_long_sub(n, &r->user->pinned);
fail_user:
	kni_user_put(r->user);
	r->user = NULL;
	return -ENOMEM;
}

static void kni_region_uncharge(struct kni_region *r)
{
	if (!r->user)
		return;
	if (r->locked_user) {
		atomic_long_sub(r->npages, &r->locked_user->locked_vm);
		free_uid(r->locked_user);
	}
	atomic_long_sub(r->npages, &kni_pinned_pages);
	atomic_long_sub(r->npages, &r->user->pinned);
	kni_user_put(r->user);
}

/* Unpins @done pages of @r and frees it. */
static void kni_region_free(struct kni_region *r, unsigned long done)
{
	if (r->kaddr)
		vunmap(r->kaddr);
	if (r->pages)
		unpin_user_pages_dirty_lock(r->pages, done, true);
	kvfree(r->pages);
	kni_region_uncharge(r);
	kfree(r);
}

static struct kni_region *kni_region_pin(u64 addr, u64 len)
{
	unsigned long done = 0;
	struct kni_region *r;
	int ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->addr = addr;
	r->len = len;
	r->npages = len >> PAGE_SHIFT;

	ret = kni_region_charge(r);
	if (ret) {
		kfree(r);
		return ERR_PTR(ret);
	}

	r->pages = kvmalloc_array(r->npages, sizeof(*r->pages),
				  GFP_KERNEL_ACCOUNT);
	if (!r->pages) {
		ret = -ENOMEM;
		goto fail;
	}

	while (done < r->npages) {
		ret = pin_user_pages_fast(addr + (done << PAGE_SHIFT),
					  min_t(unsigned long, r->npages - done,
						INT_MAX >> PAGE_SHIFT),
					  FOLL_WRITE | FOLL_LONGTERM,
					  r->pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto fail;
		}
		done += ret;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto fail;
		}
		cond_resched();
	}

	r->kaddr = vmap(r->pages, r->npages, VM_MAP, PAGE_KERNEL);
	if (!r->kaddr) {
		ret = -ENOMEM;
		goto fail;
	}
	return r;

fail:
	kni_region_free(r, done);
	return ERR_PTR(ret);
}

/* Replaces kf->regions with a copy plus @add and minus @del; kf->lock held. */
static int kni_regions_update(struct kni_file *kf, struct kni_region *add,
			      struct kni_region *del)
{
	struct kni_region_table *old, *new;
	unsigned int i, n = 0, cap;

	old = rcu_dereference_protected(kf->regions,
					lockdep_is_held(&kf->lock));
	cap = (old ? old->n : 0) + (add ? 1 : 0);
	new = kzalloc(struct_size(new, r, cap), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	for (i = 0; old && i < old->n; i++) {
		if (old->r[i] == del)
			continue;
		if (add && add->addr < old->r[i]->addr) {
			new->r[n++] = add;
			add = NULL;
		}
		new->r[n++] = old->r[i];
	}
	if (add)
		new->r[n++] = add;
	new->n = n;

	rcu_assign_pointer(kf->regions, new);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

int kni_mem_reg(struct kni_file *kf, struct kni_mem_reg __user *uarg)
{
	struct kni_region_table *t;
	struct kni_mem_reg reg;
	struct kni_region *r;
	int ret;

	if (!ns_capable(current->nsproxy->net_ns->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (copy_from_user(&reg, uarg, sizeof(reg)))
		return -EFAULT;
	if (reg.flags || !reg.len || !PAGE_ALIGNED(reg.addr) ||
	    !PAGE_ALIGNED(reg.len) || reg.addr + reg.len < reg.addr ||
	    reg.addr + reg.len > TASK_SIZE_MAX)
		return -EINVAL;
	if (reg.len > (u64)kni_max_pinned_mb << 20 ||
	    reg.len > (u64)kni_max_pinned_mb_user << 20)
		return -ENOMEM;

	/* Pin before taking kf->lock: pinning takes mmap_lock. */
	r = kni_region_pin(reg.addr, reg.len);
	if (IS_ERR(r))
		return PTR_ERR(r);

	mutex_lock(&kf->lock);
	t = rcu_dereference_protected(kf->regions, lockdep_is_held(&kf->lock));
	if (t && t->n >= KNI_MAX_REGIONS) {
		ret = -ENOSPC;
		goto fail;
	}
	r->id = ++kf->next_region_id;
	reg.id = r->id;
	if (copy_to_user(uarg, &reg, sizeof(reg))) {
		ret = -EFAULT;
		goto fail;
	}
	ret = kni_regions_update(kf, r, NULL);
	if (ret)
		goto fail;
	mutex_unlock(&kf->lock);
	return 0;

fail:
	mutex_unlock(&kf->lock);
	kni_region_free(r, r->npages);
	return ret;
}

int kni_mem_unreg(struct kni_file *kf, u32 id)
{
	struct kni_region_table *t;
	struct kni_region *r = NULL;
	unsigned int i;
	int ret;

	mutex_lock(&kf->lock);
	t = rcu_dereference_protected(kf->regions, lockdep_is_held(&kf->lock));
	for (i = 0; t && i < t->n; i++) {
		if (t->r[i]->id == id) {
			r = t->r[i];
			break;
		}
	}
	if (!r) {
		mutex_unlock(&kf->lock);
		return -ENOENT;
	}
	ret = kni_regions_update(kf, NULL, r);
	mutex_unlock(&kf->lock);
	if (ret)
		return ret;

	/* Readers look regions up under RCU; wait for them to finish. */
	synchronize_rcu();
	kni_region_free(r, r->npages);
	return 0;
}

/* Called when the file goes away, after every device is gone. */
void kni_mem_release_all(struct kni_file *kf)
{
	struct kni_region_table *t;
	unsigned int i;

	t = rcu_dereference_protected(kf->regions, 1);
	RCU_INIT_POINTER(kf->regions, NULL);
	if (!t)
		return;
	synchronize_rcu();
	for (i = 0; i < t->n; i++)
		kni_region_free(t->r[i], t->r[i]->npages);
	kfree(t);
}

/* Module unload: every file is closed, so no user is left. */
void kni_mem_exit(void)
{
	WARN_ON(!xa_empty(&kni_users));
	xa_destroy(&kni_users);
}

/*
 * Returns the kernel address of [addr, addr + len) if it lies inside one
 * registered region, else NULL.  Caller holds rcu_read_lock() and uses the
 * result only inside that section.
 */
void *kni_mem_lookup(struct kni_file *kf, u64 addr, u32 len)
{
	struct kni_region_table *t = rcu_dereference(kf->regions);
	int lo, hi, i;

	if (!t || !len)
		return NULL;

	/* Last region starting at or before addr. */
	lo = 0;
	hi = (int)t->n - 1;
	i = -1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->r[mid]->addr <= addr) {
			i = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	/* Regions may overlap: look at every candidate that starts earlier. */
	for (; i >= 0; i--) {
		struct kni_region *r = t->r[i];
		u64 off = addr - r->addr;

		if (off < r->len && len <= r->len - off)
			return r->kaddr + off;
	}
	return NULL;
}
