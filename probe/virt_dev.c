/* virt_dev.c - the IOMMU and the NICs: what virt_probe() reads from sysfs devices
 *
 * Policy (virt.c's): the IOMMU is judged as virt-host-validate 9.0 judges it,
 * from the ACPI table of the CPU vendor and the entries of
 * sys/kernel/iommu_groups; on a capture an entry the capture lacks leaves a
 * fact unknown instead of "absent".
 */
#include "probe/probe_int.h"
#include "probe/strfmt.h"
#include "probe/virt_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- IOMMU ---- */

/* Subdirectories of @path: what st_nlink - 2 counts on sysfs, the count
 * virt-host-validate 9.0 uses for sys/kernel/iommu_groups. */
static int count_entries(const struct fsroot *r, const char *path, bool dirs_only, unsigned *n,
			 struct err *e)
{
	struct dirent *de;
	DIR *d = fs_opendir(r, path, e);

	*n = 0;
	if (!d)
		return -1;
	errno = 0;
	while ((de = readdir(d))) {
		bool isdir = de->d_type == DT_DIR;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (dirs_only && de->d_type == DT_UNKNOWN) {
			struct stat st;

			isdir = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				S_ISDIR(st.st_mode);
		}
		if (!dirs_only || isdir)
			(*n)++;
		errno = 0;
	}
	if (errno) {
		int sys = errno;

		closedir(d);
		return err_set(e, sys, "cannot read directory '%s%s'", r->shown, path);
	}
	closedir(d);
	return 0;
}

/* Counts entries; ENOENT/ENOTDIR give TRI_NO on the live host, TRI_UNKNOWN on a capture. */
static int dir_tri(const struct fsroot *r, const char *path, bool dirs_only, enum tri *exists,
		   unsigned *n, struct err *e)
{
	*n = 0;
	if (count_entries(r, path, dirs_only, n, e) == 0) {
		*exists = TRI_YES;
		return 0;
	}
	if (e->sys == ENOENT || e->sys == ENOTDIR) {
		*exists = r->live || e->sys == ENOTDIR ? TRI_NO : TRI_UNKNOWN;
		return 0;
	}
	return -1;
}

static int read_hex(const struct fsroot *r, const char *path, uint64_t *v, struct err *e)
{
	char buf[64];
	char *end, *s;

	if (fs_read(r, path, buf, sizeof(buf), e) < 0)
		return -1;
	s = strfmt_trim(buf);
	errno = 0;
	*v = strtoull(s, &end, 16);
	if (!isxdigit((unsigned char)*s) || *strfmt_trim(end) != '\0' || errno)
		return err_set(e, EINVAL, "invalid hex value '%s' in '%s%s'", s, r->shown, path);
	return 0;
}

/* Interrupt remapping: bit 3 (IR) of every Intel DMAR unit's extended
 * capability register (VT-d spec 11.4.3; drivers/iommu/intel/iommu.h ecap_ir_support). */
static int probe_irq_remap(struct host *h, const struct fsroot *r, struct err *e)
{
	struct virt *v = &h->virt;
	struct dirent *de;
	unsigned ndmar = 0, nir = 0;
	DIR *d;

	v->irq_remap = TRI_UNKNOWN;
	d = fs_opendir(r, "/sys/class/iommu", e);
	if (!d)
		return probe_soft(e) ? 0 : -1;
	while ((de = readdir(d))) {
		char path[FS_PATH_MAX];
		uint64_t ecap;

		if (strncmp(de->d_name, "dmar", 4) != 0)
			continue;
		strfmt_set(path, sizeof(path), "/sys/class/iommu/%s/intel-iommu/ecap", de->d_name);
		if (read_hex(r, path, &ecap, e) < 0) {
			if (probe_soft(e))
				continue;
			closedir(d);
			return -1;
		}
		ndmar++;
		if (ecap & (UINT64_C(1) << 3))
			nir++;
	}
	closedir(d);
	if (ndmar > 0)
		v->irq_remap = nir == ndmar ? TRI_YES : TRI_NO;
	return 0;
}

