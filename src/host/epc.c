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
#include <sys/mman.h>
#include <unistd.h>

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

const struct host_section *host_page_section(const struct host *h, uint32_t idx)
{
	const struct host_section *s = h->sections;

	/* At most 8 sections, in index order: a few compares, no per-page byte. */
	while (idx - s->first >= s->nr_pages)
		s++;
	return s;
}

uint64_t host_index_to_pa(const struct host *h, uint32_t idx)
{
	const struct host_section *s = host_page_section(h, idx);

	return s->base + (uint64_t)(idx - s->first) * SGX_PAGE_SIZE;
}

static struct host_node *page_node(struct host *h, uint32_t idx)
{
	return &h->nodes[host_page_section(h, idx)->node];
}

int host_eremove(struct host *h, struct hw_cpu *cpu, uint32_t idx)
{
	return hw_eremove(cpu, host_index_to_pa(h, idx));
}

static int idx_array_reserve(struct host_idx_array *a, uint64_t want)
{
	uint64_t cap = a->cap ? a->cap : 1024;
	uint32_t *n;

	if (want <= a->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	/* Large arrays are their own mappings: what is never written costs nothing. */
	n = realloc(a->idx, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->idx = n;
	a->cap = cap;
	return 0;
}

static int idx_array_push(struct host_idx_array *a, uint32_t idx)
{
	if (idx_array_reserve(a, a->nr + 1))
		return -ENOMEM;
	a->idx[a->nr++] = idx;
	return 0;
}

static void idx_array_free(struct host_idx_array *a)
{
	free(a->idx);
	a->idx = NULL;
	a->nr = a->cap = 0;
}

/*
 * Where (idx) is, or would go, in the ascending a->idx[from..nr).
 * Return: true when it is there.
 */
static bool idx_sorted_find(const struct host_idx_array *a, uint64_t from, uint32_t idx,
			    uint64_t *ret_pos)
{
	uint64_t lo = from, hi = a->nr;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (a->idx[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	*ret_pos = lo;
	return lo < a->nr && a->idx[lo] == idx;
}

static int idx_array_insert(struct host_idx_array *a, uint64_t pos, uint32_t idx)
{
	if (idx_array_reserve(a, a->nr + 1))
		return -ENOMEM;
	memmove(a->idx + pos + 1, a->idx + pos, (a->nr - pos) * sizeof(*a->idx));
	a->idx[pos] = idx;
	a->nr++;
	return 0;
}

static void idx_array_remove(struct host_idx_array *a, uint64_t pos)
{
	memmove(a->idx + pos, a->idx + pos + 1, (a->nr - pos - 1) * sizeof(*a->idx));
	a->nr--;
}

/* Whether (idx) is on (n)'s poison list; node lock held. One load on a healthy node. */
static bool node_poisoned(const struct host_node *n, uint32_t idx)
{
	uint64_t pos;

	return n->poison.nr && idx_sorted_find(&n->poison, 0, idx, &pos);
}

/* The next fresh page of (n), or HOST_PAGE_NONE; node lock held. */
static uint32_t node_take_fresh(struct host *h, struct host_node *n, unsigned int node)
{
	for (; n->fresh_sec < h->nr_sections; n->fresh_sec++) {
		const struct host_section *s = &h->sections[n->fresh_sec];

		if (s->node != node)
			continue;
		if (n->fresh_next < s->first)
			n->fresh_next = s->first;
		while (n->fresh_next - s->first < s->nr_pages) {
			uint32_t idx = n->fresh_next++;

			if (n->skip_pos < n->skip.nr && n->skip.idx[n->skip_pos] == idx) {
				n->skip_pos++;
				continue;
			}
			return idx;
		}
	}
	return HOST_PAGE_NONE;
}

static uint32_t node_alloc(struct host *h, unsigned int node)
{
	struct host_node *n = &h->nodes[node];
	uint32_t idx = HOST_PAGE_NONE;

	pthread_mutex_lock(&n->lock);
	if (!n->free)
		goto out;
	if (n->back.nr)
		idx = n->back.idx[--n->back.nr];
	else
		idx = node_take_fresh(h, n, node);
	if (idx == HOST_PAGE_NONE && n->late_pos < n->late.nr)
		idx = n->late.idx[n->late_pos++];
	if (idx != HOST_PAGE_NONE) {
		n->free--;
		n->used++;
		atomic_fetch_sub(&h->nr_free, 1);
	}
out:
	pthread_mutex_unlock(&n->lock);
	return idx;
}

uint32_t host_epc_alloc(struct host *h, unsigned int node, enum host_page_state state)
{
	(void)state; /* the caller keeps what the page is for */
	/* The requested node first, then the others in turn, as Linux does. */
	for (unsigned int i = 0; i < h->nr_nodes; i++) {
		unsigned int nd = (node + i) % h->nr_nodes;
		uint32_t idx;

		if (!h->nodes[nd].present)
			continue;
		idx = node_alloc(h, nd);
		if (idx != HOST_PAGE_NONE)
			return idx;
	}
	return HOST_PAGE_NONE;
}

/*
 * Give (idx), a used or zombie page, back to (n); node lock held. A poisoned
 * page goes to bad instead, as Linux's sgx_free_epc_page() puts it on the
 * node's poison list. Return: true when the page is free again.
 */
static bool node_push_free(struct host_node *n, uint32_t idx)
{
	if (node_poisoned(n, idx)) {
		n->bad++;
		return false;
	}
	/* Room for every page of the node, from boot. */
	n->back.idx[n->back.nr++] = idx;
	n->free++;
	return true;
}

void host_epc_free(struct host *h, uint32_t idx)
{
	struct host_node *n = page_node(h, idx);
	bool freed;

	pthread_mutex_lock(&n->lock);
	freed = node_push_free(n, idx);
	n->used--;
	pthread_mutex_unlock(&n->lock);
	if (freed)
		atomic_fetch_add(&h->nr_free, 1);
}

void host_batch_init(struct host_free_batch *b)
{
	b->nr = 0;
}

void host_batch_add(struct host *h, struct host_free_batch *b, uint32_t idx)
{
	if (b->nr == HOST_BATCH_PAGES)
		host_batch_flush(h, b);
	b->idx[b->nr++] = idx;
}

void host_batch_flush(struct host *h, struct host_free_batch *b)
{
	uint64_t done = 0, freed = 0;

	/* One lock per run of pages on one node: release frees in index order. */
	while (done < b->nr) {
		struct host_node *n = page_node(h, b->idx[done]);

		pthread_mutex_lock(&n->lock);
		for (; done < b->nr && page_node(h, b->idx[done]) == n; done++) {
			freed += node_push_free(n, b->idx[done]);
			n->used--;
		}
		pthread_mutex_unlock(&n->lock);
	}
	/* One update of the global count per batch, after the nodes have the pages. */
	atomic_fetch_add(&h->nr_free, freed);
	b->nr = 0;
}

void host_epc_zombie(struct host *h, uint32_t idx)
{
	struct host_node *n = page_node(h, idx);
	bool listed;

	pthread_mutex_lock(&h->zombie_lock);
	listed = !idx_array_push(&h->zombies, idx);
	pthread_mutex_lock(&n->lock);
	n->used--;
	/* No memory to list it: it can never be retried, so it is bad. */
	if (listed)
		n->zombie++;
	else
		n->bad++;
	pthread_mutex_unlock(&n->lock);
	if (listed)
		atomic_fetch_add(&h->nr_zombies, 1);
	pthread_mutex_unlock(&h->zombie_lock);
}

/* One pass over the zombies; the number freed. zombie_lock held. */
static uint64_t zombie_pass(struct host *h, struct hw_cpu *cpu)
{
	uint64_t freed = 0, keep = 0;

	for (uint64_t i = 0; i < h->zombies.nr; i++) {
		uint32_t idx = h->zombies.idx[i];
		struct host_node *n = page_node(h, idx);

		if (host_eremove(h, cpu, idx) != SGX_SUCCESS) {
			h->zombies.idx[keep++] = idx;
			continue;
		}
		pthread_mutex_lock(&n->lock);
		if (node_push_free(n, idx))
			atomic_fetch_add(&h->nr_free, 1);
		n->zombie--;
		pthread_mutex_unlock(&n->lock);
		atomic_fetch_sub(&h->nr_zombies, 1);
		freed++;
	}
	h->zombies.nr = keep;
	return freed;
}

uint64_t host_zombie_retry(struct host *h, struct hw_cpu *cpu)
{
	uint64_t left;

	host_cpu_enter(cpu);
	pthread_mutex_lock(&h->zombie_lock);
	/* Again while pages go: a child freed in one pass unpins its SECS. */
	while (h->zombies.nr && zombie_pass(h, cpu))
		;
	left = h->zombies.nr;
	pthread_mutex_unlock(&h->zombie_lock);
	return left;
}

/*
 * Take (idx) out of (n)'s free pages if it is there; node lock held. The
 * free pages keep no link per page, so this looks where a free page can
 * be: among those given back, the late ones, and those the fresh cursor has
 * not reached yet, which it is told to step over (skip). Rare and linear in
 * the pages given back: memory errors are.
 * Return: true when the page was free.
 */
static bool node_take_free(struct host *h, struct host_node *n, uint32_t idx)
{
	const struct host_section *s = host_page_section(h, idx);
	unsigned int sec = (unsigned int)(s - h->sections);
	uint64_t pos;

	if (!n->free)
		return false;
	for (pos = n->back.nr; pos-- > 0;) {
		if (n->back.idx[pos] == idx) {
			idx_array_remove(&n->back, pos);
			return true;
		}
	}
	if (idx_sorted_find(&n->late, n->late_pos, idx, &pos)) {
		idx_array_remove(&n->late, pos);
		return true;
	}
	if (sec < n->fresh_sec || (sec == n->fresh_sec && idx < n->fresh_next))
		return false;
	/* Not reached yet; a page on skip is bad already, or late (above). */
	if (idx_sorted_find(&n->skip, n->skip_pos, idx, &pos))
		return false;
	/* The cursor steps over it; no memory to say so leaves it free. */
	return !idx_array_insert(&n->skip, pos, idx);
}

int host_memory_failure(struct host *h, uint64_t pa, unsigned int flags)
{
	uint32_t idx = host_pa_to_index(h, pa);
	struct host_node *n;
	uint64_t pos;
	int r = 0;

	if (idx == HOST_PAGE_NONE)
		return -ENXIO;
	n = page_node(h, idx);
	pthread_mutex_lock(&n->lock);
	if (!idx_sorted_find(&n->poison, 0, idx, &pos)) {
		r = idx_array_insert(&n->poison, pos, idx);
		if (!r && node_take_free(h, n, idx)) {
			n->free--;
			n->bad++;
			atomic_fetch_sub(&h->nr_free, 1);
		}
	}
	pthread_mutex_unlock(&n->lock);
	if (r)
		return r;
	/* The consumer's SIGBUS: its use of the page is over. */
	return (flags & HOST_MF_ACTION_REQUIRED) ? -EHWPOISON : 0;
}

bool host_page_poisoned(struct host *h, uint64_t pa)
{
	uint32_t idx = host_pa_to_index(h, pa);
	struct host_node *n;
	bool poisoned;

	if (idx == HOST_PAGE_NONE)
		return false;
	n = page_node(h, idx);
	pthread_mutex_lock(&n->lock);
	poisoned = node_poisoned(n, idx);
	pthread_mutex_unlock(&n->lock);
	return poisoned;
}

void host_kernel_enter(struct host *h, struct hw_cpu *cpu)
{
	host_cpu_enter(cpu);
	if (atomic_load(&h->nr_zombies))
		host_zombie_retry(h, cpu);
}

/* Mark (idx) a raw allocation (set) or not; false when it was not (or no memory). */
static bool raw_mark(struct host *h, uint32_t idx, bool set)
{
	uint64_t chunk = idx / HOST_RAW_CHUNK_PAGES, bit = idx % HOST_RAW_CHUNK_PAGES;
	uint64_t *map, mask = 1ULL << (bit % 64);
	bool was = false;

	pthread_mutex_lock(&h->raw_lock);
	map = h->raw[chunk];
	if (!map && set)
		map = h->raw[chunk] = calloc(HOST_RAW_CHUNK_PAGES / 64, sizeof(*map));
	if (map) {
		was = map[bit / 64] & mask;
		map[bit / 64] = set ? map[bit / 64] | mask : map[bit / 64] & ~mask;
	}
	pthread_mutex_unlock(&h->raw_lock);
	return set ? map != NULL : was;
}

int host_page_alloc(struct host *h, unsigned int node, uint64_t *ret_pa)
{
	uint32_t idx;

	if (node >= HW_MAX_NODES)
		return -EINVAL;
	idx = host_epc_alloc(h, node, HP_USED);
	if (idx == HOST_PAGE_NONE)
		return -ENOMEM;
	if (!raw_mark(h, idx, true)) {
		host_epc_free(h, idx);
		return -ENOMEM;
	}
	*ret_pa = host_index_to_pa(h, idx);
	return 0;
}

int host_page_free(struct host *h, uint64_t pa)
{
	uint32_t idx = host_pa_to_index(h, pa);

	if (idx == HOST_PAGE_NONE || (pa & ~SGX_PAGE_MASK))
		return -EINVAL;
	/* Only a raw allocation: vEPC and enclave pages are their owners' to free. */
	if (!raw_mark(h, idx, false))
		return -EINVAL;
	host_epc_free(h, idx);
	return 0;
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
	h->raw = calloc((h->nr_pages + HOST_RAW_CHUNK_PAGES - 1) / HOST_RAW_CHUNK_PAGES,
			sizeof(*h->raw));
	if (!h->raw)
		return -ENOMEM;
	for (unsigned int i = 0; i < h->nr_sections; i++) {
		const struct host_section *s = &h->sections[i];
		struct host_node *n = &h->nodes[s->node];

		n->present = true;
		n->total += s->nr_pages;
		n->used += s->nr_pages; /* dirty until sanitized */
		if (s->node + 1 > h->nr_nodes)
			h->nr_nodes = s->node + 1;
	}
	for (unsigned int nd = 0; nd < h->nr_nodes; nd++) {
		struct host_node *n = &h->nodes[nd];
		void *map;

		if (!n->present)
			continue;
		/* Untouched until pages come back: no memory for pages never given back. */
		map = mmap(NULL, n->total * sizeof(uint32_t), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (map == MAP_FAILED)
			return -ENOMEM;
		n->back.idx = map;
		n->back.cap = n->total;
	}
	return 0;
}

/*
 * The first pass over a range of pages, on one CPU: a page EREMOVE frees
 * stays fresh and needs no record; a SECS whose children come later
 * (SGX_CHILD_PRESENT) waits for the second pass; any other failure makes the
 * page bad. With nothing valid in the EPC (a cold boot), EREMOVE does not
 * even read an entry: an untouched EPC stays unbacked.
 */
struct sanitize_job {
	struct host *h;
	struct hw_cpu *cpu;
	uint32_t first, end;		  /* page indices */
	struct host_idx_array child, bad; /* ascending */
	int r;
};

static void *sanitize_run(void *arg)
{
	struct sanitize_job *j = arg;
	const struct host_section *s = host_page_section(j->h, j->first);

	host_cpu_enter(j->cpu);
	for (uint32_t idx = j->first; idx < j->end && !j->r; idx++) {
		int r;

		if (idx - s->first >= s->nr_pages)
			s++;
		r = hw_eremove(j->cpu, s->base + (uint64_t)(idx - s->first) * SGX_PAGE_SIZE);
		if (r == SGX_CHILD_PRESENT)
			j->r = idx_array_push(&j->child, idx);
		else if (r != SGX_SUCCESS)
			j->r = idx_array_push(&j->bad, idx);
	}
	return NULL;
}

/* What one job found, in index order, into the nodes' lists. */
static int sanitize_merge(struct host *h, struct sanitize_job *j, struct host_idx_array *again)
{
	uint64_t c = 0, b = 0;

	while (c < j->child.nr || b < j->bad.nr) {
		bool child = b == j->bad.nr || (c < j->child.nr && j->child.idx[c] < j->bad.idx[b]);
		uint32_t idx = child ? j->child.idx[c++] : j->bad.idx[b++];
		struct host_node *n = page_node(h, idx);

		if (idx_array_push(&n->skip, idx))
			return -ENOMEM;
		if (!child) {
			n->bad++;
			h->sanitize.bad++;
			continue;
		}
		if (idx_array_push(again, idx))
			return -ENOMEM;
		h->sanitize.second_pass++;
	}
	return 0;
}

/*
 * The first pass on up to HOST_SANITIZE_CPUS of the processor's CPUs at
 * once, each over a run of pages, as a kernel would spread the work over its
 * CPUs: a terabyte of EPC is 268 million EREMOVEs. The runs are merged in
 * index order, so the result does not depend on how many CPUs took part.
 */
#define HOST_SANITIZE_CPUS	8
#define HOST_SANITIZE_MIN_PAGES (1u << 18)

static unsigned int sanitize_nr_cpus(const struct host *h)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int n = hw_processor_nr_cpus(h->p);

	if (online > 0 && (unsigned long)online < n)
		n = (unsigned int)online;
	if (n > HOST_SANITIZE_CPUS)
		n = HOST_SANITIZE_CPUS;
	if (h->nr_pages < HOST_SANITIZE_MIN_PAGES || !n)
		n = 1;
	return n;
}

static int sanitize_first(struct host *h, struct hw_cpu *cpu, struct host_idx_array *again)
{
	struct sanitize_job job[HOST_SANITIZE_CPUS] = { 0 };
	pthread_t thread[HOST_SANITIZE_CPUS];
	bool started[HOST_SANITIZE_CPUS] = { false };
	unsigned int nr = sanitize_nr_cpus(h);
	int r = 0;

	for (unsigned int t = 0; t < nr; t++) {
		job[t].h = h;
		/* The caller's CPU, then the others in turn. */
		job[t].cpu = t ? hw_processor_cpu(h->p, t) : cpu;
		if (job[t].cpu == cpu && t)
			job[t].cpu = hw_processor_cpu(h->p, 0);
		job[t].first = (uint32_t)(h->nr_pages * t / nr);
		job[t].end = (uint32_t)(h->nr_pages * (t + 1) / nr);
	}
	for (unsigned int t = 1; t < nr; t++)
		started[t] = !pthread_create(&thread[t], NULL, sanitize_run, &job[t]);
	sanitize_run(&job[0]);
	/* A CPU whose thread would not start: its run is done here. */
	for (unsigned int t = 1; t < nr; t++) {
		if (started[t])
			pthread_join(thread[t], NULL);
		else
			sanitize_run(&job[t]);
	}
	for (unsigned int t = 0; t < nr; t++) {
		if (!r)
			r = job[t].r;
		if (!r)
			r = sanitize_merge(h, &job[t], again);
		idx_array_free(&job[t].child);
		idx_array_free(&job[t].bad);
	}
	return r;
}

/* The second pass: what EREMOVE frees now is handed out after every fresh page. */
static int sanitize_second(struct host *h, struct hw_cpu *cpu, struct host_idx_array *again)
{
	for (uint64_t k = 0; k < again->nr; k++) {
		uint32_t idx = again->idx[k];
		struct host_node *n = page_node(h, idx);

		if (host_eremove(h, cpu, idx) != SGX_SUCCESS) {
			n->bad++;
			h->sanitize.bad++;
			continue;
		}
		if (idx_array_push(&n->late, idx))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Pages in index order: the free pages are then handed out low addresses
 * first, which keeps runs reproducible. Return: 0, or -ENOMEM when there is
 * no memory to note the pages that were not free (a warm boot's).
 */
static int host_sanitize(struct host *h, struct hw_cpu *cpu)
{
	struct host_idx_array again = { 0 };
	uint64_t nr_free = 0;
	int r;

	host_cpu_enter(cpu);
	r = sanitize_first(h, cpu, &again);
	if (!r)
		r = sanitize_second(h, cpu, &again);
	idx_array_free(&again);
	/* Every page is free now, but those found bad. */
	for (unsigned int nd = 0; nd < h->nr_nodes; nd++) {
		struct host_node *n = &h->nodes[nd];

		n->used = 0;
		n->free = n->total - n->bad;
		nr_free += n->free;
	}
	atomic_store(&h->nr_free, nr_free);
	return r;
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
	for (unsigned int i = 0; i < HW_MAX_NODES; i++)
		pthread_mutex_init(&h->nodes[i].lock, NULL);
	pthread_mutex_init(&h->zombie_lock, NULL);
	pthread_mutex_init(&h->raw_lock, NULL);
	pthread_mutex_init(&h->owners_lock, NULL);
	pthread_mutex_init(&h->evict_lock, NULL);
	h->owners_tail = &h->owners;
	pthread_mutex_init(&h->reclaim_lock, NULL);
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
	r = host_owner_create_in(h, NULL, "root", HOST_OWNER_ENCLAVES, HOST_NO_LIMIT,
				 HOST_ON_MAX_REFUSE, &h->root);
	if (r)
		goto err_free;
	h->lc_flexible = host_lc_flexible(h, cpu);
	r = host_sanitize(h, cpu);
	if (r)
		goto err_free;
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
	host_owner_destroy_root(h);
	for (unsigned int i = 0; i < HW_MAX_NODES; i++) {
		if (h->nodes[i].back.idx)
			munmap(h->nodes[i].back.idx, h->nodes[i].back.cap * sizeof(uint32_t));
		idx_array_free(&h->nodes[i].skip);
		idx_array_free(&h->nodes[i].late);
		idx_array_free(&h->nodes[i].poison);
		pthread_mutex_destroy(&h->nodes[i].lock);
	}
	for (uint64_t c = 0; h->raw && c * HOST_RAW_CHUNK_PAGES < h->nr_pages; c++)
		free(h->raw[c]);
	free(h->raw);
	idx_array_free(&h->zombies);
	pthread_mutex_destroy(&h->zombie_lock);
	pthread_mutex_destroy(&h->raw_lock);
	pthread_mutex_destroy(&h->owners_lock);
	pthread_mutex_destroy(&h->evict_lock);
	pthread_mutex_destroy(&h->reclaim_lock);
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
