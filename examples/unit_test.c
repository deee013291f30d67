/* A test writer's skeleton (docs/api.md): a check=full machine whose bug
 * reports are counted instead of aborting, a COW check after fork, and a
 * teardown that must report no leak.  Exits 0 when every check holds. */
#include <errno.h>
#include <stdio.h>
#include <vmsim/vmsim.h>

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			return 1;                                           \
		}                                                           \
	} while (0)

/* Counts reports; returning (instead of the default abort) makes the
 * operation that found the bug fail with -EIO. */
static void count_bug(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	(void)vm;
	fprintf(stderr, "BUG in %s: %s\n", r->func, r->msg);
	++*(unsigned long *)arg;
}

int main(void)
{
	const uint64_t a = 0x7f0000000000;
	struct vmsim_config cfg;
	struct vmsim *vm;
	struct vmsim_mm *parent, *child;
	unsigned long bugs = 0;
	unsigned char b = 0x11;
	uint64_t pm[2];

	vmsim_config_init(&cfg);
	CHECK(vmsim_config_set(&cfg, "check", "full") == 0);	/* the .vms machine keys */
	CHECK(vmsim_config_set(&cfg, "cpus", "2") == 0);
	CHECK(vmsim_new(&cfg, &vm) == 0);
	vmsim_set_bug_handler(vm, count_bug, &bugs);
	CHECK(vmsim_mm_new(vm, &parent) == 0);

	/* System calls: 0 or a negative errno, state unchanged on error. */
	CHECK(vmsim_mmap(parent, a + 1, 4096, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0) ==
	      -EINVAL);
	CHECK(vmsim_mmap(parent, a, 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
			 VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0) == 0);

	/* Accesses: VMSIM_ACCESS_OK (0) or the signal, never an errno unless
	 * the arguments are bad. */
	CHECK(vmsim_access(parent, 0, a, &b, 1, true, NULL) == VMSIM_ACCESS_OK);
	CHECK(vmsim_access(parent, 0, a + 4096, &b, 1, false, NULL) == VMSIM_ACCESS_SIGSEGV);

	/* fork, then a write in the child on CPU 1: copy on write. */
	CHECK(vmsim_fork(parent, &child) == 0);
	b = 0x22;
	CHECK(vmsim_access(child, 1, a, &b, 1, true, NULL) == VMSIM_ACCESS_OK);
	CHECK(vmsim_access(parent, 0, a, &b, 1, false, NULL) == VMSIM_ACCESS_OK && b == 0x11);
	CHECK(vmsim_pagemap(parent, a, 1, &pm[0]) == 0 && vmsim_pagemap(child, a, 1, &pm[1]) == 0);
	CHECK((pm[0] & PM_PRESENT) && (pm[1] & PM_PRESENT));
	CHECK((pm[0] & PM_PFRAME_MASK) != (pm[1] & PM_PFRAME_MASK));

	/* A leak found at teardown is a bug report through the same handler:
	 * count them after vmsim_free (the machine is gone by then). */
	CHECK(vmsim_bug_count(vm) == 0);
	vmsim_free(vm);
	CHECK(bugs == 0);
	puts("ok");
	return 0;
}
