// SPDX-License-Identifier: GPL-2.0
/*
 * kni: registered memory.
 *
 * A process registers the ranges its packet buffers live in.  The pages are
 * pinned long-term and mapped into the kernel with vmap(); descriptors name
 * buffers by userspace address and are translated through this table only,
 * after a bounds check.  The userspace address itself is never used.
 *
 * Limits: KNI_MAX_REGIONS regions per file, and kni_max_pinned_mb megabytes
 * pinned by all files together (module parameter max_pinned_mb).  The pages
 * are also charged to the process's RLIMIT_MEMLOCK unless it has
 * CAP_IPC_LOCK.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>

#include "kni_internal.h"

static atomic_long_t kni_pinned_pages = ATOMIC_LONG_INIT(0);

static void kni_region_free(struct kni_region *r)
{
	if (r->kaddr)
		vunmap(r->kaddr);
	unpin_user_pages_dirty_lock(r->pages, r->npages, true);
	kvfree(r->pages);
	atomic_long_sub(r->npages, &kni_pinned_pages);
	if (r->mm) {
		/* No need to uncharge an address space that is gone. */
		if (mmget_not_zero(r->mm)) {
			account_locked_vm(r->mm, r->npages, false);
			mmput(r->mm);
		}
		mmdrop(r->mm);
	}
	kfree(r);
}

static struct kni_region *kni_region_pin(u64 addr, u64 len)
{
	unsigned long npages = len >> PAGE_SHIFT;
	unsigned long limit = (unsigned long)kni_max_pinned_mb <<
			      (20 - PAGE_SHIFT);
	unsigned long done = 0;
	struct kni_region *r;
	int ret;

	if (atomic_long_add_return(npages, &kni_pinned_pages) > limit) {
		atomic_long_sub(npages, &kni_pinned_pages);
		return ERR_PTR(-ENOMEM);
	}

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		atomic_long_sub(npages, &kni_pinned_pages);
		return ERR_PTR(-ENOMEM);
	}
	r->addr = addr;
	r->len = len;
	r->npages = npages;

	ret = account_locked_vm(current->mm, npages, true);
	if (ret) {
		r->npages = 0;
		atomic_long_sub(npages, &kni_pinned_pages);
		kfree(r);
		return ERR_PTR(ret);
	}
	mmgrab(current->mm);
	r->mm = current->mm;

	r->pages = kvmalloc_array(npages, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages) {
		ret = -ENOMEM;
		goto fail;
	}

	while (done < npages) {
		ret = pin_user_pages_fast(addr + (done << PAGE_SHIFT),
					  min_t(unsigned long, npages - done,
						INT_MAX >> PAGE_SHIFT),
					  FOLL_WRITE | FOLL_LONGTERM,
					  r->pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto fail;
		}
		done += ret;
		cond_resched();
	}

	r->kaddr = vmap(r->pages, npages, VM_MAP, PAGE_KERNEL);
	if (!r->kaddr) {
		ret = -ENOMEM;
		goto fail;
	}
	return r;

fail:
	/* kni_region_free() releases exactly what was pinned. */
	atomic_long_sub(npages - done, &kni_pinned_pages);
	account_locked_vm(r->mm, npages - done, false);
	r->npages = done;
	kni_region_free(r);
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

	if (copy_from_user(&reg, uarg, sizeof(reg)))
		return -EFAULT;
	if (reg.flags || !reg.len || !PAGE_ALIGNED(reg.addr) ||
	    !PAGE_ALIGNED(reg.len) || reg.addr + reg.len < reg.addr ||
	    reg.addr + reg.len > TASK_SIZE_MAX)
		return -EINVAL;
	if (reg.len > (u64)kni_max_pinned_mb << 20)
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
	kni_region_free(r);
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
	kni_region_free(r);
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
		kni_region_free(t->r[i]);
	kfree(t);
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
