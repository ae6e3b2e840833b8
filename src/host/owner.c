/* SPDX-License-Identifier: MIT */
/*
 * EPC owners: the sgx_epc resource of the misc cgroup that Linux never
 * merged, as a tree under the host's root owner. Each owner has a max, a
 * current (its pages and its descendants') and events (charges that found
 * it at its max); a host-enclave owner also keeps the LRU of its own
 * reclaimable pages, so at a max the pages of that owner's subtree are
 * reclaimed first.
 *
 * A charge walks from the owner to the root and takes one page at each
 * level with a compare-and-swap that never lets current pass max; a level
 * at its max undoes the levels below it. No lock: a charge costs one CAS
 * per level (two or three for a VM: its own owner, its parent, the root).
 * A charge undone above may make a concurrent charge below see a level
 * full for an instant; it is then refused as a real one would be, and
 * counted: current never passes max at any level, which is the promise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encl.h"

static void owner_link(struct host *h, struct host_owner *o)
{
	o->next = NULL;
	*h->owners_tail = o;
	h->owners_tail = &o->next;
}

static void owner_unlink(struct host *h, struct host_owner *o)
{
	for (struct host_owner **pp = &h->owners; *pp; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			if (h->owners_tail == &o->next)
				h->owners_tail = pp;
			return;
		}
	}
}

static struct host_owner *owner_find_locked(struct host *h, const char *name)
{
	for (struct host_owner *o = h->owners; o; o = o->next)
		if (o->name[0] && !strcmp(o->name, name))
			return o;
	return NULL;
}

int host_owner_create_in(struct host *h, struct host_owner *parent, const char *name,
			 enum host_owner_kind kind, uint64_t max, enum host_owner_on_max on_max,
			 struct host_owner **ret)
{
	struct host_owner *o;

	if (kind != HOST_OWNER_ENCLAVES && kind != HOST_OWNER_VM)
		return -EINVAL;
	if (on_max != HOST_ON_MAX_REFUSE && on_max != HOST_ON_MAX_STOP)
		return -EINVAL;
	if (!name || strlen(name) >= HOST_OWNER_NAME_MAX)
		return -EINVAL;
	if (!parent)
		parent = h->root;
	if (parent && parent->kind != HOST_OWNER_ENCLAVES)
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->h = h;
	o->kind = kind;
	o->parent = parent;
	strcpy(o->name, name);
	atomic_init(&o->on_max, (int)on_max);
	atomic_init(&o->limit, max);
	pthread_mutex_init(&o->lru_lock, NULL);
	pthread_mutex_lock(&h->owners_lock);
	if (name[0] && owner_find_locked(h, name)) {
		pthread_mutex_unlock(&h->owners_lock);
		pthread_mutex_destroy(&o->lru_lock);
		free(o);
		return -EEXIST;
	}
	owner_link(h, o);
	if (parent)
		atomic_fetch_add(&parent->members, 1);
	pthread_mutex_unlock(&h->owners_lock);
	*ret = o;
	return 0;
}

int host_owner_create(struct host *h, enum host_owner_kind kind, uint64_t limit,
		      struct host_owner **ret)
{
	return host_owner_create_in(h, NULL, "", kind, limit, HOST_ON_MAX_REFUSE, ret);
}

static void owner_free(struct host_owner *o)
{
	pthread_mutex_destroy(&o->lru_lock);
	free(o);
}

int host_owner_destroy(struct host_owner *o)
{
	struct host *h;

	if (!o)
		return 0;
	h = o->h;
	if (o == h->root)
		return -EPERM;
	pthread_mutex_lock(&h->owners_lock);
	if (atomic_load(&o->usage) || atomic_load(&o->members)) {
		pthread_mutex_unlock(&h->owners_lock);
		return -EBUSY;
	}
	owner_unlink(h, o);
	atomic_fetch_sub(&o->parent->members, 1);
	pthread_mutex_unlock(&h->owners_lock);
	/* A hook still running (evict_lock) must finish before the owner goes. */
	pthread_mutex_lock(&h->evict_lock);
	pthread_mutex_unlock(&h->evict_lock);
	owner_free(o);
	return 0;
}

