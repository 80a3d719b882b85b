/* lv.c - libvirt behind probe/lv.h: the connection, its deadline, and the reads
 *
 * With apply/virt.c (the writes, through probe/lv_int.h) the only file that
 * includes libvirt.  Its headers give the types; the functions come from
 * probe/dl.c into a table of typed pointers (lv_fn), so hvtune never links
 * libvirt (lv.h says why).  The library is never unloaded: libvirt keeps
 * thread-local state and global error handlers that must outlive any
 * connection.  libvirt prints every error on stderr by default; a no-op error
 * handler stops that (nothing prints below tui/), and each failure carries
 * virGetLastErrorMessage() in its struct err instead.
 *
 * No call waits for ever.  libvirt's client has no timeout of its own: a
 * daemon stopped with SIGSTOP (or hung) still has the kernel accept the
 * connection and the request, and the calling thread sleeps until the reply.
 * Two things end that wait, both by closing the connection under the call,
 * which makes libvirt fail it as if the daemon had gone:
 *  - keepalive (virConnectSetKeepAlive, LV_KEEPALIVE_S x LV_KEEPALIVE_COUNT):
 *    libvirt pings the daemon and closes a connection whose daemon stops
 *    answering.  Its timer lives in libvirt's event loop, so lv_load()
 *    registers the default one (before any connection, as libvirt requires)
 *    and a thread runs it for the life of the process (not in one that forks
 *    libvirt children: lv_forks()).  It starts only after the open, and it
 *    sees a stopped daemon, not a hung call;
 *  - a watchdog thread with a deadline on every lv_* call (the open included):
 *    when lv_timeout_s() passes, it shut down()s the connection's socket.  The
 *    socket is found as the one the open made: the process's sockets are
 *    listed (/proc/self/fd, this process's descriptors, not a fact about the
 *    host, so not under a struct fsroot) before and after virConnectOpen().
 *    shutdown() and not close(): the descriptor stays libvirt's to close, so
 *    a number reused meanwhile can never be hit.
 * Both are cheaper and safer than the alternatives: a signal cannot take a
 * thread out of libvirt (it holds locks), and a call left running on an
 * abandoned thread would write its results into memory its caller has freed.
 * After either one the connection is lost for good and every later call on
 * it fails at once.  hvtune opens its connections from one thread, so the
 * sockets that appear during an open are that connection's.
 */
#include "probe/lv.h"
#include "probe/lv_int.h"
#include "probe/dl.h"
#include "probe/strfmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct lv_api lv_fn;

#define LV_ROW(f) DL_SYM(struct lv_api, f)
static const struct dl_sym lv_syms[] = {LV_FUNCS(LV_ROW)};
static struct dl_lib lv_lib = DL_LIB("libvirt", "libvirt.so.0", lv_syms, &lv_fn);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256]; /* "" once loaded */
static unsigned timeout_s = LV_TIMEOUT_S;
static pid_t loop_pid; /* the process whose thread runs libvirt's event loop */
static bool no_loop;   /* lv_forks() */

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond;
static struct lv *wd_list; /* every open connection */
static pid_t wd_pid;	   /* the process whose watchdog thread runs */

static void no_error_print(void *data, virErrorPtr error)
{
	(void)data;
	(void)error;
}

/* A thread for libvirt's event loop: keepalive's timer runs there.  libvirt
 * says the loop must run for ever once registered. */
static void *event_loop(void *arg)
{
	(void)arg;
	for (;;) {
		if (lv_fn.virEventRunDefaultImpl() < 0) {
			lv_fn.virResetLastError();
			usleep(100000); /* not a busy loop if it keeps failing */
		}
	}
	return NULL;
}

/* fork() keeps only the calling thread: the watchdog's lock must not be held
 * by a thread the child does not have (tui/vmsproc.c lists VMs in a child). */
static void fork_prepare(void)
{
	pthread_mutex_lock(&wd_lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&wd_lock);
}

static void fork_child(void)
{
	pthread_condattr_t ca;

	pthread_mutex_unlock(&wd_lock);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wd_cond, &ca);
	pthread_condattr_destroy(&ca);
}

