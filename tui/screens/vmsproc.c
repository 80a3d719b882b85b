/* vmsproc.c - the running VMs listed by a child process, read without blocking */
#include "tui/screens/vmsproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe/lv.h"
#include "probe/strfmt.h"

#define VMSPROC_MAGIC	0x4d565648u /* "HVVM" */
#define VMSPROC_VERSION 1u

/* The head of a message; the VMs follow, each as struct vm, two flags, then
 * its pins (vcpus), threads (nthreads) and node_kib (nnodes). */
struct msg_head {
	uint32_t magic, version;
	int32_t rc; /* 0, or the child's failure in @fail */
	struct err fail;
	uint8_t vms_known; /* 0 or 1: a byte, not a bool (see flag_ok()) */
	char vms_why[HOST_WHY_MAX];
	uint64_t nnodes; /* then nnodes node ids (uint32_t) */
	uint64_t nvms;
};

struct vm_flags {
	uint8_t has_pins, has_mem; /* 0 or 1 */
};

/* ---- the message ---- */

struct obuf {
	char *p;
	size_t len, cap;
};

static bool put(struct obuf *o, const void *data, size_t n)
{
	if (n == 0)
		return true; /* @data may be NULL: no threads */
	if (n > o->cap - o->len) {
		size_t cap = o->cap ? o->cap : 4096;
		char *grown;

		while (n > cap - o->len) {
			if (cap > VMSPROC_MAX_MSG)
				return false;
			cap *= 2;
		}
		grown = realloc(o->p, cap);
		if (!grown)
			return false;
		o->p = grown;
		o->cap = cap;
	}
	memcpy(o->p + o->len, data, n);
	o->len += n;
	return true;
}

int vmsproc_encode(const struct host *h, int rc, const struct err *fail, char **buf, size_t *len,
		   struct err *e)
{
	struct msg_head m;
	struct obuf o = {NULL, 0, 0};
	bool ok;

	memset(&m, 0, sizeof(m));
	m.magic = VMSPROC_MAGIC;
	m.version = VMSPROC_VERSION;
	m.rc = rc;
	if (rc != 0 && fail)
		m.fail = *fail;
	m.vms_known = h->vms_known;
	memcpy(m.vms_why, h->vms_why, sizeof(m.vms_why));
	m.nnodes = h->nnodes;
	m.nvms = rc == 0 ? h->nvms : 0;
	ok = put(&o, &m, sizeof(m));
	for (size_t i = 0; ok && i < h->nnodes; i++) {
		uint32_t id = h->nodes[i].id;

		ok = put(&o, &id, sizeof(id));
	}
	for (size_t i = 0; ok && i < m.nvms; i++) {
		const struct vm *v = &h->vms[i];
		struct vm_flags f = {v->pins != NULL, v->node_kib != NULL};

		ok = put(&o, v, sizeof(*v)) && put(&o, &f, sizeof(f)) &&
		     (!f.has_pins || put(&o, v->pins, v->vcpus * sizeof(*v->pins))) &&
		     put(&o, v->threads, v->nthreads * sizeof(*v->threads)) &&
		     (!f.has_mem || put(&o, v->node_kib, h->nnodes * sizeof(*v->node_kib)));
	}
	if (!ok) {
		free(o.p);
		return err_set(e, ENOMEM, "cannot encode the VMs");
	}
	*buf = o.p;
	*len = o.len;
	return 0;
}

struct ibuf {
	const char *p;
	size_t left;
};

static bool get(struct ibuf *in, void *out, size_t n)
{
	if (n == 0)
		return true;
	if (n > in->left)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

/* A heap copy of @n items of @size from @in; NULL with *@nomem when out of memory. */
static void *get_array(struct ibuf *in, size_t n, size_t size, bool *nomem)
{
	void *a;

	if (n > in->left / size)
		return NULL;
	a = calloc(n ? n : 1, size);
	if (!a) {
		*nomem = true;
		return NULL;
	}
	get(in, a, n * size);
	return a;
}

static void vms_free(struct vm *vms, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(vms[i].pins);
		free(vms[i].threads);
		free(vms[i].node_kib);
	}
	free(vms);
}

#define TERMINATE(s) ((s)[sizeof(s) - 1] = '\0')

/* A yes/no byte of the message.  It is read as a byte and checked, never
 * loaded as a bool: a bool holding 2 is undefined behaviour, and the bytes
 * come from another process. */
static bool flag_ok(uint8_t b)
{
	return b <= 1;
}

enum get_rc { GET_OK, GET_SHORT, GET_CORRUPT, GET_SHORT_OR_NOMEM };

/* One VM of the message into @v: its struct vm, flags and arrays.  After
 * GET_SHORT @v holds the child's pointers (zero it); otherwise it holds
 * only arrays of ours.  *@bad says why for GET_CORRUPT. */
