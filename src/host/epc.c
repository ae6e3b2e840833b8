/* SPDX-License-Identifier: MIT */
/*
 * EPC pages: discovery through CPUID leaf 0x12, one free list per NUMA node,
 * boot sanitization, the zombie list, and the page counts.
 *
 * Every page is in exactly one state (enum host_page_state), and its node's
 * counters change with it under the node's lock, so free + used + zombie +
 * bad == total holds for every node at every instant a lock holder can see.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host-int.h"

void host_cpu_enter(struct hw_cpu *cpu)
{
	/* The kernel runs with its own mappings: EPC identity, RAM pointers. */
	hw_cpu_set_addr_space(cpu, NULL);
}

uint32_t host_pa_to_index(const struct host *h, uint64_t pa)
{
	for (unsigned int i = 0; i < h->nr_sections; i++) {
		const struct host_section *s = &h->sections[i];

		if (pa >= s->base && pa - s->base < s->size)
			return s->first + (uint32_t)((pa - s->base) / SGX_PAGE_SIZE);
	}
	return HOST_PAGE_NONE;
}

uint64_t host_index_to_pa(const struct host *h, uint32_t idx)
{
	const struct host_section *s = &h->sections[h->pages[idx].section];

	return s->base + (uint64_t)(idx - s->first) * SGX_PAGE_SIZE;
}

int host_eremove(struct host *h, struct hw_cpu *cpu, uint32_t idx)
{
	return hw_eremove(cpu, host_index_to_pa(h, idx));
}

/* Counter of (node) that holds pages in (state). */
static uint64_t *node_counter(struct host_node *n, enum host_page_state state)
{
	switch (state) {
	case HP_FREE:
		return &n->free;
	case HP_ZOMBIE:
		return &n->zombie;
	case HP_BAD:
		return &n->bad;
	default:
		return &n->used;
	}
}

/* Move page (idx) to (state), with its node's lock held. */
/* The node's counters only; the caller keeps h->nr_free. */
static void page_move(struct host *h, uint32_t idx, enum host_page_state state)
{
	struct host_epc_page *pg = &h->pages[idx];
	struct host_node *n = &h->nodes[pg->node];

	(*node_counter(n, pg->state))--;
	(*node_counter(n, state))++;
	pg->state = state;
}

static void page_set_state(struct host *h, uint32_t idx, enum host_page_state state)
{
	if (h->pages[idx].state == HP_FREE)
		atomic_fetch_sub(&h->nr_free, 1);
	if (state == HP_FREE)
		atomic_fetch_add(&h->nr_free, 1);
	page_move(h, idx, state);
}

static uint32_t node_alloc(struct host *h, unsigned int node, enum host_page_state state)
{
	struct host_node *n = &h->nodes[node];
	uint32_t idx;

	pthread_mutex_lock(&n->lock);
	idx = n->free_head;
	if (idx != HOST_PAGE_NONE) {
		n->free_head = h->pages[idx].next;
		h->pages[idx].next = HOST_PAGE_NONE;
		h->pages[idx].flags = 0;
		h->pages[idx].owner = NULL;
		page_set_state(h, idx, state);
	}
	pthread_mutex_unlock(&n->lock);
	return idx;
}

uint32_t host_epc_alloc(struct host *h, unsigned int node, enum host_page_state state)
{
	/* The requested node first, then the others in turn, as Linux does. */
	for (unsigned int i = 0; i < h->nr_nodes; i++) {
		unsigned int nd = (node + i) % h->nr_nodes;
		uint32_t idx;

		if (!h->nodes[nd].present)
			continue;
		idx = node_alloc(h, nd, state);
		if (idx != HOST_PAGE_NONE)
			return idx;
	}
	return HOST_PAGE_NONE;
}

/* Push (idx) on its node's free list; node lock held. */
static void node_push_free(struct host *h, uint32_t idx)
{
	struct host_node *n = &h->nodes[h->pages[idx].node];

	h->pages[idx].owner = NULL;
	h->pages[idx].flags = 0;
	h->pages[idx].next = n->free_head;
	n->free_head = idx;
	page_set_state(h, idx, HP_FREE);
}

void host_epc_free(struct host *h, uint32_t idx)
{
	struct host_node *n = &h->nodes[h->pages[idx].node];

	pthread_mutex_lock(&n->lock);
	node_push_free(h, idx);
	pthread_mutex_unlock(&n->lock);
}

void host_batch_init(struct host_free_batch *b)
{
	for (unsigned int i = 0; i < HW_MAX_NODES; i++)
		b->head[i] = HOST_PAGE_NONE;
	b->nr = 0;
}