int virt_probe_iommu(struct host *h, const struct fsroot *r, struct err *e)
{
	struct virt *v = &h->virt;
	bool dmar = fs_exists(r, "/sys/firmware/acpi/tables/DMAR");
	bool ivrs = fs_exists(r, "/sys/firmware/acpi/tables/IVRS");
	enum tri units_dir;

	/* virt-host-validate looks for the table of the CPU's vendor */
	if (dmar && (v->svm != TRI_YES || !ivrs))
		strfmt_set(v->iommu_table, sizeof(v->iommu_table), "DMAR");
	else if (ivrs)
		strfmt_set(v->iommu_table, sizeof(v->iommu_table), "IVRS");
	if (v->vmx == TRI_YES)
		v->iommu_firmware = dmar ? TRI_YES : TRI_NO;
	else if (v->svm == TRI_YES)
		v->iommu_firmware = ivrs ? TRI_YES : TRI_NO;
	else
		v->iommu_firmware = dmar || ivrs ? TRI_YES : TRI_NO;
	if (v->iommu_firmware == TRI_NO && !r->live && !fs_exists(r, "/sys/firmware/acpi/tables"))
		v->iommu_firmware = TRI_UNKNOWN;

	if (dir_tri(r, "/sys/kernel/iommu_groups", true, &v->iommu_groups_dir, &v->niommu_groups,
		    e) < 0)
		return -1;
	if (dir_tri(r, "/sys/class/iommu", false, &units_dir, &v->niommu_units, e) < 0)
		return -1;
	if (v->niommu_groups > 0 || v->niommu_units > 0)
		v->iommu = TRI_YES;
	else if (v->iommu_groups_dir == TRI_UNKNOWN && units_dir == TRI_UNKNOWN)
		v->iommu = TRI_UNKNOWN;
	else
		v->iommu = TRI_NO;

	if (v->iommu_firmware == TRI_UNKNOWN && v->iommu == TRI_UNKNOWN)
		strfmt_set(v->iommu_why, sizeof(v->iommu_why),
			   "no 'sys/firmware/acpi/tables', 'sys/kernel/iommu_groups' or "
			   "'sys/class/iommu' in '%s'",
			   r->shown);
	else if (v->iommu_firmware == TRI_NO)
		strfmt_set(v->iommu_why, sizeof(v->iommu_why),
			   "no ACPI %s table: IOMMU disabled in firmware or absent",
			   v->vmx == TRI_YES   ? "DMAR"
			   : v->svm == TRI_YES ? "IVRS"
					       : "DMAR or IVRS");
	else if (v->iommu == TRI_NO)
		strfmt_set(v->iommu_why, sizeof(v->iommu_why), "%s",
			   v->iommu_groups_dir == TRI_YES
			       ? "no IOMMU groups: the IOMMU is not enabled by the kernel"
			       : "no sys/kernel/iommu_groups: kernel without IOMMU support");
	else if (v->iommu == TRI_UNKNOWN)
		strfmt_set(v->iommu_why, sizeof(v->iommu_why),
			   "no 'sys/kernel/iommu_groups' or 'sys/class/iommu' in '%s'", r->shown);

	{
		unsigned n;

		if (dir_tri(r, "/sys/bus/pci/devices", false, &v->pci_devices, &n, e) < 0)
			return -1;
		if (v->pci_devices == TRI_YES && n == 0)
			v->pci_devices = TRI_NO;
	}
	return probe_irq_remap(h, r, e);
}

/* ---- NICs backed by PCI devices ---- */