static enum get_rc get_vm(struct ibuf *in, struct vm *v, size_t nnodes, const char **bad,
			  bool *nomem)
{
	struct vm_flags f;

	if (!get(in, v, sizeof(*v)) || !get(in, &f, sizeof(f)))
		return GET_SHORT;
	/* its pointers are the child's: none is kept */
	v->pins = NULL;
	v->threads = NULL;
	v->node_kib = NULL;
	if (!flag_ok(f.has_pins) || !flag_ok(f.has_mem)) {
		*bad = "a flag that is not 0 or 1";
		return GET_CORRUPT;
	}
	TERMINATE(v->name);
	TERMINATE(v->numa_mode);
	TERMINATE(v->numa_nodeset);
	TERMINATE(v->pid_why);
	TERMINATE(v->mem_why);
	if (v->vcpus > VMSPROC_MAX_VCPUS || v->nthreads > VMSPROC_MAX_VCPUS) {
		*bad = "a vCPU count out of range";
		return GET_CORRUPT;
	}
	if (f.has_pins && !(v->pins = get_array(in, v->vcpus, sizeof(*v->pins), nomem)))
		return GET_SHORT_OR_NOMEM;
	if (!(v->threads = get_array(in, v->nthreads, sizeof(*v->threads), nomem)))
		return GET_SHORT_OR_NOMEM;
	if (f.has_mem && !(v->node_kib = get_array(in, nnodes, sizeof(*v->node_kib), nomem)))
		return GET_SHORT_OR_NOMEM;
	return GET_OK;
}

int vmsproc_decode(const char *buf, size_t len, struct host *h, struct err *e)
{
	struct ibuf in = {buf, len};
	struct msg_head m;
	struct vm *vms = NULL;
	size_t nvms = 0;
	bool nomem = false;
	const char *bad;

	if (!get(&in, &m, sizeof(m))) {
		if (len == 0)
			return err_set(e, 0, "the libvirt child process gave no answer");
		return err_set(e, 0, "the libvirt child process sent a short answer (%zu bytes)",
			       len);
	}
	if (m.magic != VMSPROC_MAGIC || m.version != VMSPROC_VERSION)
		return err_set(e, 0,
			       "the libvirt child process sent a corrupt answer (bad header)");
	TERMINATE(m.fail.msg);
	TERMINATE(m.vms_why);
	if (!flag_ok(m.vms_known)) {
		bad = "a flag that is not 0 or 1";
		goto corrupt;
	}
	if (m.rc != 0) {
		if (!m.fail.msg[0])
			return err_set(e, 0, "the libvirt child process failed without a reason");
		*e = m.fail;
		return -1;
	}
	if (m.nnodes != h->nnodes) {
		bad = "its nodes are not this host's";
		goto corrupt;
	}
	for (size_t i = 0; i < h->nnodes; i++) {
		uint32_t id;

		if (!get(&in, &id, sizeof(id)))
			goto short_msg;
		if (id != h->nodes[i].id) {
			bad = "its nodes are not this host's";
			goto corrupt;
		}
	}
	if (m.nvms > VMSPROC_MAX_VMS) {
		bad = "too many VMs";
		goto corrupt;
	}
	if (m.nvms) {
		vms = calloc(m.nvms, sizeof(*vms));
		if (!vms)
			goto no_mem;
	}
	for (size_t i = 0; i < m.nvms; i++) {
		enum get_rc rc = get_vm(&in, &vms[i], h->nnodes, &bad, &nomem);

		if (rc == GET_SHORT) {
			memset(&vms[i], 0, sizeof(vms[i])); /* the child's pointers */
			goto short_msg;
		}
		nvms = i + 1; /* its arrays are ours to free */
		if (rc == GET_CORRUPT)
			goto corrupt;
		if (rc == GET_SHORT_OR_NOMEM)
			goto short_or_nomem;
	}
	if (in.left) {
		bad = "bytes after the last VM";
		goto corrupt;
	}
	/* complete: the old VMs go, the new ones come, whole */
	vms_free(h->vms, h->nvms);
	h->vms = vms;
	h->nvms = (size_t)m.nvms;
	h->vms_known = m.vms_known == 1;
	memcpy(h->vms_why, m.vms_why, sizeof(h->vms_why));
	return 0;
short_or_nomem:
	if (nomem)
		goto no_mem;
short_msg:
	vms_free(vms, nvms);
	return err_set(e, 0, "the libvirt child process sent a short answer (%zu bytes)", len);
corrupt:
	vms_free(vms, nvms);
	return err_set(e, 0, "the libvirt child process sent a corrupt answer (%s)", bad);
no_mem:
	vms_free(vms, nvms);
	return err_set(e, ENOMEM, "cannot read the VMs");
}

/* ---- the child ---- */

/* The running VMs of @h by @uri (NULL: qemu:///system, a failure is a fact).
 * Returns 0, 1 when an explicit @uri does not connect, -1 a real error. */
