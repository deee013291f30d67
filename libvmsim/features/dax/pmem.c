/* The persistent-memory region behind DAX files (machine pmem=) and the
 * filesystem's extent allocator on it: a file gets its blocks 2 MiB at a
 * time, one aligned, contiguous extent when the region has one free (what
 * a PMD mapping needs), else 4 KiB blocks from wherever they are free.
 * machine dax_fragment=N makes every Nth 2 MiB request take scattered
 * 4 KiB blocks even when an extent is free, as an aged filesystem would.
 * No Linux file: ext4's block allocation reduced to what decides whether
 * dax_iomap_pmd_fault() can map a PMD. */
#include <string.h>

#include "dax.h"

struct dax_region *vmsim__dax_region(struct vmsim *vm)
{
	return vm->dax;
}

int vmsim__dax_region_init(struct vmsim *vm)
{
	struct dax_region *r = vmsim__calloc(vm, 1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->nr = r->free = vm->nr_pmem;
	r->used = vmsim__calloc(vm, r->nr, 1);
	if (!r->used) {
		vmsim__free(vm, r);
		return -ENOMEM;
	}
	vm->dax = r;
	return 0;
}

/* At teardown every file is gone, so every block is free again. */
void vmsim__dax_region_exit(struct vmsim *vm)
{
	struct dax_region *r = vm->dax;

	if (!r)
		return;
	VMSIM_BUG_ON(vm, r->free != r->nr, "teardown with %lu persistent-memory blocks still allocated",
		     r->nr - r->free);
	vmsim__free(vm, r->used);
	vmsim__free(vm, r);
	vm->dax = NULL;
}

/* Take pmem page i; its contents start as zeros (the filesystem zeroes a
 * new block before DAX maps it: IOMAP_F_NEW). */
static unsigned long take(struct vmsim *vm, struct dax_region *r, unsigned long i)
{
	struct vmsim_page *p = vmsim_pfn_to_page(vm, vm->pmem_base + i);

	r->used[i] = 1;
	r->free--;
	if (vmsim_page_test(p, PG_has_data)) {
		vmsim_page_clear(p, PG_has_data);
		vm->frames_with_data--;
	}
	return vm->pmem_base + i;
}

/* A free, 2M-aligned run of 512 pages, first fit; or ~0UL. */
static unsigned long find_extent(const struct dax_region *r)
{
	for (unsigned long i = 0; i + HPAGE_PMD_NR <= r->nr; i += HPAGE_PMD_NR) {
		unsigned long k = 0;

		while (k < HPAGE_PMD_NR && !r->used[i + k])
			k++;
		if (k == HPAGE_PMD_NR)
			return i;
	}
	return ~0UL;
}

/* A free page, looking from a seeded place onwards (wrapping). */
static unsigned long find_block(struct vmsim *vm, const struct dax_region *r)
{
	unsigned long start = (unsigned long)(vmsim_random(vm) % r->nr);

	for (unsigned long k = 0; k < r->nr; k++) {
		unsigned long i = (start + k) % r->nr;

		if (!r->used[i])
			return i;
	}
	return ~0UL;
}

/* Blocks for the holes of the file's chunk (its 512 pages from chunk *
 * 512) below page limit (EOF).  0 or -ENOSPC. */
int vmsim__dax_alloc_chunk(struct vmsim_file *f, uint64_t chunk, uint64_t limit)
{
	struct vmsim *vm = f->vm;
	struct dax_region *r = vmsim__dax_region(vm);
	struct dax_inode *di = dax_inode(f);
	uint64_t first = chunk * HPAGE_PMD_NR, n = HPAGE_PMD_NR, holes = 0;
	bool scatter;

	if (limit > di->nr_blocks)
		limit = di->nr_blocks;
	if (first >= limit)
		return 0;
	if (first + n > limit)
		n = limit - first;
	for (uint64_t k = 0; k < n; k++)
		holes += !di->blocks[first + k];
	if (!holes)
		return 0;
	if (holes > r->free)
		return -ENOSPC;
	r->chunks++;
	scatter = di->fragment && r->chunks % di->fragment == 0;
	if (holes == HPAGE_PMD_NR && !scatter) {
		unsigned long e = find_extent(r);

		if (e != ~0UL) {
			for (uint64_t k = 0; k < HPAGE_PMD_NR; k++)
				di->blocks[first + k] = take(vm, r, e + k);
			return 0;
		}
	}
	for (uint64_t k = 0; k < n; k++) {
		if (!di->blocks[first + k])
			di->blocks[first + k] = take(vm, r, find_block(vm, r));
	}
	return 0;
}

/* 1 << order blocks from pfn go back to the region.  They must be mapped
 * nowhere any more, and no CPU may cache them: the stale-TLB detector
 * looks, as for frames the buddy allocator gets back (once for the run). */
void vmsim__dax_free_blocks(struct vmsim *vm, unsigned long pfn, unsigned order)
{
	struct dax_region *r = vmsim__dax_region(vm);
	unsigned long nr = 1UL << order;

	for (unsigned long i = 0; i < nr; i++) {
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn + i);

		if (VMSIM_BUG_ON(vm, !p || !vmsim_page_test(p, PG_device) || !r->used[pfn + i - vm->pmem_base],
				 "dax: freeing pfn %#lx, not an allocated pmem block", pfn + i))
			return;
		if (VMSIM_BUG_ON(vm, p->mapcount || vmsim_page_test(p, PG_tail) || vmsim_page_test(p, PG_head),
				 "dax: freeing block pfn %#lx while it is still mapped (%d ptes)", pfn + i,
				 p->mapcount))
			return;
	}
	if (vm->page_free_hook)
		vm->page_free_hook(vm, vmsim_pfn_to_page(vm, pfn), order);
	for (unsigned long i = 0; i < nr; i++) {
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn + i);

		p->mapping = NULL;
		p->index = 0;
		r->used[pfn + i - vm->pmem_base] = 0;
	}
	r->free += nr;
}

unsigned long vmsim__dax_chunk_pfn(const struct vmsim_file *f, uint64_t chunk)
{
	const struct dax_inode *di = dax_inode(f);
	uint64_t first = chunk * HPAGE_PMD_NR;
	unsigned long b0;

	if (first + HPAGE_PMD_NR > di->nr_blocks)
		return 0;
	b0 = di->blocks[first];
	if (!b0 || (b0 & (HPAGE_PMD_NR - 1)))
		return 0;
	for (uint64_t k = 1; k < HPAGE_PMD_NR; k++)
		if (di->blocks[first + k] != b0 + k)
			return 0;
	return b0;
}
