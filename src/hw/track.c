/* SPDX-License-Identifier: MIT */
/*
 * TLB tracking. Before EWB may write back a blocked page, no logical CPU may
 * still hold a translation for it. Hardware knows which CPUs could: those
 * that entered the enclave before the page was blocked. ETRACK opens a new
 * epoch and counts the threads inside at that moment; once all of them have
 * left, every epoch before the new one is tracked.
 *
 * Since ETRACK refuses to start while the previous cycle is incomplete
 * (SGX_PREV_TRK_INCMPL), at most two generations of threads exist: those that
 * entered before the last ETRACK and those that entered after. A page changed
 * in epoch E is therefore tracked once the epoch has moved past E + 1, or has
 * reached E + 1 and the threads of the older generation are all gone.
 *
 * Entries and exits on many CPUs must not serialize on each other, as on
 * hardware, where EENTER takes no enclave-wide lock; nor may they write a
 * cache line another CPU writes, or two CPUs entering one enclave would pay a
 * line transfer per entry and per exit, more than the rest of the leaf. So
 * each CPU keeps its own record (struct hw_cpu's track_slot, written only by
 * that CPU): outside, ENTERING, or INSIDE an enclave with the label of the
 * epoch it entered in. What a thread's generation is, ETRACK and the tracked
 * check learn by reading the records of the CPUs that ever entered the
 * enclave (its cpus_seen bits, each set once, at a CPU's first entry).
 *
 * The ordering argument. All the accesses below that order an entry against
 * an ETRACK are sequentially consistent, so they have one total order S.
 *
 *  - An entry sets its cpus_seen bit (once), stores ENTERING, then reads
 *    track_state. If that is an epoch, it stores INSIDE with that label;
 *    if ETRACK is in transition, it stores outside again and waits for the
 *    transition to end, then tries again. An exit stores outside.
 *  - ETRACK (under track_lock) stores "in transition" into track_state,
 *    then reads cpus_seen and every record of those CPUs, waiting while a
 *    record of this enclave says ENTERING. If an INSIDE record carries the
 *    previous epoch's label, the previous cycle is incomplete: it restores
 *    track_state and fails. Otherwise it advances the epoch and publishes it.
 *  - An entry whose read of track_state came before ETRACK's transition
 *    store has its bit and its ENTERING store before it too, so ETRACK's
 *    reads, which follow the transition store, see the bit and at least
 *    ENTERING; ETRACK waits until the record says INSIDE with the old label
 *    (the thread entered before this ETRACK: it is of the older generation
 *    from now on) or outside. An entry whose read came after the transition
 *    store sees the transition and backs off, or sees the new epoch. So no
 *    entry straddles an ETRACK, and no record ever changes label: each
 *    entry, exit and ETRACK takes effect at one instant, exactly as with a
 *    lock, and an ETRACK never fails or succeeds because of a thread that
 *    was only halfway in.
 *  - An ENTERING record waits for nothing, so ETRACK's wait is bounded by
 *    the few instructions of an entry; an entry waits only while an ETRACK
 *    reads the records.
 *  - An exit's store releases what the thread did inside; ETRACK's and the
 *    tracked check's loads of the record acquire it.
 *
 * The tracked check (per EWB and EACCEPT) scans the records only until it
 * has once seen the older generation gone (drained): no thread can join a
 * generation after its ETRACK, so that stays true until the next ETRACK.
 */
#include <pthread.h>
#include <sched.h>

#include "epcm.h"
#include "hw.h"

/*
 * A record: the enclave (its hidden state's address, 64-byte aligned, of a
 * 47-bit user address space: 41 bits), the epoch label (its low 21 bits:
 * only the current and the previous epoch are ever compared), the state.
 */
#define SLOT_OUTSIDE  0u
#define SLOT_ENTERING 1u
#define SLOT_INSIDE   2u
#define SLOT_STATE    3u
#define LABEL_BITS    21
#define LABEL_MASK    ((1ULL << LABEL_BITS) - 1)
#define ENCL_SHIFT    (2 + LABEL_BITS)

/* track_state: the current epoch's label, or this bit during an ETRACK. */
#define STATE_TRANSITION (1ULL << 63)

static uint64_t slot_make(const struct hw_enclave *encl, uint64_t label, unsigned int state)
{
	return ((uint64_t)(uintptr_t)encl >> 6) << ENCL_SHIFT | (label & LABEL_MASK) << 2 | state;
}

static bool slot_of(uint64_t slot, const struct hw_enclave *encl)
{
	return slot >> ENCL_SHIFT == (uint64_t)(uintptr_t)encl >> 6;
}

static uint64_t slot_label(uint64_t slot)
{
	return (slot >> 2) & LABEL_MASK;
}

