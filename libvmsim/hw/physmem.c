/* Physical memory: the memmap (one struct vmsim_page per frame, as
 * mm/mm_init.c lays out mem_map) and frame contents.  The memmap is laid
 * out as SPARSEMEM_VMEMMAP does on x86-64 (mm/sparse-vmemmap.c): one
 * virtually contiguous array, so pfn_to_page stays an index, whose backing
 * is populated a section at a time, here when the page allocator first
 * hands out a frame of the section (a host mapping reserved, not backed:
 * an untouched section costs nothing and reads as zeros).  A machine's
 * cost grows with the memory it uses, not with the memory it simulates.
 * Contents live in one host mapping of the machine's RAM (and persistent
 * memory's) size, reserved
 * but not backed: a frame costs host memory only once written, and a
 * never-written frame reads as zeros without touching it (Linux zeroes at
 * allocation; we zero lazily at first write, which no reader can tell
 * apart). */
#include <string.h>
#include <sys/mman.h>

#include "../internal.h"
#include "../boot.h"

void vmsim__section_populate(struct vmsim *vm, unsigned long pfn)
{
	unsigned long s = pfn >> VMSIM_SECTION_SHIFT, first = s << VMSIM_SECTION_SHIFT;
	unsigned long n = vm->nr_frames - first < VMSIM_SECTION_FRAMES ? vm->nr_frames - first : VMSIM_SECTION_FRAMES;

	if (vm->section_present[s])
		return;
	vm->section_present[s] = 1;
	vm->memmap_bytes += n * sizeof(struct vmsim_page);
}