void host_batch_add(struct host *h, struct host_free_batch *b, uint32_t idx)
{
	unsigned int node = h->pages[idx].node;

	h->pages[idx].next = b->head[node];
	b->head[node] = idx;
	b->nr++;
}

void host_batch_flush(struct host *h, struct host_free_batch *b)
{
	for (unsigned int nd = 0; b->nr && nd < h->nr_nodes; nd++) {
		uint32_t idx, next;

		if (b->head[nd] == HOST_PAGE_NONE)
			continue;
		pthread_mutex_lock(&h->nodes[nd].lock);
		for (idx = b->head[nd]; idx != HOST_PAGE_NONE; idx = next) {
			struct host_epc_page *pg = &h->pages[idx];

			next = pg->next;
			pg->owner = NULL;
			pg->flags = 0;
			pg->next = h->nodes[nd].free_head;
			h->nodes[nd].free_head = idx;
			page_move(h, idx, HP_FREE);
		}
		pthread_mutex_unlock(&h->nodes[nd].lock);
		b->head[nd] = HOST_PAGE_NONE;
	}
	/* One update of the global count per batch, after the lists have the pages. */
	atomic_fetch_add(&h->nr_free, b->nr);
	b->nr = 0;
}

void host_epc_zombie(struct host *h, uint32_t idx)
{
	struct host_node *n = &h->nodes[h->pages[idx].node];

	pthread_mutex_lock(&h->zombie_lock);
	pthread_mutex_lock(&n->lock);
	page_set_state(h, idx, HP_ZOMBIE);
	pthread_mutex_unlock(&n->lock);
	h->pages[idx].next = h->zombie_head;
	h->zombie_head = idx;
	atomic_fetch_add(&h->nr_zombies, 1);
	pthread_mutex_unlock(&h->zombie_lock);
}

/* One pass over the zombies; the number freed. zombie_lock held. */
static uint64_t zombie_pass(struct host *h, struct hw_cpu *cpu)
{
	uint32_t idx, next, keep = HOST_PAGE_NONE;
	uint64_t freed = 0;

	for (idx = h->zombie_head; idx != HOST_PAGE_NONE; idx = next) {
		struct host_node *n = &h->nodes[h->pages[idx].node];

		next = h->pages[idx].next;
		if (host_eremove(h, cpu, idx) == SGX_SUCCESS) {
			pthread_mutex_lock(&n->lock);
			node_push_free(h, idx);
			pthread_mutex_unlock(&n->lock);
			atomic_fetch_sub(&h->nr_zombies, 1);
			freed++;
			continue;
		}
		h->pages[idx].next = keep;
		keep = idx;
	}
	h->zombie_head = keep;
	return freed;
}

uint64_t host_zombie_retry(struct host *h, struct hw_cpu *cpu)
{
	uint64_t left = 0;

	host_cpu_enter(cpu);
	pthread_mutex_lock(&h->zombie_lock);
	/* Again while pages go: a child freed in one pass unpins its SECS. */
	while (h->zombie_head != HOST_PAGE_NONE && zombie_pass(h, cpu))
		;
	for (uint32_t idx = h->zombie_head; idx != HOST_PAGE_NONE; idx = h->pages[idx].next)
		left++;
	pthread_mutex_unlock(&h->zombie_lock);
	return left;
}

void host_kernel_enter(struct host *h, struct hw_cpu *cpu)
{
	host_cpu_enter(cpu);
	if (atomic_load(&h->nr_zombies))
		host_zombie_retry(h, cpu);
}

int host_page_alloc(struct host *h, unsigned int node, uint64_t *ret_pa)
{
	uint32_t idx;

	if (node >= HW_MAX_NODES)
		return -EINVAL;
	idx = host_epc_alloc(h, node, HP_USED);
	if (idx == HOST_PAGE_NONE)
		return -ENOMEM;
	*ret_pa = host_index_to_pa(h, idx);
	return 0;
}

int host_page_free(struct host *h, uint64_t pa)
{
	uint32_t idx = host_pa_to_index(h, pa);
	struct host_node *n;
	int r = -EINVAL;

	if (idx == HOST_PAGE_NONE || (pa & ~SGX_PAGE_MASK))
		return -EINVAL;
	n = &h->nodes[h->pages[idx].node];
	pthread_mutex_lock(&n->lock);
	if (h->pages[idx].state == HP_USED) {
		node_push_free(h, idx);
		r = 0;
	}
	pthread_mutex_unlock(&n->lock);
	return r;
}

/* ------------------------------------------------------------------ */
/* Discovery and boot.                                                 */

