/* fuzz_domxml.c - domain XML: domxml_request() (read), domxml_format() and domxml_canon()
 * (write back), and domxml_rewrite() (the edit and write-back apply runs)
 *
 * libxml2 is dlopen()ed by domxml.c on first use and is not instrumented:
 * coverage comes from domxml.c, and ASan still sees libxml2's heap.  The plan
 * for the rewrite is sized from the request the XML itself gives (as `hvtune
 * plan --domain` does), so most inputs get past its checks; a hash of the
 * input picks the cells, page size and options, which keeps the XML bytes
 * for libFuzzer to mutate.  The rewrite's output must parse and, from the
 * second rewrite on, rewrite to itself, blanks aside (apply compares what it
 * wrote against what libvirt gives back).
 */
#include "tests/fuzz/fuzz.h"
#include "apply/domxml.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* vCPU i on pCPU 4+i; @ncells cells over nodes 0.. splitting vCPUs and memory. */
static void plan_for(struct vm_plan *vm, unsigned vcpus, uint64_t mem_kib, uint64_t page_kib,
		     unsigned ncells)
{
	uint64_t unit = page_kib ? page_kib : 4;

	memset(vm, 0, sizeof(*vm));
	strcpy(vm->name, "vm");
	vm->vcpus = vcpus;
	vm->page_kib = page_kib;
	vm->placed = true;
	vm->npins = vcpus;
	vm->pins = calloc(vcpus, sizeof(*vm->pins));
	vm->cells = calloc(ncells ? ncells : 1, sizeof(*vm->cells));
	if (!vm->pins || !vm->cells)
		abort();
	for (unsigned i = 0; i < vcpus; i++) {
		vm->pins[i] = (struct pin){.vcpu = i, .cpu = 4 + i};
		idset_add(&vm->cpus, 4 + i);
	}
	idset_add(&vm->emulator, 0);
	idset_add(&vm->iothread, 1);
	vm->niothreads = vcpus % 3 == 0 ? 1 : 0;
	vm->sockets = 1;
	vm->threads = vcpus % 2 == 0 ? 2 : 1;
	vm->cores = vcpus / vm->threads;
	if (ncells > vcpus)
		ncells = vcpus;
	vm->ncells = ncells;
	mem_kib = mem_kib / unit * unit;
	if (mem_kib < unit * (ncells ? ncells : 1))
		mem_kib = unit * (ncells ? ncells : 1);
	vm->mem_kib = mem_kib;
	for (unsigned c = 0; c < ncells; c++) {
		struct guest_cell *gc = &vm->cells[c];

		gc->id = c;
		gc->node = c;
		gc->mem_kib = mem_kib / ncells / unit * unit;
		gc->page_kib = page_kib;
		gc->pages = page_kib ? gc->mem_kib / page_kib : 0;
		for (unsigned i = c * vcpus / ncells; i < (c + 1) * vcpus / ncells; i++)
			idset_add(&gc->vcpus, i);
		idset_add(&vm->nodes, c);
	}
}

/* @a and @b are equal once blanks (space, tab, newline) are taken out. */
static bool same_but_blanks(const char *a, const char *b)
{
	for (;;) {
		a += strspn(a, " \t\n");
		b += strspn(b, " \t\n");
		if (*a != *b)
			return false;
		if (*a == '\0')
			return true;
		a++;
		b++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xml = fz_cstr(data, size), *out, *again;
	struct domxml_opts o = {0};
	struct vm_request req;
	struct vm_plan vm;
	struct err e = ERR_INIT;
	unsigned vcpus = 2, hash = 0;
	uint64_t mem_kib = 1048576;

	for (size_t i = 0; i < size; i++)
		hash = hash * 31 + data[i];
	if (domxml_request(xml, &req, &e) == 0) {
		fz_check(req.name[0] != '\0', "a request without a name");
		vcpus = req.vcpus >= 1 && req.vcpus <= 64 ? req.vcpus : 1 + hash % 8;
		if (req.mem_kib > 0 && req.mem_kib < (UINT64_C(1) << 40))
			mem_kib = req.mem_kib;
		vm_request_release(&req); /* its guest cells are heap */
	}
	free(domxml_format(xml, &e));
	free(domxml_canon(xml, DOMXML_OWNED, &e));
	free(domxml_canon(xml, DOMXML_UNOWNED, &e));

	o.host_passthrough = hash & 1;
	o.nosharepages = hash & 2;
	o.locked = hash & 4;
	if (hash & 8) {
		strcpy(o.vcpusched, hash & 16 ? "fifo" : "rr");
		o.vcpusched_priority = 1 + hash % 99;
	}
	plan_for(&vm, vcpus, mem_kib, (hash >> 5) % 3 == 0 ? 2048 : 0, (hash >> 7) % 3);
	out = domxml_rewrite(xml, &vm, &o, &e);
	if (out) {
		again = domxml_rewrite(out, &vm, &o, &e);
		fz_check(again != NULL, "a rewritten domain does not rewrite");
		/* A second rewrite may still change what the first left when
		 * owned containers hold stray text (findings/domxml/README); a
		 * third must not.  Blanks aside. */
		if (!same_but_blanks(out, again)) {
			char *third = domxml_rewrite(again, &vm, &o, &e);

			fz_check(third != NULL, "a rewritten domain does not rewrite");
			if (!same_but_blanks(again, third)) {
				fprintf(stderr, "second rewrite:\n%s\nthird rewrite:\n%s\n", again,
					third);
				fz_check(0, "rewrites of a domain do not settle");
			}
			free(third);
		}
		free(again);
		free(out);
	}
	free(vm.pins);
	free(vm.cells);
	free(xml);
	return 0;
}
