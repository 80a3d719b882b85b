/* virt.h - libvirt writes, on a connection from probe/lv.h (apply/virt.c)
 *
 * Each call is timed like every libvirt call (probe/lv.h: a deadline, then
 * the connection is lost) and fails with libvirt's own reason.
 */
#ifndef HVTUNE_APPLY_VIRT_H
#define HVTUNE_APPLY_VIRT_H

#include <stdbool.h>

#include "probe/err.h"
#include "probe/idset.h"
#include "probe/lv.h"

/* Defines (or redefines) a domain from @xml, with libvirt's schema validation
 * when @validate (VIR_DOMAIN_DEFINE_VALIDATE): a bad XML is refused with
 * libvirt's reason, and virt_schema_invalid() tells a schema refusal apart. */
int virt_define(struct lv *c, const char *xml, bool validate, struct err *e);
/* The failure was libvirt's schema refusing the XML (VIR_ERR_XML_INVALID_SCHEMA). */
bool virt_schema_invalid(const struct err *e);

/* Live changes to a running domain (VIR_DOMAIN_AFFECT_LIVE only: the
 * persistent side is changed by virt_define()). */
int virt_pin_vcpu(struct lv *c, const char *name, unsigned vcpu, const struct idset *cpus,
		  struct err *e);
int virt_pin_emulator(struct lv *c, const char *name, const struct idset *cpus, struct err *e);

/* Live iothread pins: virDomainPinIOThread with VIR_DOMAIN_AFFECT_LIVE (an
 * iothread of a running domain; the persistent side is virt_define()'s). */
int virt_pin_iothread(struct lv *c, const char *name, unsigned iothread_id,
		      const struct idset *cpus, struct err *e);

/*
 * Sets the live <numatune> memory @mode ("" = leave it) and @nodeset ("" =
 * every host node: no binding) through virDomainSetNumaParameters with
 * VIR_DOMAIN_AFFECT_LIVE.  libvirt changes only the nodeset live, only in
 * mode strict or restrictive, and (QEMU) only with the cpuset cgroup
 * controller.  Returns 0 when set, -1 on failure, and 1 when libvirt refuses
 * the change live (OPERATION_INVALID, OPERATION_UNSUPPORTED,
 * ARGUMENT_UNSUPPORTED, NO_SUPPORT, CONFIG_UNSUPPORTED): then @e holds
 * libvirt's reason alone ("cgroup cpuset controller is not mounted"), for a
 * note; it is not an error.
 */
int virt_set_numa(struct lv *c, const char *name, const char *mode, const char *nodeset,
		  struct err *e);

#endif