static uint64_t cpuid_epc_field(uint32_t low, uint32_t high)
{
	return (uint64_t)(low & 0xfffff000u) | ((uint64_t)(high & 0xfffffu) << 32);
}

/*
 * The node of the section at (base): CPUID has none, so ask the platform's
 * description, as Linux asks ACPI (SRAT) for the node of an address.
 */
static unsigned int section_node(struct hw_processor *p, uint64_t base)
{
	for (unsigned int i = 0; i < hw_processor_nr_sections(p); i++) {
		const struct hw_epc_section_desc *d = hw_processor_section(p, i);

		if (d->base == base)
			return d->node < HW_MAX_NODES ? d->node : 0;
	}
	return 0; /* Linux's fallback for a section without a node */
}

static int host_discover(struct host *h)
{
	struct hw_cpuid_regs r;

	hw_cpuid(h->p, SGX_CPUID, 0, &r);
	if (!(r.eax & CPUID_12_EAX_SGX1))
		return -ENODEV;
	for (unsigned int i = 0; i < SGX_MAX_EPC_SECTIONS; i++) {
		struct host_section *s = &h->sections[h->nr_sections];

		hw_cpuid(h->p, SGX_CPUID, SGX_CPUID_EPC + i, &r);
		if ((r.eax & SGX_CPUID_EPC_TYPE_MASK) != SGX_CPUID_EPC_SECTION)
			break;
		s->base = cpuid_epc_field(r.eax, r.ebx);
		s->size = cpuid_epc_field(r.ecx, r.edx);
		s->first = (uint32_t)h->nr_pages;
		s->nr_pages = (uint32_t)(s->size / SGX_PAGE_SIZE);
		s->node = section_node(h->p, s->base);
		h->nr_pages += s->nr_pages;
		h->nr_sections++;
	}
	if (!h->nr_pages || h->nr_pages >= HOST_PAGE_NONE)
		return -ENODEV;
	return 0;
}

static int host_pages_init(struct host *h)
{
	h->pages = calloc(h->nr_pages, sizeof(*h->pages));
	if (!h->pages)
		return -ENOMEM;
	for (unsigned int i = 0; i < h->nr_sections; i++) {
		const struct host_section *s = &h->sections[i];
		struct host_node *n = &h->nodes[s->node];

		n->present = true;
		n->total += s->nr_pages;
		n->used += s->nr_pages; /* dirty until sanitized */
		if (s->node + 1 > h->nr_nodes)
			h->nr_nodes = s->node + 1;
		for (uint32_t k = 0; k < s->nr_pages; k++) {
			struct host_epc_page *pg = &h->pages[s->first + k];

			pg->state = HP_DIRTY;
			pg->section = (uint8_t)i;
			pg->node = (uint8_t)s->node;
			pg->next = pg->prev = HOST_PAGE_NONE;
		}
	}
	return 0;
}

/*
 * One sanitization pass over the list at *head: pages EREMOVE frees go to
 * the free list; SGX_CHILD_PRESENT ones (SECS pages whose children come
 * later) stay on the list when (retry), and any other failure, or any
 * failure on the last pass, makes the page bad.
 */
static void sanitize_pass(struct host *h, struct hw_cpu *cpu, uint32_t *head, bool retry)
{
	uint32_t idx, next, keep = HOST_PAGE_NONE, *tail = &keep;

	for (idx = *head; idx != HOST_PAGE_NONE; idx = next) {
		struct host_node *n = &h->nodes[h->pages[idx].node];
		int r = host_eremove(h, cpu, idx);

		next = h->pages[idx].next;
		if (r == SGX_CHILD_PRESENT && retry) {
			h->pages[idx].next = HOST_PAGE_NONE;
			*tail = idx;
			tail = &h->pages[idx].next;
			h->sanitize.second_pass++;
			continue;
		}
		pthread_mutex_lock(&n->lock);
		if (r == SGX_SUCCESS) {
			node_push_free(h, idx);
		} else {
			page_set_state(h, idx, HP_BAD);
			h->sanitize.bad++;
		}
		pthread_mutex_unlock(&n->lock);
	}
	*head = keep;
}

/*
 * Pages in index order: the free lists then hand out low addresses first,
 * which keeps runs reproducible.
 */