static void lv_load(void)
{
	const char *env = getenv("HVTUNE_LIBVIRT_TIMEOUT");
	struct err e = ERR_INIT;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t t;

	if (dl_load(&lv_lib, &e) < 0) {
		strfmt_set(load_error, sizeof(load_error), "%s", e.msg);
		return;
	}
	if (lv_fn.virInitialize() < 0) {
		strfmt_set(load_error, sizeof(load_error), "cannot initialize libvirt");
		return;
	}
	lv_fn.virSetErrorFunc(NULL, no_error_print);
	if (env && *env) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);

		if (*end || v == 0 || v > LV_TIMEOUT_MAX_S) {
			strfmt_set(load_error, sizeof(load_error),
				   "invalid HVTUNE_LIBVIRT_TIMEOUT '%s' (seconds, 1 to %u)", env,
				   LV_TIMEOUT_MAX_S);
			return;
		}
		timeout_s = (unsigned)v;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wd_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	/* without a running loop there is no keepalive, and the watchdog alone
	 * ends a wait */
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	if (!no_loop && lv_fn.virEventRegisterDefaultImpl() == 0 &&
	    pthread_create(&t, &ta, event_loop, NULL) == 0)
		loop_pid = getpid();
	lv_fn.virResetLastError();
	pthread_attr_destroy(&ta);
}

void lv_forks(void)
{
	no_loop = true; /* read by lv_load(), which has not run yet */
}

unsigned lv_timeout_s(void)
{
	pthread_once(&load_once, lv_load);
	return timeout_s;
}

/* ---- the watchdog ---- */

/* The inodes of this process's sockets, into a new array. */
static int list_sockets(ino_t **out, size_t *n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	ino_t *list = NULL;
	struct stat st;

	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		ino_t *grown;

		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
		    !S_ISSOCK(st.st_mode))
			continue;
		grown = realloc(list, (*n + 1) * sizeof(*grown));
		if (!grown) {
			free(list);
			closedir(d);
			*n = 0;
			return -1;
		}
		list = grown;
		list[(*n)++] = st.st_ino;
	}
	closedir(d);
	*out = list;
	return 0;
}

static bool has_inode(const ino_t *list, size_t n, ino_t ino)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == ino)
			return true;
	return false;
}

/* The connection's sockets: those made since the list before the open. */
static void own_sockets(struct lv *c)
{
	ino_t *now, *mine;
	size_t n, k = 0;

	if (list_sockets(&now, &n) < 0)
		return;
	mine = now;
	for (size_t i = 0; i < n; i++)
		if (!has_inode(c->socks, c->nsocks, now[i]))
			mine[k++] = now[i];
	free(c->socks);
	c->socks = mine;
	c->nsocks = k;
	c->opened = true;
}

/* Shuts the connection's sockets down under the call that waits on them:
 * libvirt then reads end-of-file and fails the call.  Under wd_lock. */
static void cut(struct lv *c)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d) || fstat(fd, &st) < 0 ||
		    !S_ISSOCK(st.st_mode))
			continue;
		if (has_inode(c->socks, c->nsocks, st.st_ino) == c->opened)
			shutdown(fd, SHUT_RDWR);
	}
	closedir(d);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *watchdog(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wd_lock);
	for (;;) {
		struct timespec now, next = {0, 0};

		clock_gettime(CLOCK_MONOTONIC, &now);
		for (struct lv *c = wd_list; c; c = c->next) {
			if (c->deadline.tv_sec == 0)
				continue;
			if (!before(&now, &c->deadline)) {
				c->deadline.tv_sec = 0;
				c->fired = true;
				cut(c);
			} else if (next.tv_sec == 0 || before(&c->deadline, &next)) {
				next = c->deadline;
			}
		}
		if (next.tv_sec)
			pthread_cond_timedwait(&wd_cond, &wd_lock, &next);
		else
			pthread_cond_wait(&wd_cond, &wd_lock);
	}
	return NULL;
}

/* Starts this process's watchdog (again in a forked child) and adds @c.
 * Returns 0 or pthread_create()'s error. */
