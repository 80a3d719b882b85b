/* vmsproc.h - the running VMs listed by a child process, read without blocking
 *
 * libvirt is asked by a forked child: it opens the connection, runs
 * host_probe_vms() on a copy of the caller's host and writes h->vms through
 * a pipe, then exits.  The caller polls the pipe (vmsproc_fd()) and takes
 * the answer with vmsproc_poll(), which never waits: a libvirtd that does not
 * answer keeps only the child waiting.  It also keeps libvirt.so and its 55
 * libraries (about 15 MiB of RSS that lv_close() does not give back) out of
 * a monitor that runs for days.
 *
 * The message is the same binary's structs, framed and checked: every count
 * is bounded and must match the bytes that follow, the node ids must be the
 * caller's, and strings are cut at their size, so a short or corrupt message
 * is an error, never a crash.
 */
#ifndef HVTUNE_VMSPROC_H
#define HVTUNE_VMSPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "probe/err.h"
#include "probe/fsroot.h"
#include "probe/host.h"

/* Refused counts in a message (a corrupt one, not a host) */
#define VMSPROC_MAX_VMS	  4096
#define VMSPROC_MAX_VCPUS 8192	       /* idset's NR_CPUS */
#define VMSPROC_MAX_MSG	  (256u << 20) /* 256 MiB */

struct vmsproc {
	pid_t pid; /* the child, -1 none */
	int fd;	   /* read end of its pipe (non-blocking), -1 none */
	char *buf; /* what came so far (heap, owned) */
	size_t len, cap;
	char uri[256]; /* what it asks, for messages */
};

void vmsproc_init(struct vmsproc *p);
/* Whether a child is running (started and not yet polled to the end). */
bool vmsproc_running(const struct vmsproc *p);

/*
 * Forks the child that lists the VMs of @h (its CPUs and nodes; @h is not
 * changed) through libvirt @uri under @r.  @uri NULL: qemu:///system, and
 * when it does not answer the VMs are unknown with libvirt's reason (not an
 * error).  A running child is cancelled first.  Returns at once.
 */
int vmsproc_start(struct vmsproc *p, const struct host *h, const struct fsroot *r, const char *uri,
		  struct err *e);
/* The fd to poll for input; -1 when no child runs. */
int vmsproc_fd(const struct vmsproc *p);
/*
 * Reads what the child has written, without blocking.  0: not complete yet
 * (or no child); 1: complete, and @h's VMs (vms_known, nvms, vms, vms_why)
 * are replaced whole by the answer; -1: the child failed, @e says why (also
 * "cannot connect to 'URI': ..." for an explicit URI) and @h is unchanged.
 * After 1 or -1 the child is reaped and @p is idle again.
 */
int vmsproc_poll(struct vmsproc *p, struct host *h, struct err *e);
/* Kills and reaps a running child; @p is idle after it (always safe). */
void vmsproc_cancel(struct vmsproc *p);

/* Start, then wait for the answer: 'hvtune monitor' at its start.  Returns
 * as vmsproc_poll(), but 0 for success.  No libvirt (@uri NULL and @r not the
 * live host): no child, vms_why says so. */
int vmsproc_run(struct host *h, const struct fsroot *r, const char *uri, struct err *e);

/*
 * The message itself (tested directly).  vmsproc_encode() frames @h's VMs
 * (@rc != 0: the failure @fail instead) into *@buf (caller free()s);
 * vmsproc_decode() reads one message made for @h's nodes into @h as
 * vmsproc_poll() does: 0, or -1 with @e (the child's failure or a bad
 * message) and @h unchanged.
 */
int vmsproc_encode(const struct host *h, int rc, const struct err *fail, char **buf, size_t *len,
		   struct err *e);
int vmsproc_decode(const char *buf, size_t len, struct host *h, struct err *e);

#endif
