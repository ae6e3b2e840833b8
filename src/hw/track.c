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
 * entered before the last ETRACK (prev_outstanding of them are still inside)
 * and those that entered after. A page changed in epoch E is therefore
 * tracked once the epoch has moved past E + 1, or has reached E + 1 and the
 * threads of the older generation are all gone.
 */
#include <pthread.h>

#include "epcm.h"
#include "hw.h"

void hw_track_enter(struct hw_enclave *encl, struct hw_cpu *cpu)
{
	pthread_mutex_lock(&encl->track_lock);
	cpu->entry_epoch = encl->epoch;
	atomic_fetch_add(&encl->threads_inside, 1);
	pthread_mutex_unlock(&encl->track_lock);
}

void hw_track_leave(struct hw_enclave *encl, struct hw_cpu *cpu)
{
	pthread_mutex_lock(&encl->track_lock);
	if (cpu->entry_epoch < encl->epoch)
		encl->prev_outstanding--;
	atomic_fetch_sub(&encl->threads_inside, 1);
	pthread_mutex_unlock(&encl->track_lock);
}

int hw_track_start(struct hw_enclave *encl)
{
	int r = SGX_SUCCESS;

	pthread_mutex_lock(&encl->track_lock);
	if (encl->prev_outstanding) {
		r = SGX_PREV_TRK_INCMPL;
	} else {
		encl->prev_outstanding = atomic_load(&encl->threads_inside);
		encl->epoch++;
	}
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
	bool done;

	if (epoch == HW_EPOCH_TRACKED)
		return true;
	pthread_mutex_lock(&encl->track_lock);
	done = encl->epoch > epoch + 1 || (encl->epoch == epoch + 1 && !encl->prev_outstanding);
	pthread_mutex_unlock(&encl->track_lock);
	return done;
}