static int watch(struct lv *c)
{
	pthread_attr_t ta;
	pthread_t t;
	int rc = 0;

	pthread_mutex_lock(&wd_lock);
	if (wd_pid != getpid()) {
		pthread_attr_init(&ta);
		pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&t, &ta, watchdog, NULL);
		pthread_attr_destroy(&ta);
		if (rc == 0)
			wd_pid = getpid();
	}
	if (rc == 0) {
		c->next = wd_list;
		wd_list = c;
	}
	pthread_mutex_unlock(&wd_lock);
	return rc;
}

static void unwatch(struct lv *c)
{
	pthread_mutex_lock(&wd_lock);
	for (struct lv **p = &wd_list; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&wd_lock);
}

static void lose(struct lv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void lose(struct lv *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->lost_why, sizeof(c->lost_why), fmt, ap);
	va_end(ap);
	c->lost = true;
}

static void set_deadline(struct lv *c)
{
	pthread_mutex_lock(&wd_lock);
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += timeout_s;
	pthread_cond_signal(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
}

/*
 * A call starts: timed, or refused at once (ENOTCONN: not sent, so not
 * done) on a connection lost before, or closed by libvirt since the last
 * call (keepalive while it was idle, the daemon gone).
 */
int lv_arm(struct lv *c, struct err *e)
{
	int reason = __atomic_load_n(&c->close_reason, __ATOMIC_SEQ_CST);

	if (!c->lost && reason == VIR_CONNECT_CLOSE_REASON_KEEPALIVE)
		lose(c, "libvirt at '%s' did not answer within %u s", c->uri,
		     LV_KEEPALIVE_S * (LV_KEEPALIVE_COUNT + 1));
	else if (!c->lost && reason >= 0)
		lose(c, "the connection to libvirt at '%s' was closed", c->uri);
	if (c->lost) {
		err_set(e, 0, "%s", c->lost_why);
		e->sys = ENOTCONN;
		return -1;
	}
	set_deadline(c);
	return 0;
}

/*
 * The call is over: @rc is its result.  A deadline that passed, or
 * keepalive closing the connection, is the error whatever libvirt said
 * about the socket it then found closed.  After a lost answer (ETIMEDOUT,
 * ECONNABORTED) the connection is not used again.
 */
int lv_disarm(struct lv *c, int rc, struct err *e)
{
	bool fired;
	int reason = __atomic_load_n(&c->close_reason, __ATOMIC_SEQ_CST);

	pthread_mutex_lock(&wd_lock);
	c->deadline.tv_sec = 0;
	fired = c->fired;
	pthread_mutex_unlock(&wd_lock);
	if (fired || reason == VIR_CONNECT_CLOSE_REASON_KEEPALIVE) {
		unsigned s = fired ? timeout_s : LV_KEEPALIVE_S * (LV_KEEPALIVE_COUNT + 1);

		lose(c, "libvirt at '%s' did not answer within %u s", c->uri, s);
		if (rc < 0) {
			err_set(e, 0, "%s", c->lost_why);
			e->sys = ETIMEDOUT;
		}
		return rc;
	}
	if (rc < 0 && lv_outcome_unknown(e))
		lose(c, "the connection to libvirt at '%s' was lost", c->uri);
	else if (reason >= 0 && !c->lost)
		lose(c, "the connection to libvirt at '%s' was closed", c->uri);
	return rc;
}

/* libvirt's last error of this thread, for the end of a message. */
const char *lv_why(void)
{
	const char *m = lv_fn.virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

/* libvirt's schema and parser errors span lines (the failing line, a caret);
 * an error is one line on stderr: each run of blanks with a newline becomes
 * one space, and trailing blanks go. */
void lv_one_line(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r == '\n' || *r == '\r') {
			while (w > s && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
			while (r[1] == ' ' || r[1] == '\t' || r[1] == '\n' || r[1] == '\r')
				r++;
			*w++ = ' ';
		} else {
			*w++ = *r;
		}
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

bool lv_error_lost(int code, int domain)
{
	switch (code) {
	case VIR_ERR_RPC:	 /* the RPC layer: no reply could be read */
	case VIR_ERR_NO_CONNECT: /* no connection (any more) */
		return true;
	case VIR_ERR_SYSTEM_ERROR:   /* a read or write on the socket failed */
	case VIR_ERR_INTERNAL_ERROR: /* "client socket is closed", keepalive */
		/* from the client's own RPC layer, not a driver's reply */
		return domain == VIR_FROM_RPC || domain == VIR_FROM_REMOTE;
	default:
		return false;
	}
}

bool lv_outcome_unknown(const struct err *e)
{
	return e->sys == ECONNABORTED || e->sys == ETIMEDOUT;
}

bool lv_unreachable(const struct err *e)
{
	return lv_outcome_unknown(e) || e->sys == ENOTCONN;
}

/* "<what failed>: <libvirt's reason>", then libvirt's error is cleared.  A
 * connection-level error is ECONNABORTED in @e->sys (lv_outcome_unknown()). */
int lv_fail(struct err *e, const char *fmt, ...)
{
	virErrorPtr err = lv_fn.virGetLastError();
	bool lost = err && lv_error_lost(err->code, err->domain);
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err_set(e, 0, "%s: %s", what, lv_why());
	lv_fn.virResetLastError();
	lv_one_line(e->msg);
	e->sys = lost ? ECONNABORTED : 0;
	return -1;
}

/* libvirt closed the connection (keepalive, end of file, an error). */
static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct lv *c = opaque;

	(void)conn;
	__atomic_store_n(&c->close_reason, reason, __ATOMIC_SEQ_CST);
}

/* The open, under the watchdog: @c is watched, c->socks lists the sockets
 * that were there before. */
static int open_conn(struct lv *c, const char *uri, struct err *e)
{
	virNodeInfo ni;
	char *u;
	int n;

	c->conn = lv_fn.virConnectOpen(uri);
	if (!c->conn)
		return lv_fail(e, "cannot connect to '%s'", uri);
	pthread_mutex_lock(&wd_lock);
	own_sockets(c);
	pthread_mutex_unlock(&wd_lock);
	/* only with this process's event loop running: a forked child has not */
	if (loop_pid == getpid() &&
	    lv_fn.virConnectSetKeepAlive(c->conn, LV_KEEPALIVE_S, LV_KEEPALIVE_COUNT) == 0)
		lv_fn.virConnectRegisterCloseCallback(c->conn, on_close, c, NULL);
	lv_fn.virResetLastError(); /* the test driver has no keepalive: not needed */
	u = lv_fn.virConnectGetURI(c->conn);
	strfmt_set(c->uri, sizeof(c->uri), "%s", u ? u : uri);
	free(u);
	/* virNodeGetCPUMap counts possible CPUs (the highest id + 1), which is
	 * what the cpumaps of the pinning calls are indexed by. */
	n = lv_fn.virNodeGetCPUMap(c->conn, NULL, NULL, 0);
	if (n <= 0) {
		lv_fn.virResetLastError();
		if (lv_fn.virNodeGetInfo(c->conn, &ni) < 0)
			return lv_fail(e, "cannot read the host CPUs of '%s'", c->uri);
		n = (int)ni.cpus;
	}
	c->ncpus = n > 0 && (unsigned)n <= IDSET_MAX ? (unsigned)n : IDSET_MAX;
	return 0;
}

struct lv *lv_open(const char *uri, struct err *e)
{
	struct lv *c;
	int rc;

	pthread_once(&load_once, lv_load);
	if (load_error[0]) {
		err_set(e, 0, "%s", load_error);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err_set(e, ENOMEM, "cannot connect to '%s'", uri);
		return NULL;
	}
	c->close_reason = -1;
	strfmt_set(c->uri, sizeof(c->uri), "%s", uri);
	/* no list (no /proc): the deadline then cuts every new socket */
	list_sockets(&c->socks, &c->nsocks);
	rc = watch(c);
	if (rc != 0) {
		err_set(e, rc, "cannot connect to '%s': cannot start a watchdog thread", uri);
		free(c->socks);
		free(c);
		return NULL;
	}
	if (lv_arm(c, e) < 0 || lv_disarm(c, open_conn(c, uri, e), e) < 0) {
		lv_close(c);
		return NULL;
	}
	return c;
}

void lv_close(struct lv *c)
{
	struct err e = ERR_INIT;

	if (!c)
		return;
	if (c->conn) {
		lv_fn.virConnectUnregisterCloseCallback(c->conn, on_close);
		lv_fn.virResetLastError();
		/* the close is a call to the daemon too (on a lost connection it
		 * fails at once) */
		set_deadline(c);
		lv_fn.virConnectClose(c->conn);
		lv_disarm(c, 0, &e);
	}
	unwatch(c);
	free(c->socks);
	free(c);
}

const char *lv_uri(const struct lv *c)
{
	return c->uri;
}

virDomainPtr lv_lookup(struct lv *c, const char *name, struct err *e)
{
	virDomainPtr d = lv_fn.virDomainLookupByName(c->conn, name);

	if (!d)
		lv_fail(e, "cannot find domain '%s' on '%s'", name, c->uri);
	return d;
}

static int fill(struct lv *c, virDomainPtr d, struct lv_domain *out, struct err *e)
{
	virDomainInfo info;
	const char *name = lv_fn.virDomainGetName(d);
	char uuid[VIR_UUID_STRING_BUFLEN];
	int active;

	memset(out, 0, sizeof(*out));
	strfmt_set(out->name, sizeof(out->name), "%s", name ? name : "");
	if (lv_fn.virDomainGetUUIDString(d, uuid) < 0)
		return lv_fail(e, "cannot read the UUID of domain '%s' on '%s'", out->name, c->uri);
	strfmt_set(out->uuid, sizeof(out->uuid), "%s", uuid);
	active = lv_fn.virDomainIsActive(d);
	if (active < 0)
		return lv_fail(e, "cannot read the state of domain '%s' on '%s'", out->name,
			       c->uri);
	if (lv_fn.virDomainGetInfo(d, &info) < 0)
		return lv_fail(e, "cannot read domain '%s' on '%s'", out->name, c->uri);
	out->active = active == 1;
	out->vcpus = info.nrVirtCpu;
	out->mem_kib = info.memory;
	out->id = out->active ? (int)lv_fn.virDomainGetID(d) : -1;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct lv_domain *)a)->name, ((const struct lv_domain *)b)->name);
}

