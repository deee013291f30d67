/* Host memory for one machine: a dedicated jemalloc arena (so a machine is
 * freed and measured as a unit), or plain malloc for sanitizer builds.
 * Every allocation is counted, so vmsim_free() can tell a leak. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

#ifdef VMSIM_USE_JEMALLOC
#include <jemalloc/jemalloc.h>

int vmsim__arena_create(unsigned *arena)
{
	size_t sz = sizeof(*arena);

	return mallctl("arenas.create", arena, &sz, NULL, 0) ? -ENOMEM : 0;
}

void vmsim__arena_destroy(unsigned arena)
{
	char name[64];

	snprintf(name, sizeof(name), "arena.%u.destroy", arena);
	mallctl(name, NULL, NULL, NULL, 0);
}

void *vmsim__arena_malloc(unsigned arena, size_t size)
{
	return mallocx(size ? size : 1, MALLOCX_ARENA(arena) | MALLOCX_TCACHE_NONE);
}

void vmsim__arena_free(unsigned arena, void *p)
{
	(void)arena;
	if (p)
		dallocx(p, MALLOCX_TCACHE_NONE);
}

static size_t usable(void *p) { return sallocx(p, 0); }

static size_t arena_stat(unsigned arena, const char *what)
{
	char name[64];
	size_t v = 0, sz = sizeof(v);

	snprintf(name, sizeof(name), "stats.arenas.%u.%s", arena, what);
	return mallctl(name, &v, &sz, NULL, 0) ? 0 : v;
}

static void arena_stats(unsigned arena, size_t *allocated, size_t *resident)
{
	uint64_t epoch = 1;
	size_t sz = sizeof(epoch);

	/* Statistics are a snapshot taken at the last "epoch" write. */
	mallctl("epoch", &epoch, &sz, &epoch, sz);
	*allocated = arena_stat(arena, "small.allocated") + arena_stat(arena, "large.allocated");
	*resident = arena_stat(arena, "resident");
}

static void *arena_realloc(unsigned arena, void *p, size_t size)
{
	return rallocx(p, size ? size : 1, MALLOCX_ARENA(arena) | MALLOCX_TCACHE_NONE);
}
#else
int vmsim__arena_create(unsigned *arena)
{
	*arena = 0;
	return 0;
}

void vmsim__arena_destroy(unsigned arena) { (void)arena; }
void *vmsim__arena_malloc(unsigned arena, size_t size) { (void)arena; return malloc(size ? size : 1); }
void vmsim__arena_free(unsigned arena, void *p) { (void)arena; free(p); }
static size_t usable(void *p) { return malloc_usable_size(p); }
static void *arena_realloc(unsigned arena, void *p, size_t size)
{
	(void)arena;
	return realloc(p, size ? size : 1);
}

static void arena_stats(unsigned arena, size_t *allocated, size_t *resident)
{
	(void)arena;
	*allocated = *resident = 0;
}
#endif

size_t vmsim_host_bytes_detail(const struct vmsim *vm, struct vmsim_host_mem *out)
{
	if (!vm)
		return 0;
	if (out) {
		out->heap_bytes = vm->heap_bytes;
		out->heap_objs = vm->heap_objs;
		out->frame_bytes = vm->frames_with_data * PAGE_SIZE;
		out->memmap_bytes = vm->memmap_bytes;
		arena_stats(vm->arena, &out->arena_allocated, &out->arena_resident);
	}
	return vmsim_host_bytes(vm);
}

void *vmsim__malloc(struct vmsim *vm, size_t size)
{
	void *p = vmsim__arena_malloc(vm->arena, size);

	if (p) {
		vm->heap_bytes += usable(p);
		vm->heap_objs++;
	}
	return p;
}

void *vmsim__calloc(struct vmsim *vm, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = vmsim__malloc(vm, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *vmsim__realloc(struct vmsim *vm, void *p, size_t size)
{
	size_t old;
	void *q;

	if (!p)
		return vmsim__malloc(vm, size);
	old = usable(p);
	q = arena_realloc(vm->arena, p, size);
	if (q) {
		vm->heap_bytes -= old;
		vm->heap_bytes += usable(q);
	}
	return q;
}

void vmsim__free(struct vmsim *vm, void *p)
{
	if (!p)
		return;
	vm->heap_bytes -= usable(p);
	vm->heap_objs--;
	vmsim__arena_free(vm->arena, p);
}

char *vmsim__strdup(struct vmsim *vm, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = vmsim__malloc(vm, n);

	if (d)
		memcpy(d, s, n);
	return d;
}