void host_owner_destroy_root(struct host *h)
{
	if (!h->root)
		return;
	pthread_mutex_lock(&h->owners_lock);
	owner_unlink(h, h->root);
	pthread_mutex_unlock(&h->owners_lock);
	owner_free(h->root);
	h->root = NULL;
}

struct host_owner *host_owner_root(struct host *h)
{
	return h->root;
}

struct host_owner *host_owner_find(struct host *h, const char *name)
{
	struct host_owner *o;

	if (!name || !name[0])
		return NULL;
	pthread_mutex_lock(&h->owners_lock);
	o = owner_find_locked(h, name);
	pthread_mutex_unlock(&h->owners_lock);
	return o;
}

void host_owner_set_limit(struct host_owner *o, uint64_t limit)
{
	atomic_store(&o->limit, limit);
}

int host_owner_set_max(struct host_owner *o, uint64_t max)
{
	uint64_t cur = atomic_load(&o->usage);

	/*
	 * Refuse rather than shrink under the owner: what it holds is pinned
	 * (a VM's EPC) or wants reclaim the operator should ask for. A charge
	 * racing with this may still slip in below the old max; that is the
	 * race any cgroup's max write has.
	 */
	if (max < cur)
		return -EBUSY;
	atomic_store(&o->limit, max);
	return 0;
}

void host_owner_set_on_max(struct host_owner *o, enum host_owner_on_max on_max)
{
	atomic_store(&o->on_max, (int)on_max);
}

static unsigned int owner_depth(const struct host_owner *o)
{
	unsigned int d = 0;

	while ((o = o->parent))
		d++;
	return d;
}

static void owner_info(struct host_owner *o, struct host_owner_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->kind = o->kind;
	ret->on_max = (enum host_owner_on_max)atomic_load(&o->on_max);
	strcpy(ret->name, o->name);
	if (o->parent)
		strcpy(ret->parent, o->parent->name);
	ret->depth = owner_depth(o);
	ret->limit = atomic_load(&o->limit);
	ret->usage = atomic_load(&o->usage);
	ret->limit_hits = atomic_load(&o->limit_hits);
	ret->members = atomic_load(&o->members);
	pthread_mutex_lock(&o->lru_lock);
	ret->reclaimable = o->lru_count;
	pthread_mutex_unlock(&o->lru_lock);
}

void host_owner_query(struct host_owner *o, struct host_owner_info *ret)
{
	owner_info(o, ret);
}

struct host_owner *host_owner_at_max(struct host_owner *o)
{
	for (; o; o = o->parent)
		if (atomic_load(&o->usage) >= atomic_load(&o->limit))
			return o;
	return NULL;
}

/* (o) and then its children's subtrees, in creation order; owners_lock held. */
static unsigned int owner_walk(struct host *h, struct host_owner *o,
			       void (*fn)(void *opaque, const struct host_owner_info *info),
			       void *opaque)
{
	struct host_owner_info info;
	unsigned int n = 1;

	owner_info(o, &info);
	fn(opaque, &info);
	for (struct host_owner *c = h->owners; c; c = c->next)
		if (c->parent == o)
			n += owner_walk(h, c, fn, opaque);
	return n;
}

unsigned int host_owner_foreach(struct host *h,
				void (*fn)(void *opaque, const struct host_owner_info *info),
				void *opaque)
{
	unsigned int n;

	pthread_mutex_lock(&h->owners_lock);
	n = owner_walk(h, h->root, fn, opaque);
	pthread_mutex_unlock(&h->owners_lock);
	return n;
}

struct host_owner *host_owner_try_charge(struct host_owner *o)
{
	for (struct host_owner *p = o; p; p = p->parent) {
		uint64_t cur = atomic_load(&p->usage);

		do {
			if (cur >= atomic_load(&p->limit)) {
				atomic_fetch_add(&p->limit_hits, 1);
				for (struct host_owner *q = o; q != p; q = q->parent)
					atomic_fetch_sub(&q->usage, 1);
				return p;
			}
		} while (!atomic_compare_exchange_weak(&p->usage, &cur, cur + 1));
	}
	return NULL;
}

void host_owner_uncharge(struct host_owner *o)
{
	for (; o; o = o->parent)
		atomic_fetch_sub(&o->usage, 1);
}