static void host_sanitize(struct host *h, struct hw_cpu *cpu)
{
	uint32_t head = HOST_PAGE_NONE;

	for (uint64_t i = h->nr_pages; i-- > 0;) {
		h->pages[i].next = head;
		head = (uint32_t)i;
	}
	host_cpu_enter(cpu);
	sanitize_pass(h, cpu, &head, true);
	sanitize_pass(h, cpu, &head, false);
	/* Free lists were built by pushing: reverse them back to address order. */
	for (unsigned int nd = 0; nd < h->nr_nodes; nd++) {
		uint32_t rev = HOST_PAGE_NONE, next;

		for (uint32_t idx = h->nodes[nd].free_head; idx != HOST_PAGE_NONE; idx = next) {
			next = h->pages[idx].next;
			h->pages[idx].next = rev;
			rev = idx;
		}
		h->nodes[nd].free_head = rev;
	}
}

static bool host_lc_flexible(struct host *h, struct hw_cpu *cpu)
{
	struct hw_cpuid_regs r;
	uint64_t fc = 0;

	hw_cpuid(h->p, 7, 0, &r);
	if (!(r.ecx & CPUID_7_ECX_SGX_LC))
		return false;
	if (hw_msr_read(cpu, MSR_IA32_FEATURE_CONTROL, &fc))
		return false;
	return (fc & FEAT_CTL_SGX_LC_ENABLED) != 0;
}

static void host_init_locks(struct host *h)
{
	for (unsigned int i = 0; i < HW_MAX_NODES; i++) {
		pthread_mutex_init(&h->nodes[i].lock, NULL);
		h->nodes[i].free_head = HOST_PAGE_NONE;
	}
	pthread_mutex_init(&h->zombie_lock, NULL);
	pthread_mutex_init(&h->owners_lock, NULL);
	pthread_mutex_init(&h->reclaim_lock, NULL);
	h->zombie_head = HOST_PAGE_NONE;
	h->low_pages = HOST_LOW_PAGES_DEFAULT;
	h->high_pages = HOST_HIGH_PAGES_DEFAULT;
}

int host_create(struct hw_processor *p, struct hw_cpu *cpu, struct host **ret)
{
	struct host *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return -ENOMEM;
	h->p = p;
	host_init_locks(h);
	r = host_discover(h);
	if (r)
		goto err_free;
	r = host_pages_init(h);
	if (r)
		goto err_free;
	r = host_owner_create(h, HOST_OWNER_ENCLAVES, HOST_NO_LIMIT, &h->root);
	if (r)
		goto err_free;
	h->lc_flexible = host_lc_flexible(h, cpu);
	host_sanitize(h, cpu);
	*ret = h;
	return 0;

err_free:
	host_destroy(h);
	return r;
}

void host_destroy(struct host *h)
{
	if (!h)
		return;
	host_owner_destroy(h->root);
	for (unsigned int i = 0; i < HW_MAX_NODES; i++)
		pthread_mutex_destroy(&h->nodes[i].lock);
	pthread_mutex_destroy(&h->zombie_lock);
	pthread_mutex_destroy(&h->owners_lock);
	pthread_mutex_destroy(&h->reclaim_lock);
	free(h->pages);
	free(h);
}

struct hw_processor *host_processor(const struct host *h)
{
	return h->p;
}

int host_set_watermarks(struct host *h, uint64_t low, uint64_t high)
{
	if (low > high)
		return -EINVAL;
	atomic_store(&h->low_pages, low);
	atomic_store(&h->high_pages, high);
	return 0;
}

unsigned int host_nr_nodes(const struct host *h)
{
	return h->nr_nodes;
}

int host_node_stats(struct host *h, unsigned int node, struct host_epc_stats *ret)
{
	struct host_node *n;

	memset(ret, 0, sizeof(*ret));
	if (node >= HW_MAX_NODES)
		return -EINVAL;
	n = &h->nodes[node];
	pthread_mutex_lock(&n->lock);
	ret->total = n->total;
	ret->free = n->free;
	ret->used = n->used;
	ret->zombie = n->zombie;
	ret->bad = n->bad;
	pthread_mutex_unlock(&n->lock);
	return 0;
}

void host_stats(struct host *h, struct host_epc_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (unsigned int nd = 0; nd < h->nr_nodes; nd++) {
		struct host_epc_stats s;

		host_node_stats(h, nd, &s);
		ret->total += s.total;
		ret->free += s.free;
		ret->used += s.used;
		ret->zombie += s.zombie;
		ret->bad += s.bad;
	}
}

uint64_t host_node_total_bytes(struct host *h, unsigned int node)
{
	struct host_epc_stats s;

	if (host_node_stats(h, node, &s))
		return 0;
	return s.total * SGX_PAGE_SIZE;
}

void host_sanitize_stats(const struct host *h, struct host_sanitize_stats *ret)
{
	*ret = h->sanitize;
}