static int do_domains(struct lv *c, struct lv_domain **out, size_t *n, struct err *e)
{
	virDomainPtr *doms = NULL;
	struct lv_domain *list;
	int nd = lv_fn.virConnectListAllDomains(c->conn, &doms, 0);
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (nd < 0)
		return lv_fail(e, "cannot list the domains of '%s'", c->uri);
	list = calloc(nd > 0 ? (size_t)nd : 1, sizeof(*list));
	if (!list)
		rc = err_set(e, ENOMEM, "cannot list the domains of '%s'", c->uri);
	for (int i = 0; i < nd; i++) {
		if (rc == 0 && fill(c, doms[i], &list[i], e) < 0)
			rc = -1;
		lv_fn.virDomainFree(doms[i]);
	}
	free(doms);
	if (rc < 0) {
		free(list);
		return -1;
	}
	qsort(list, (size_t)nd, sizeof(*list), by_name);
	*out = list;
	*n = (size_t)nd;
	return 0;
}

static int do_domain(struct lv *c, const char *name, struct lv_domain *out, struct err *e)
{
	virDomainPtr d = lv_lookup(c, name, e);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!d)
		return -1;
	rc = fill(c, d, out, e);
	lv_fn.virDomainFree(d);
	return rc;
}

static char *do_xml(struct lv *c, const char *name, bool inactive, struct err *e)
{
	virDomainPtr d = lv_lookup(c, name, e);
	char *xml;

	if (!d)
		return NULL;
	xml = lv_fn.virDomainGetXMLDesc(d, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	if (!xml)
		lv_fail(e, "cannot read the XML of domain '%s' on '%s'", name, c->uri);
	lv_fn.virDomainFree(d);
	return xml;
}

static void from_map(const struct lv *c, const unsigned char *map, struct idset *cpus)
{
	idset_clear(cpus);
	for (unsigned id = 0; id < c->ncpus; id++)
		if (map[id / 8] & (1u << (id % 8)))
			idset_add(cpus, id);
}

/* The live state of a running domain, the persistent one of a defined one. */
static unsigned int state_flag(virDomainPtr d)
{
	return lv_fn.virDomainIsActive(d) == 1 ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG;
}

static int do_vcpu_pins(struct lv *c, const char *name, struct idset *cpus, size_t n, struct err *e)
{
	int len = VIR_CPU_MAPLEN((int)c->ncpus), got;
	unsigned char *maps;
	virDomainPtr d;

	for (size_t i = 0; i < n; i++)
		idset_clear(&cpus[i]);
	if (n == 0)
		return 0;
	if (n > INT32_MAX / (size_t)len)
		return err_set(e, 0, "cannot read the vCPU pins of domain '%s': %zu vCPUs", name,
			       n);
	maps = calloc(n, (size_t)len);
	if (!maps)
		return err_set(e, ENOMEM, "cannot read the vCPU pins of domain '%s'", name);
	d = lv_lookup(c, name, e);
	if (!d) {
		free(maps);
		return -1;
	}
	got = lv_fn.virDomainGetVcpuPinInfo(d, (int)n, maps, len, state_flag(d));
	if (got < 0)
		lv_fail(e, "cannot read the vCPU pins of domain '%s' on '%s'", name, c->uri);
	for (int i = 0; i < got && (size_t)i < n; i++)
		from_map(c, maps + (size_t)i * (size_t)len, &cpus[i]);
	lv_fn.virDomainFree(d);
	free(maps);
	return got < 0 ? -1 : 0;
}

static int do_emulator_pin(struct lv *c, const char *name, struct idset *cpus, struct err *e)
{
	unsigned char map[IDSET_MAX / 8];
	int len = VIR_CPU_MAPLEN((int)c->ncpus), rc = 0;
	virDomainPtr d;

	idset_clear(cpus);
	d = lv_lookup(c, name, e);
	if (!d)
		return -1;
	memset(map, 0, sizeof(map));
	if (lv_fn.virDomainGetEmulatorPinInfo(d, map, len, state_flag(d)) < 0)
		rc =
		    lv_fail(e, "cannot read the emulator pin of domain '%s' on '%s'", name, c->uri);
	else
		from_map(c, map, cpus);
	lv_fn.virDomainFree(d);
	return rc;
}

/* virDomainNumatuneMemMode, in its order. */
const char *const lv_numa_modes[LV_NUMA_NMODES] = {"strict", "preferred", "interleave",
						   "restrictive"};

static int do_numa(struct lv *c, const char *name, char *mode, size_t mode_size, char *nodeset,
		   size_t nodeset_size, struct err *e)
{
	virTypedParameterPtr p = NULL;
	int np = 0, rc = 0;
	unsigned int flags;
	virDomainPtr d;

	mode[0] = '\0';
	nodeset[0] = '\0';
	d = lv_lookup(c, name, e);
	if (!d)
		return -1;
	flags = state_flag(d);
	/* The documented two calls: the count first, then the values. */
	if (lv_fn.virDomainGetNumaParameters(d, NULL, &np, flags) < 0) {
		rc = lv_fail(e, "cannot read the numatune of domain '%s' on '%s'", name, c->uri);
		goto out;
	}
	p = calloc(np > 0 ? (size_t)np : 1, sizeof(*p));
	if (!p) {
		rc = err_set(e, ENOMEM, "cannot read the numatune of domain '%s'", name);
		goto out;
	}
	if (np > 0 && lv_fn.virDomainGetNumaParameters(d, p, &np, flags) < 0) {
		rc = lv_fail(e, "cannot read the numatune of domain '%s' on '%s'", name, c->uri);
		goto out;
	}
	for (int i = 0; i < np; i++) {
		if (strcmp(p[i].field, VIR_DOMAIN_NUMA_MODE) == 0 &&
		    p[i].type == VIR_TYPED_PARAM_INT) {
			int m = p[i].value.i;

			if (m >= 0 && (size_t)m < ARRAY_LEN(lv_numa_modes))
				strfmt_set(mode, mode_size, "%s", lv_numa_modes[m]);
			else
				strfmt_set(mode, mode_size, "mode-%d", m);
		} else if (strcmp(p[i].field, VIR_DOMAIN_NUMA_NODESET) == 0 &&
			   p[i].type == VIR_TYPED_PARAM_STRING && p[i].value.s) {
			strfmt_set(nodeset, nodeset_size, "%s", p[i].value.s);
		}
	}
	lv_fn.virTypedParamsClear(p, np);
out:
	free(p);
	lv_fn.virDomainFree(d);
	return rc;
}

static int by_iothread_id(const void *a, const void *b)
{
	unsigned x = ((const struct lv_iothread *)a)->id, y = ((const struct lv_iothread *)b)->id;

	return x < y ? -1 : x > y;
}

static int do_iothread_pins(struct lv *c, const char *name, struct lv_iothread **out, size_t *n,
			    struct err *e)
{
	virDomainIOThreadInfoPtr *info = NULL;
	struct lv_iothread *list = NULL;
	virDomainPtr d;
	int got, rc = 0;

	*out = NULL;
	*n = 0;
	d = lv_lookup(c, name, e);
	if (!d)
		return -1;
	got = lv_fn.virDomainGetIOThreadInfo(d, &info, state_flag(d));
	if (got < 0) {
		rc = lv_fail(e, "cannot read the iothreads of domain '%s' on '%s'", name, c->uri);
		got = 0;
	} else {
		list = calloc(got > 0 ? (size_t)got : 1, sizeof(*list));
		if (!list)
			rc = err_set(e, ENOMEM, "cannot read the iothreads of domain '%s'", name);
	}
	for (int i = 0; i < got; i++) {
		if (list) {
			unsigned char map[IDSET_MAX / 8];
			int len = info[i]->cpumaplen;

			/* a map shorter than ours (libvirt sizes it by its own CPU
			 * count) leaves the rest of the CPUs out */
			memset(map, 0, sizeof(map));
			memcpy(map, info[i]->cpumap,
			       len > 0 && (size_t)len < sizeof(map) ? (size_t)len : sizeof(map));
			list[i].id = info[i]->iothread_id;
			from_map(c, map, &list[i].cpus);
		}
		lv_fn.virDomainIOThreadInfoFree(info[i]);
	}
	free(info);
	lv_fn.virDomainFree(d);
	if (rc < 0) {
		free(list);
		return -1;
	}
	qsort(list, (size_t)got, sizeof(*list), by_iothread_id);
	*out = list;
	*n = (size_t)got;
	return 0;
}

/* ---- every public call under the watchdog (lv_arm() / lv_disarm()) ---- */

int lv_domains(struct lv *c, struct lv_domain **out, size_t *n, struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_domains(c, out, n, e), e);
}