/* "0000:3b:00.0": domain:bus:device.function in hex */
static bool is_pci_addr(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	return true;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int read_u64_or(const struct fsroot *r, const char *path, uint64_t dflt, uint64_t *v,
		       struct err *e)
{
	if (fs_read_u64(r, path, v, e) == 0)
		return 0;
	if (!probe_soft(e))
		return -1;
	*v = dflt;
	return 0;
}

/*
 * The PCI function behind sys/class/net/@name: the last PCI address on the
 * path its class link points to ("../../devices/pci0000:00/0000:00:1c.0/
 * 0000:3b:00.0/net/ens1f0").  For a virtio NIC that is the virtio PCI
 * device above "virtio2".  Fills @dir ("/sys/devices/.../0000:3b:00.0")
 * and @pci; false for virtual interfaces (lo, bridges, taps).
 */
static int nic_pci_dir(const struct fsroot *r, const char *name, char *dir, size_t size, char *pci,
		       size_t pcisize, bool *found, struct err *e)
{
	char path[FS_PATH_MAX], link[FS_PATH_MAX], norm[FS_PATH_MAX] = "/sys/class/net";
	char *save = NULL;
	size_t pci_end = 0;

	*found = false;
	strfmt_set(path, sizeof(path), "/sys/class/net/%s", name);
	if (fs_readlink(r, path, link, sizeof(link), e) < 0) {
		if (e->sys != EINVAL)
			return probe_soft(e) ? 0 : -1;
		/* a copied tree may hold a plain directory: its device link then */
		strfmt_set(path, sizeof(path), "/sys/class/net/%s/device", name);
		if (fs_readlink(r, path, link, sizeof(link), e) < 0)
			return probe_soft(e) ? 0 : -1;
		if (!is_pci_addr(base_name(link)))
			return 0;
		strfmt_set(pci, pcisize, "%s", base_name(link));
		strfmt_set(dir, size, "%s", path);
		*found = true;
		return 0;
	}
	if (link[0] == '/')
		norm[0] = '\0';
	for (char *c = strtok_r(link, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		size_t len = strlen(norm);

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *slash = strrchr(norm, '/');

			if (slash)
				*slash = '\0';
			if (pci_end > strlen(norm))
				pci_end = 0;
			continue;
		}
		if (len + 1 + strlen(c) + 1 > sizeof(norm))
			return err_set(e, ENAMETOOLONG, "cannot follow '%s%s'", r->shown, path);
		norm[len] = '/';
		memcpy(norm + len + 1, c, strlen(c) + 1);
		if (is_pci_addr(c)) {
			pci_end = strlen(norm);
			strfmt_set(pci, pcisize, "%s", c);
		}
	}
	if (pci_end == 0)
		return 0;
	norm[pci_end] = '\0';
	strfmt_set(dir, size, "%s", norm);
	*found = true;
	return 0;
}

static int probe_nic(const struct fsroot *r, const char *name, struct nic *n, bool *is_pci,
		     struct err *e)
{
	char dir[FS_PATH_MAX], path[FS_PATH_MAX + 64], link[FS_PATH_MAX];
	uint64_t total, num;
	long node;
	struct dirent *de;
	DIR *d;

	memset(n, 0, sizeof(*n));
	if (nic_pci_dir(r, name, dir, sizeof(dir), n->pci, sizeof(n->pci), is_pci, e) < 0)
		return -1;
	if (!*is_pci)
		return 0;
	strfmt_set(n->name, sizeof(n->name), "%s", name);

	/* the network driver (virtio_net for virtio, not virtio-pci) */
	strfmt_set(path, sizeof(path), "/sys/class/net/%s/device/driver", name);
	if (fs_readlink(r, path, link, sizeof(link), e) >= 0)
		strfmt_set(n->driver, sizeof(n->driver), "%s", base_name(link));
	else if (!probe_soft(e))
		return -1;

	strfmt_set(path, sizeof(path), "%s/numa_node", dir);
	n->numa_node = -1;
	/* an odd node id is an unknown node, as an absent file is */
	if (fs_read_int(r, path, &node, e) == 0) {
		if (node >= -1 && node < (long)IDSET_MAX)
			n->numa_node = (int)node;
	} else if (!probe_soft(e)) {
		return -1;
	}

	strfmt_set(path, sizeof(path), "%s/sriov_totalvfs", dir);
	if (read_u64_or(r, path, 0, &total, e) < 0)
		return -1;
	strfmt_set(path, sizeof(path), "%s/sriov_numvfs", dir);
	if (read_u64_or(r, path, 0, &num, e) < 0)
		return -1;
	if (total > UINT32_MAX || num > total)
		return err_set(e, EINVAL, "invalid SR-IOV counts %llu of %llu in '%s%s'",
			       (unsigned long long)num, (unsigned long long)total, r->shown, dir);
	n->sriov_total = (unsigned)total;
	n->sriov_num = (unsigned)num;

	strfmt_set(path, sizeof(path), "%s/physfn", dir);
	n->is_vf = fs_exists(r, path);

	strfmt_set(path, sizeof(path), "%s/msi_irqs", dir);
	d = fs_opendir(r, path, e);
	if (!d)
		return probe_soft(e) ? 0 : -1;
	while ((de = readdir(d))) {
		char *end;
		unsigned long irq;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		irq = strtoul(de->d_name, &end, 10);
		if (*end == '\0' && irq < IDSET_MAX)
			idset_add(&n->irqs, (unsigned)irq);
	}
	closedir(d);
	return 0;
}

static int nic_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nic *)a)->name, ((const struct nic *)b)->name);
}

int virt_probe_nics(struct host *h, const struct fsroot *r, struct err *e)
{
	struct virt *v = &h->virt;
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	d = fs_opendir(r, "/sys/class/net", e);
	if (!d)
		return probe_soft(e) ? 0 : -1;
	while ((de = readdir(d))) {
		struct nic n;
		bool is_pci;

		if (de->d_name[0] == '.')
			continue;
		if (probe_nic(r, de->d_name, &n, &is_pci, e) < 0) {
			closedir(d);
			return -1;
		}
		if (!is_pci)
			continue;
		if (v->nnics == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct nic *p = realloc(v->nics, ncap * sizeof(*p));

			if (!p) {
				closedir(d);
				return err_set(e, ENOMEM, "cannot list the NICs of '%s'", r->shown);
			}
			v->nics = p;
			cap = ncap;
		}
		v->nics[v->nnics++] = n;
	}
	closedir(d);
	if (v->nnics > 1)
		qsort(v->nics, v->nnics, sizeof(*v->nics), nic_cmp);
	return 0;
}