bool host_owner_in(const struct host_owner *o, const struct host_owner *top)
{
	for (; o; o = o->parent)
		if (o == top)
			return true;
	return false;
}

uint64_t host_owner_subtree_reclaimable(struct host_owner *top)
{
	struct host *h = top->h;
	uint64_t n = 0;

	pthread_mutex_lock(&h->owners_lock);
	for (struct host_owner *o = h->owners; o; o = o->next) {
		if (o->kind != HOST_OWNER_ENCLAVES || !host_owner_in(o, top))
			continue;
		pthread_mutex_lock(&o->lru_lock);
		n += o->lru_count;
		pthread_mutex_unlock(&o->lru_lock);
	}
	pthread_mutex_unlock(&h->owners_lock);
	return n;
}

void host_owner_set_evict(struct host_owner *o, uint64_t (*fn)(void *opaque, uint64_t nr),
			  void *opaque)
{
	pthread_mutex_lock(&o->h->evict_lock);
	o->evict = fn;
	o->evict_opaque = opaque;
	pthread_mutex_unlock(&o->h->evict_lock);
}

/*
 * Lock order: evict_lock, then owners_lock (briefly, to find a VM with a
 * hook), then whatever the hook takes (the VM's EPT lock). A hook is never
 * called under owners_lock: a vCPU inside a leaf holds the EPT lock and
 * may take owners_lock on its fault path.
 */
uint64_t host_owner_evict_vms(struct host_owner *top, uint64_t nr)
{
	struct host *h = top->h;
	uint64_t done = 0;

	pthread_mutex_lock(&h->evict_lock);
	for (struct host_owner *o = NULL;;) {
		struct host_owner *cand = NULL;

		pthread_mutex_lock(&h->owners_lock);
		for (struct host_owner *c = o ? o->next : h->owners; c && !cand; c = c->next)
			if (c->evict && host_owner_in(c, top))
				cand = c;
		pthread_mutex_unlock(&h->owners_lock);
		/* (cand) stays: destroy waits for evict_lock, and unlinking keeps ->next. */
		if (!cand)
			break;
		done += cand->evict(cand->evict_opaque, nr - done);
		if (done >= nr)
			break;
		o = cand;
	}
	pthread_mutex_unlock(&h->evict_lock);
	return done;
}

void host_owner_get(struct host_owner *o)
{
	atomic_fetch_add(&o->members, 1);
}

void host_owner_put(struct host_owner *o)
{
	atomic_fetch_sub(&o->members, 1);
}

void host_lru_add(struct host_owner *o, struct host_encl_page *ep)
{
	pthread_mutex_lock(&o->lru_lock);
	host_lru_append(o, ep);
	pthread_mutex_unlock(&o->lru_lock);
}

void host_lru_append(struct host_owner *o, struct host_encl_page *ep)
{
	ep->lru_flags = HPF_LRU;
	ep->lru_next = NULL;
	ep->lru_prev = o->lru_tail;
	if (o->lru_tail)
		o->lru_tail->lru_next = ep;
	else
		o->lru_head = ep;
	o->lru_tail = ep;
	o->lru_count++;
	atomic_fetch_add(&o->h->nr_reclaimable, 1);
}

/* Unlink (ep) from (o)'s LRU; lru_lock held. */
void host_lru_unlink(struct host_owner *o, struct host_encl_page *ep)
{
	if (ep->lru_prev)
		ep->lru_prev->lru_next = ep->lru_next;
	else
		o->lru_head = ep->lru_next;
	if (ep->lru_next)
		ep->lru_next->lru_prev = ep->lru_prev;
	else
		o->lru_tail = ep->lru_prev;
	ep->lru_next = ep->lru_prev = NULL;
	ep->lru_flags &= (uint8_t)~HPF_LRU;
	o->lru_count--;
	atomic_fetch_sub(&o->h->nr_reclaimable, 1);
}

bool host_lru_del(struct host_owner *o, struct host_encl_page *ep)
{
	bool ok = true;

	pthread_mutex_lock(&o->lru_lock);
	if (ep->lru_flags & HPF_LRU)
		host_lru_unlink(o, ep);
	else if (ep->lru_flags & HPF_ISOLATED)
		ok = false;
	pthread_mutex_unlock(&o->lru_lock);
	return ok;
}