void hw_track_enter(struct hw_enclave *encl, struct hw_cpu *cpu)
{
	_Atomic uint64_t *seen = &encl->cpus_seen[cpu->index / 64];
	uint64_t bit = 1ULL << (cpu->index % 64);
	uint64_t state;

	/* Set once per CPU and enclave: later entries only read the line. */
	if (!(atomic_load(seen) & bit))
		atomic_fetch_or(seen, bit);
	for (;;) {
		atomic_store(&cpu->track_slot, slot_make(encl, 0, SLOT_ENTERING));
		state = atomic_load(&encl->track_state);
		if (!(state & STATE_TRANSITION))
			break;
		atomic_store(&cpu->track_slot, SLOT_OUTSIDE);
		while (atomic_load(&encl->track_state) & STATE_TRANSITION)
			sched_yield();
	}
	atomic_store(&cpu->track_slot, slot_make(encl, state, SLOT_INSIDE));
	cpu->entry_epoch = state;
}

void hw_track_leave(struct hw_enclave *encl, struct hw_cpu *cpu)
{
	(void)encl;
	atomic_store_explicit(&cpu->track_slot, SLOT_OUTSIDE, memory_order_release);
}

/* A CPU's record for (encl), once it is not ENTERING: 0 when not inside (encl). */
static uint64_t slot_settled(const struct hw_enclave *encl, const struct hw_cpu *cpu)
{
	uint64_t slot;

	for (;;) {
		slot = atomic_load(&cpu->track_slot);
		if (!slot_of(slot, encl))
			return 0;
		if ((slot & SLOT_STATE) != SLOT_ENTERING)
			return (slot & SLOT_STATE) == SLOT_INSIDE ? slot : 0;
		sched_yield();
	}
}

/*
 * Count the threads inside (encl), those of the epoch labelled (label) in
 * *ret_cur and the others (the older generation) in *ret_prev.
 */
static void track_scan(const struct hw_enclave *encl, uint64_t label, uint32_t *ret_cur,
		       uint32_t *ret_prev)
{
	const struct hw_processor *p = encl->proc;

	*ret_cur = *ret_prev = 0;
	for (unsigned int w = 0; w < sizeof(encl->cpus_seen) / sizeof(encl->cpus_seen[0]); w++) {
		uint64_t bits = atomic_load(&encl->cpus_seen[w]);

		while (bits) {
			unsigned int i = w * 64 + (unsigned int)__builtin_ctzll(bits);
			uint64_t slot = slot_settled(encl, &p->cpus[i]);

			bits &= bits - 1;
			if (!slot)
				continue;
			if (slot_label(slot) == (label & LABEL_MASK))
				(*ret_cur)++;
			else
				(*ret_prev)++;
		}
	}
}

uint32_t hw_track_inside(const struct hw_enclave *encl)
{
	uint32_t cur, prev;

	/* Not yet linked (ECREATE failing): nobody can have entered. */
	if (!encl->proc)
		return 0;
	track_scan(encl, 0, &cur, &prev);
	return cur + prev;
}

int hw_track_start(struct hw_enclave *encl)
{
	uint64_t epoch;
	uint32_t cur, prev;
	int r = SGX_SUCCESS;

	pthread_mutex_lock(&encl->track_lock);
	epoch = atomic_load_explicit(&encl->epoch, memory_order_relaxed);
	atomic_store(&encl->track_state, STATE_TRANSITION);
	track_scan(encl, epoch, &cur, &prev);
	if (prev) {
		r = SGX_PREV_TRK_INCMPL;
	} else {
		/*
		 * The current generation becomes the older one; with none
		 * inside, it is gone. The new epoch is stored after the scan
		 * that acquired the older threads' exits, so a tracked check
		 * that sees it without the lock sees what they did inside.
		 */
		epoch++;
		atomic_store(&encl->epoch, epoch);
		atomic_store(&encl->drained, cur ? 0 : epoch);
	}
	atomic_store(&encl->track_state, epoch & LABEL_MASK);
	pthread_mutex_unlock(&encl->track_lock);
	return r;
}

/*
 * Page changes of epoch (epoch) are tracked once an ETRACK after them has
 * seen, or a check since has seen, the older generation gone. The answers
 * the epoch and drained words give without the lock stay true (the epoch
 * only grows; drained names the epoch it was seen in), so the lock is
 * taken only to scan the records.
 */
bool hw_track_done(struct hw_enclave *encl, uint64_t epoch)
{
	uint64_t now;
	uint32_t cur, prev;
	bool done;

	if (epoch == HW_EPOCH_TRACKED)
		return true;
	now = atomic_load(&encl->epoch);
	if (now != epoch + 1)
		return now > epoch + 1;
	if (atomic_load(&encl->drained) == now)
		return true;
	pthread_mutex_lock(&encl->track_lock);
	now = atomic_load_explicit(&encl->epoch, memory_order_relaxed);
	if (now != epoch + 1) {
		done = now > epoch + 1;
	} else if (atomic_load_explicit(&encl->drained, memory_order_relaxed) == now) {
		done = true;
	} else {
		/*
		 * An entry now reads the current epoch (no ETRACK can run): an
		 * ENTERING record becomes INSIDE of the current generation.
		 */
		track_scan(encl, now, &cur, &prev);
		done = !prev;
		if (done)
			atomic_store(&encl->drained, now);
	}
	pthread_mutex_unlock(&encl->track_lock);
	return done;
}
