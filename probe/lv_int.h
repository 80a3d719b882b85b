/* lv_int.h - the libvirt connection, shared by probe/lv.c (reads) and apply/virt.c (writes)
 *
 * Private to those two files, the only ones that include libvirt: the table
 * of libvirt's functions (loaded by lv.c through probe/dl.h), the connection
 * and the watchdog's calls that every libvirt call goes through.  Nothing
 * else includes this header (tests/layering.sh).
 */
#ifndef HVTUNE_LV_INT_H
#define HVTUNE_LV_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "probe/dl.h"
#include "probe/lv.h"

/* The libvirt functions hvtune calls, loaded by name (probe/dl.c). */
// clang-format off
#define LV_FUNCS(X) \
	X(virInitialize) \
	X(virSetErrorFunc) \
	X(virGetLastErrorMessage) \
	X(virResetLastError) \
	X(virGetLastError) \
	X(virConnectOpen) \
	X(virConnectClose) \
	X(virConnectGetURI) \
	X(virNodeGetCPUMap) \
	X(virNodeGetInfo) \
	X(virConnectListAllDomains) \
	X(virDomainLookupByName) \
	X(virDomainFree) \
	X(virDomainGetName) \
	X(virDomainGetUUIDString) \
	X(virDomainIsActive) \
	X(virDomainGetInfo) \
	X(virDomainGetID) \
	X(virDomainGetXMLDesc) \
	X(virDomainDefineXMLFlags) \
	X(virDomainPinVcpuFlags) \
	X(virDomainPinEmulator) \
	X(virDomainGetVcpuPinInfo) \
	X(virDomainGetEmulatorPinInfo) \
	X(virDomainGetNumaParameters) \
	X(virTypedParamsClear) \
	X(virDomainPinIOThread) \
	X(virDomainGetIOThreadInfo) \
	X(virDomainIOThreadInfoFree) \
	X(virDomainSetNumaParameters) \
	X(virEventRegisterDefaultImpl) \
	X(virEventRunDefaultImpl) \
	X(virConnectSetKeepAlive) \
	X(virConnectRegisterCloseCallback) \
	X(virConnectUnregisterCloseCallback)
// clang-format on

struct lv_api {
	LV_FUNCS(DL_MEMBER)
};

/* libvirt's functions, complete once an lv_open() succeeded */
extern struct lv_api lv_fn;

struct lv {
	virConnectPtr conn;
	char uri[512];
	unsigned ncpus; /* host CPUs libvirt knows: the length of its CPU maps */
	/* the watchdog's, under wd_lock: */
	struct lv *next;	  /* in wd_list */
	struct timespec deadline; /* CLOCK_MONOTONIC; tv_sec 0 = no call running */
	bool fired;		  /* the deadline passed and the socket was shut down */
	bool opened;		  /* socks[] are the connection's (else: the open's) */
	size_t nsocks;
	ino_t *socks; /* socket inodes: before the open, then the connection's */
	/* set by libvirt's close callback (any thread): */
	int close_reason; /* VIR_CONNECT_CLOSE_REASON_*, -1 while open */
	bool lost;	  /* no later call is sent */
	char lost_why[128];
};

/* virDomainNumatuneMemMode, in its order. */
#define LV_NUMA_NMODES 4
extern const char *const lv_numa_modes[LV_NUMA_NMODES];

/*
 * Every call on @c is lv_arm() (-1 at once, ENOTCONN, on a lost connection;
 * else the deadline starts), the call, then lv_disarm(c, rc, e) with its
 * result, which returns @rc or turns it into the deadline's error.
 */
int lv_arm(struct lv *c, struct err *e);
int lv_disarm(struct lv *c, int rc, struct err *e);

/* "<what failed>: <libvirt's reason>", libvirt's error cleared; returns -1.  A
 * connection-level error is ECONNABORTED in @e->sys (lv_outcome_unknown()). */
int lv_fail(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* libvirt's last error of this thread, for the end of a message. */
const char *lv_why(void);
/* A multi-line libvirt message on one line (lv.c says how). */
void lv_one_line(char *s);
/* The domain @name of @c, or NULL with @e set.  Caller virDomainFree()s. */
virDomainPtr lv_lookup(struct lv *c, const char *name, struct err *e);

#endif