int vmsim__physmem_init(struct vmsim *vm)
{
	unsigned long total;
	void *mm;

	vm->nr_frames = vm->cfg.ram >> PAGE_SHIFT;
	/* Persistent memory (a DAX device's region) sits above RAM, 2 MiB
	 * aligned, past a 2 MiB gap no frame fills, with a memmap of its own
	 * (ZONE_DEVICE pages), made when a DAX file first needs it. */
	vm->pmem_base = ((vm->nr_frames + HPAGE_PMD_NR - 1) & ~(HPAGE_PMD_NR - 1)) + HPAGE_PMD_NR;
	vm->nr_pmem = vm->cfg.pmem >> PAGE_SHIFT;
	total = vm->nr_pmem ? vm->pmem_base + vm->nr_pmem : vm->nr_frames;
	vm->memmap_len = vm->nr_frames * sizeof(*vm->memmap);
	mm = mmap(NULL, vm->memmap_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	vm->section_present = vmsim__calloc(vm, (vm->nr_frames + VMSIM_SECTION_FRAMES - 1) >> VMSIM_SECTION_SHIFT, 1);
	if (mm == MAP_FAILED || !vm->section_present) {
		if (mm != MAP_FAILED)
			munmap(mm, vm->memmap_len);
		return -ENOMEM;
	}
	vm->memmap = mm;
	vm->folio_meta_len = ((total >> 9) + 1) * sizeof(*vm->folio_meta);
	mm = mmap(NULL, vm->folio_meta_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		  -1, 0);
	if (mm == MAP_FAILED)
		return -ENOMEM;
	vm->folio_meta = mm;
	vm->frames_len = (size_t)total << PAGE_SHIFT;
	vm->frames = mmap(NULL, vm->frames_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->frames == MAP_FAILED) {
		/* Undo our own part: no memmap is a machine with no frames
		 * to account for at teardown. */
		vm->frames = NULL;
		munmap(vm->memmap, vm->memmap_len);
		vm->memmap = NULL;
		return -ENOMEM;
	}
	if (vmsim__page_alloc_init(vm))
		return -ENOMEM;
	/* The shared zero page: reserved, never freed, never written. */
	vm->zero_page = vmsim_alloc_pages(vm, 0);
	if (!vm->zero_page)
		return -ENOMEM;
	vmsim_page_set(vm->zero_page, PG_reserved);
	vmsim_page_set(vm->zero_page, PG_zero);
	vmsim_page_set(vm->zero_page, PG_uptodate);
	return 0;
}

/* memremap_pages() of the persistent memory: its struct pages. */
int vmsim__pmem_map_populate(struct vmsim *vm)
{
	if (vm->pmem_map || !vm->nr_pmem)
		return 0;
	vm->pmem_map = vmsim__calloc(vm, vm->nr_pmem, sizeof(*vm->pmem_map));
	if (!vm->pmem_map)
		return -ENOMEM;
	for (unsigned long i = 0; i < vm->nr_pmem; i++)
		vmsim_page_set(&vm->pmem_map[i], PG_device);
	return 0;
}

void vmsim__physmem_exit(struct vmsim *vm)
{
	if (vm->frames)
		munmap(vm->frames, vm->frames_len);
	if (vm->memmap)
		munmap(vm->memmap, vm->memmap_len);
	vmsim__free(vm, vm->section_present);
	vmsim__free(vm, vm->lazy_blocks);
	vmsim__free(vm, vm->pmem_map);
	if (vm->folio_meta)
		munmap(vm->folio_meta, vm->folio_meta_len);
	vm->frames = NULL;
	vm->memmap = NULL;
	vm->section_present = NULL;
	vm->lazy_blocks = NULL;
	vm->pmem_map = NULL;
	vm->folio_meta = NULL;
}

unsigned long vmsim_nr_frames(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->nr_frames;
}

struct vmsim_page *vmsim_pfn_to_page(struct vmsim *vm, unsigned long pfn)
{
	if (!vm)
		return NULL;
	if (pfn < vm->nr_frames)
		return &vm->memmap[pfn];
	if (pfn >= vm->pmem_base && pfn - vm->pmem_base < vm->nr_pmem && vm->pmem_map)
		return &vm->pmem_map[pfn - vm->pmem_base];
	return NULL;
}

unsigned long vmsim_pmem_frames(const struct vmsim *vm, unsigned long *first)
{
	if (!vm)
		return 0;
	if (first)
		*first = vm->pmem_base;
	return vm->nr_pmem;
}

unsigned long vmsim_page_to_pfn(const struct vmsim *vm, const struct vmsim_page *page)
{
	uintptr_t off;

	/* RAM first: the common case, as cheap as before persistent memory. */
	if (!vm || !page || !vm->memmap)
		return ~0UL;
	off = (uintptr_t)page - (uintptr_t)vm->memmap;
	if (off < vm->nr_frames * sizeof(*page) && off % sizeof(*page) == 0)
		return (unsigned long)(page - vm->memmap);
	off = (uintptr_t)page - (uintptr_t)vm->pmem_map;
	if (vm->pmem_map && off < vm->nr_pmem * sizeof(*page) && off % sizeof(*page) == 0)
		return vm->pmem_base + (unsigned long)(off / sizeof(*page));
	return ~0UL;
}

struct vmsim_page *vmsim_zero_page(struct vmsim *vm)
{
	if (!vm)
		return NULL;
	return vm->zero_page;
}

unsigned char *vmsim__frame_mem(struct vmsim *vm, struct vmsim_page *page)
{
	unsigned char *mem = vm->frames + ((size_t)vmsim_page_to_pfn(vm, page) << PAGE_SHIFT);

	if (!vmsim_page_test(page, PG_has_data)) {
		/* Whatever an earlier owner of the frame left is not ours. */
		memset(mem, 0, PAGE_SIZE);
		vmsim_page_set(page, PG_has_data);
		vm->frames_with_data++;
	}
	return mem;
}

/* data=off drops user data; page tables always keep theirs. */
static bool keeps_data(const struct vmsim *vm, const struct vmsim_page *page)
{
	return vm->cfg.data || vmsim_page_test(page, PG_table);
}

static bool in_frame(size_t off, size_t len)
{
	return off <= PAGE_SIZE && len <= PAGE_SIZE - off;
}

void vmsim_frame_read(struct vmsim *vm, struct vmsim_page *page, size_t off, void *buf, size_t len)
{
	if (!vmsim__page_valid(vm, page) || !in_frame(off, len) || (!buf && len))
		return;
	if (!vmsim_page_test(page, PG_has_data)) {
		memset(buf, 0, len);
		return;
	}
	memcpy(buf, vm->frames + ((size_t)vmsim_page_to_pfn(vm, page) << PAGE_SHIFT) + off, len);
}

int vmsim_frame_write(struct vmsim *vm, struct vmsim_page *page, size_t off, const void *buf, size_t len)
{
	if (!vmsim__page_valid(vm, page) || !in_frame(off, len) || (!buf && len) ||
	    vmsim_page_test(page, PG_zero))
		return -EINVAL;
	if (!keeps_data(vm, page))
		return 0;
	memcpy(vmsim__frame_mem(vm, page) + off, buf, len);
	return 0;
}

void vmsim_frame_fill(struct vmsim *vm, struct vmsim_page *page, size_t off, int byte, size_t len)
{
	if (!vmsim__page_valid(vm, page) || !in_frame(off, len) || vmsim_page_test(page, PG_zero))
		return;
	if (!keeps_data(vm, page))
		return;
	if (byte == 0 && !vmsim_page_test(page, PG_has_data))
		return;
	memset(vmsim__frame_mem(vm, page) + off, byte, len);
}

int vmsim_frame_copy(struct vmsim *vm, struct vmsim_page *dst, struct vmsim_page *src)
{
	if (!vmsim__page_valid(vm, dst) || !vmsim__page_valid(vm, src) || vmsim_page_test(dst, PG_zero))
		return -EINVAL;
	if (!keeps_data(vm, dst))
		return 0;
	if (!vmsim_page_test(src, PG_has_data)) {
		/* Copying zeros onto a fresh frame is a no-op. */
		if (vmsim_page_test(dst, PG_has_data))
			memset(vmsim__frame_mem(vm, dst), 0, PAGE_SIZE);
		return 0;
	}
	memcpy(vmsim__frame_mem(vm, dst), vm->frames + ((size_t)vmsim_page_to_pfn(vm, src) << PAGE_SHIFT),
	       PAGE_SIZE);
	return 0;
}
