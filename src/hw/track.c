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
 * entered before the last ETRACK (prev of them are still inside) and those
 * that entered after (cur). A page changed in epoch E is therefore tracked
 * once the epoch has moved past E + 1, or has reached E + 1 and the threads
 * of the older generation are all gone.
 *
 * Entries and exits happen on many CPUs at once and must not serialize on
 * each other, as on hardware, where EENTER takes no enclave-wide lock. The
 * state they change is one 64-bit word, changed by single atomic
 * read-modify-writes: the low 32 bits of the epoch, prev and cur. Every
 * change of the word is one step in the single total order all RMWs of one
 * location have, so each entry, exit and ETRACK takes effect at one instant:
 *
 *  - EENTER adds one to cur (fetch_add) and learns, from the same RMW, the
 *    epoch it entered in. Had an ETRACK come first, the entry counts in the
 *    new generation; had it come after, the ETRACK moved this thread into
 *    prev. No entry can fall between the two.
 *  - EEXIT takes one off cur if the epoch is still the one it entered in,
 *    else off prev (CAS loop): a thread inside is of the current or the
 *    previous generation only, since ETRACK cannot open a second epoch
 *    while prev is nonzero.
 *  - ETRACK fails while prev is nonzero; otherwise it moves cur into prev,
 *    clears cur and advances the epoch, in one CAS. Entries and exits only
 *    change the counts and never make prev nonzero, so a CAS that fails
 *    because of one retries with prev still 0: ETRACK cannot turn into
 *    SGX_PREV_TRK_INCMPL because of a thread that came or went meanwhile.
 *
 * The full 64-bit epoch (the stamp EBLOCK, EMODPR and EMODT give a page) and
 * the checks against it are off the entry path: ETRACK, the stamp and the
 * tracked check take track_lock, so the epoch and the word's epoch bits
 * change together for them; an exit's RMW releases what the thread did
 * inside, and the tracked check's acquire load of the word sees it.
 */
#include <pthread.h>

#include "epcm.h"
#include "hw.h"

#define TRACK_CUR_ONE  1ULL
#define TRACK_PREV_ONE (1ULL << 16)

_Static_assert(HW_MAX_CPUS < (1u << 16), "a count of CPUs inside must fit in 16 bits");

static uint32_t track_cur(uint64_t w)
{
	return (uint32_t)(w & 0xffff);
}

static uint32_t track_prev(uint64_t w)
{
	return (uint32_t)((w >> 16) & 0xffff);
}

static uint32_t track_epoch32(uint64_t w)
{
	return (uint32_t)(w >> 32);
}

void hw_track_enter(struct hw_enclave *encl, struct hw_cpu *cpu)
{
	uint64_t w = atomic_fetch_add_explicit(&encl->track, TRACK_CUR_ONE, memory_order_acq_rel);

	cpu->entry_epoch = track_epoch32(w);
}

void hw_track_leave(struct hw_enclave *encl, struct hw_cpu *cpu)
{
	uint64_t w = atomic_load_explicit(&encl->track, memory_order_relaxed);
	uint64_t one;

	do {
		one =
		    track_epoch32(w) == (uint32_t)cpu->entry_epoch ? TRACK_CUR_ONE : TRACK_PREV_ONE;
	} while (!atomic_compare_exchange_weak_explicit(
	    &encl->track, &w, w - one, memory_order_acq_rel, memory_order_relaxed));
}

uint32_t hw_track_inside(const struct hw_enclave *encl)
{
	uint64_t w = atomic_load_explicit(&encl->track, memory_order_acquire);

	return track_cur(w) + track_prev(w);
}

int hw_track_start(struct hw_enclave *encl)
{
	uint64_t w, next;
	int r = SGX_SUCCESS;

	pthread_mutex_lock(&encl->track_lock);
	w = atomic_load_explicit(&encl->track, memory_order_acquire);
	do {
		if (track_prev(w)) {
			r = SGX_PREV_TRK_INCMPL;
			goto out;
		}
		next = ((uint64_t)(track_epoch32(w) + 1) << 32) | ((uint64_t)track_cur(w) << 16);
	} while (!atomic_compare_exchange_weak_explicit(
	    &encl->track, &w, next, memory_order_acq_rel, memory_order_acquire));
	encl->epoch++;
out:
	pthread_mutex_unlock(&encl->track_lock);
	return r;
}

uint64_t hw_track_epoch(struct hw_enclave *encl)
{
	uint64_t epoch;

	pthread_mutex_lock(&encl->track_lock);
	epoch = encl->epoch;
	pthread_mutex_unlock(&encl->track_lock);
	return epoch;
}

bool hw_track_done(struct hw_enclave *encl, uint64_t epoch)
{
	uint64_t w;
	bool done;

	if (epoch == HW_EPOCH_TRACKED)
		return true;
	pthread_mutex_lock(&encl->track_lock);
	w = atomic_load_explicit(&encl->track, memory_order_acquire);
	done = encl->epoch > epoch + 1 || (encl->epoch == epoch + 1 && !track_prev(w));
	pthread_mutex_unlock(&encl->track_lock);
	return done;
}
