/* SPDX-License-Identifier: MIT */
/*
 * EPC owners: the limits of the EPC cgroup that Linux never merged. Each
 * owner has a limit, a usage and a count of limit hits; an enclave group
 * also keeps the LRU of its reclaimable pages, so over its limit its own
 * pages are reclaimed first.
 */
#include <errno.h>
#include <stdlib.h>

#include "encl.h"

int host_owner_create(struct host *h, enum host_owner_kind kind, uint64_t limit,
		      struct host_owner **ret)
{
	struct host_owner *o;

	if (kind != HOST_OWNER_ENCLAVES && kind != HOST_OWNER_VM)
		return -EINVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->h = h;
	o->kind = kind;
	o->limit = limit;
	o->lru_head = o->lru_tail = NULL;
	pthread_mutex_init(&o->lru_lock, NULL);
	pthread_mutex_lock(&h->owners_lock);
	o->next = h->owners;
	h->owners = o;
	pthread_mutex_unlock(&h->owners_lock);
	*ret = o;
	return 0;
}

int host_owner_destroy(struct host_owner *o)
{
	struct host *h;

	if (!o)
		return 0;
	if (atomic_load(&o->usage))
		return -EBUSY;
	h = o->h;
	pthread_mutex_lock(&h->owners_lock);
	for (struct host_owner **pp = &h->owners; *pp; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	}
	pthread_mutex_unlock(&h->owners_lock);
	pthread_mutex_destroy(&o->lru_lock);
	free(o);
	return 0;
}

void host_owner_set_limit(struct host_owner *o, uint64_t limit)
{
	atomic_store(&o->limit, limit);
}

void host_owner_query(struct host_owner *o, struct host_owner_info *ret)
{
	ret->kind = o->kind;
	ret->limit = atomic_load(&o->limit);
	ret->usage = atomic_load(&o->usage);
	ret->limit_hits = atomic_load(&o->limit_hits);
	pthread_mutex_lock(&o->lru_lock);
	ret->reclaimable = o->lru_count;
	pthread_mutex_unlock(&o->lru_lock);
}

bool host_owner_charge(struct host_owner *o)
{
	uint64_t cur;

	if (!o)
		return true;
	cur = atomic_load(&o->usage);
	do {
		if (cur >= atomic_load(&o->limit)) {
			atomic_fetch_add(&o->limit_hits, 1);
			return false;
		}
	} while (!atomic_compare_exchange_weak(&o->usage, &cur, cur + 1));
	return true;
}

void host_owner_uncharge(struct host_owner *o)
{
	if (o)
		atomic_fetch_sub(&o->usage, 1);
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