static int list_vms(struct host *h, const struct fsroot *r, const char *uri, struct err *e)
{
	struct lv *c = lv_open(uri ? uri : LV_DEFAULT_URI, e);

	if (!c) {
		if (uri)
			return 1;
		strfmt_set(h->vms_why, sizeof(h->vms_why), "%s", e->msg);
		return 0;
	}
	if (host_probe_vms(h, r, c, e) < 0) {
		lv_close(c);
		return -1;
	}
	lv_close(c);
	return 0;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static _Noreturn void child(int fd, pid_t parent_pid, const struct host *parent,
			    const struct fsroot *r, const char *uri)
{
	struct host h = *parent; /* this process's copy: its VMs only are replaced */
	struct err e = ERR_INIT;
	char *buf = NULL;
	size_t len = 0;
	int rc, null;

	signal(SIGINT, SIG_IGN);  /* Ctrl-C is for the parent, which cancels us */
	signal(SIGTERM, SIG_DFL); /* not the parent's handlers */
	signal(SIGHUP, SIG_DFL);
	/* a parent that dies (kill -9, a closed terminal) takes a child that
	 * still waits for libvirt with it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent_pid)
		_exit(1);
	/* libvirt and libxml2 may print to stderr: not onto the TUI's screen,
	 * every failure travels in the message */
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	h.vms = NULL;
	h.nvms = 0;
	h.vms_known = false;
	h.vms_why[0] = '\0';
	rc = list_vms(&h, r, uri, &e);
	if (rc != 0 && !e.msg[0])
		strfmt_set(e.msg, sizeof(e.msg), "cannot list the VMs");
	if (vmsproc_encode(&h, rc, &e, &buf, &len, &e) < 0)
		_exit(1);
	_exit(write_all(fd, buf, len) ? 0 : 1);
}

/* ---- the parent ---- */

void vmsproc_init(struct vmsproc *p)
{
	memset(p, 0, sizeof(*p));
	p->pid = -1;
	p->fd = -1;
}

bool vmsproc_running(const struct vmsproc *p)
{
	return p->pid > 0;
}

int vmsproc_fd(const struct vmsproc *p)
{
	return p->fd;
}

/* Closes the pipe and reaps the child; its exit status. */
static int finish(struct vmsproc *p)
{
	int status = 0;

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->pid > 0)
		while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
			;
	p->pid = -1;
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
	return status;
}

void vmsproc_cancel(struct vmsproc *p)
{
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
	finish(p);
}

int vmsproc_start(struct vmsproc *p, const struct host *h, const struct fsroot *r, const char *uri,
		  struct err *e)
{
	pid_t pid, self = getpid();
	int fds[2];

	vmsproc_cancel(p);
	strfmt_set(p->uri, sizeof(p->uri), "%s", uri ? uri : LV_DEFAULT_URI);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(e, errno, "cannot create a pipe");
	fflush(NULL); /* the child must not write the parent's buffered output again */
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(e, errno, "cannot fork the libvirt child process");
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], self, h, r, uri);
	}
	close(fds[1]);
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		int sys = errno;

		p->pid = pid;
		p->fd = fds[0];
		vmsproc_cancel(p);
		return err_set(e, sys, "cannot set up the pipe of the libvirt child process");
	}
	p->pid = pid;
	p->fd = fds[0];
	return 0;
}

int vmsproc_poll(struct vmsproc *p, struct host *h, struct err *e)
{
	int status, rc;

	if (p->pid <= 0)
		return 0;
	for (;;) {
		ssize_t k;

		if (p->cap - p->len < 4096) {
			size_t cap = p->cap ? p->cap * 2 : 16384;
			char *grown;

			if (cap > VMSPROC_MAX_MSG) {
				vmsproc_cancel(p);
				return err_set(e, 0, "the libvirt child process sent over %u MiB",
					       VMSPROC_MAX_MSG >> 20);
			}
			grown = realloc(p->buf, cap);
			if (!grown) {
				vmsproc_cancel(p);
				return err_set(e, ENOMEM, "cannot read the VMs");
			}
			p->buf = grown;
			p->cap = cap;
		}
		k = read(p->fd, p->buf + p->len, p->cap - p->len);
		if (k > 0) {
			p->len += (size_t)k;
			continue;
		}
		if (k == 0)
			break; /* end of file: the child wrote all and exited (or died) */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		rc = errno;
		vmsproc_cancel(p);
		return err_set(e, rc, "cannot read from the libvirt child process");
	}
	rc = vmsproc_decode(p->buf, p->len, h, e);
	status = finish(p);
	if (rc < 0 && WIFSIGNALED(status))
		strfmt_cat(e->msg, sizeof(e->msg), " (it was killed by signal %d)",
			   WTERMSIG(status));
	return rc < 0 ? -1 : 1;
}

int vmsproc_run(struct host *h, const struct fsroot *r, const char *uri, struct err *e)
{
	struct vmsproc p;
	int rc;

	if (!uri && !r->live) {
		strfmt_set(h->vms_why, sizeof(h->vms_why),
			   "no libvirt connection (a capture: give --connect URI)");
		return 0;
	}
	vmsproc_init(&p);
	if (vmsproc_start(&p, h, r, uri, e) < 0)
		return -1;
	while ((rc = vmsproc_poll(&p, h, e)) == 0) {
		struct pollfd pf = {vmsproc_fd(&p), POLLIN, 0};

		if (poll(&pf, 1, -1) < 0 && errno != EINTR) {
			rc = errno;
			vmsproc_cancel(&p);
			return err_set(e, rc, "cannot wait for the libvirt child process");
		}
	}
	return rc < 0 ? -1 : 0;
}