int lv_domain(struct lv *c, const char *name, struct lv_domain *out, struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_domain(c, name, out, e), e);
}

int lv_vcpu_pins(struct lv *c, const char *name, struct idset *cpus, size_t n, struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_vcpu_pins(c, name, cpus, n, e), e);
}

int lv_emulator_pin(struct lv *c, const char *name, struct idset *cpus, struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_emulator_pin(c, name, cpus, e), e);
}

int lv_numa(struct lv *c, const char *name, char *mode, size_t mode_size, char *nodeset,
	    size_t nodeset_size, struct err *e)
{
	if (lv_arm(c, e) < 0)
		return -1;
	return lv_disarm(c, do_numa(c, name, mode, mode_size, nodeset, nodeset_size, e), e);
}

int lv_iothread_pins(struct lv *c, const char *name, struct lv_iothread **out, size_t *n,
		     struct err *e)
{
	return lv_arm(c, e) < 0 ? -1 : lv_disarm(c, do_iothread_pins(c, name, out, n, e), e);
}

char *lv_xml(struct lv *c, const char *name, bool inactive, struct err *e)
{
	char *xml;

	if (lv_arm(c, e) < 0)
		return NULL;
	xml = do_xml(c, name, inactive, e);
	lv_disarm(c, xml ? 0 : -1, e);
	return xml;
}
