/* SPDX-License-Identifier: MIT */
/*
 * A host thread per vCPU, as KVM gives each vCPU its own thread and QEMU's
 * multi-threaded TCG runs each vCPU on one (vmm_set_vcpu_threads()).
 *
 * Everything a vCPU does runs on its thread: the guest's ENCLS and ENCLU on
 * it, its enclave accesses, the faults they take, its MSR accesses, an AEX
 * when it is interrupted or preempted, its INIT at a reset. A caller hands
 * the work to the thread and waits for it, as a VMM thread waits for a vCPU
 * ioctl: one caller sees the same results in the same order as without
 * threads. Where the VMM acts on every vCPU of a VM at once (stopping them
 * for a reset, a pause, a sleep state, a migration or a destroy, and
 * resetting their state), it hands the work to all of them first and then
 * waits for all: those AEXes and INITs really run at the same time, on
 * different logical CPUs, which the processor model is built for.
 *
 * The threads block every signal (as QEMU's vCPU threads block the ones the
 * main loop handles), so Ctrl-C at the monitor's prompt and the QMP thread's
 * wake-up still reach the thread that reads commands.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "vm-int.h"

struct vmm_vcpu_thread {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* work handed over, work done, or stop */
	vmm_vcpu_fn fn;
	void *arg;
	bool pending; /* fn is handed over and not done yet */
	bool stop;
};

/* The vCPU whose thread this is, or NULL on any other thread. */
static _Thread_local struct vmm_vcpu *vcpu_self;

static void *vcpu_thread_main(void *opaque)
{
	struct vmm_vcpu *vcpu = opaque;
	struct vmm_vcpu_thread *t = vcpu->thread;

	vcpu_self = vcpu;
	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (!t->pending && !t->stop)
			pthread_cond_wait(&t->cond, &t->lock);
		if (!t->pending)
			break;
		pthread_mutex_unlock(&t->lock);
		t->fn(vcpu, t->arg);
		pthread_mutex_lock(&t->lock);
		t->pending = false;
		pthread_cond_broadcast(&t->cond);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

int vmm_vcpu_thread_start(struct vmm_vcpu *vcpu)
{
	struct vmm_vcpu_thread *t;
	sigset_t all, old;
	int r;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	vcpu->thread = t;
	/* The new thread inherits the mask: no signal is ever delivered to it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t->tid, NULL, vcpu_thread_main, vcpu);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		goto err_create;
	return 0;

err_create:
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
	vcpu->thread = NULL;
	return -r;
}

void vmm_vcpu_thread_stop(struct vmm_vcpu *vcpu)
{
	struct vmm_vcpu_thread *t = vcpu ? vcpu->thread : NULL;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->tid, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
	vcpu->thread = NULL;
}

/* Whether work for (vcpu) must go to its thread rather than run here. */
static bool vcpu_elsewhere(const struct vmm_vcpu *vcpu)
{
	return vcpu->thread && vcpu_self != vcpu;
}

static void vcpu_post(struct vmm_vcpu *vcpu, vmm_vcpu_fn fn, void *arg)
{
	struct vmm_vcpu_thread *t = vcpu->thread;

	pthread_mutex_lock(&t->lock);
	while (t->pending)
		pthread_cond_wait(&t->cond, &t->lock);
	t->fn = fn;
	t->arg = arg;
	t->pending = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

static void vcpu_wait(struct vmm_vcpu *vcpu)
{
	struct vmm_vcpu_thread *t = vcpu->thread;

	pthread_mutex_lock(&t->lock);
	while (t->pending)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

void vmm_vcpu_call(struct vmm_vcpu *vcpu, vmm_vcpu_fn fn, void *arg)
{
	if (!vcpu_elsewhere(vcpu)) {
		fn(vcpu, arg);
		return;
	}
	vcpu_post(vcpu, fn, arg);
	vcpu_wait(vcpu);
}

void vmm_vcpus_call(struct vmm_vcpu *const *vcpus, unsigned int n, vmm_vcpu_fn fn, void *arg)
{
	/* Hand the work to every thread before waiting for any: they run at once. */
	for (unsigned int i = 0; i < n; i++) {
		if (vcpu_elsewhere(vcpus[i]))
			vcpu_post(vcpus[i], fn, arg);
		else
			fn(vcpus[i], arg);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (vcpu_elsewhere(vcpus[i]))
			vcpu_wait(vcpus[i]);
	}
}
