/* hugetlbfs files: mmap (2 MiB alignment, reservations, a writable shared
 * mapping growing the file), read(), hole punch and truncate in Linux's
 * order (unmap every vma's pages, then drop them from the page cache and
 * give back their reservations).  Follows fs/hugetlbfs/inode.c
 * (hugetlbfs_file_mmap, hugetlbfs_read_iter, hugetlbfs_punch_hole,
 * hugetlb_vmtruncate, remove_inode_hugepages) of Linux 6.12-6.18.
 * write() is not supported by hugetlbfs and fails with EINVAL
 * (filemap.c). */
#include <string.h>
#include <uthash.h>

#include "mm_internal.h"

int vmsim__hugetlbfs_init(struct vmsim_file *f)
{
	/* hugetlbfs_i_mmap_rwsem_key: its own lockdep class. */
	vmsim_lock_init(&f->i_mmap_rwsem, VMSIM_LOCK_I_MMAP_HUGETLB);
	f->hugetlb_resv = vmsim__resv_map_alloc(f->vm);
	return f->hugetlb_resv ? 0 : -ENOMEM;
}

void vmsim__hugetlbfs_exit(struct vmsim_file *f)
{
	vmsim__resv_map_put(f->vm, f->hugetlb_resv);
	f->hugetlb_resv = NULL;
}

/* hugetlbfs_file_mmap(): the vma is VM_HUGETLB, its offset huge-page
 * aligned, its pages reserved; a writable mapping past the end of the
 * file makes the file that long.  *len is the mapping's length. */
int vmsim__hugetlbfs_mmap(struct vm_area_struct *vma, uint64_t *len)
{
	struct vmsim_file *f = vma->vm_file;
	uint64_t end;
	int err;

	if (vma->vm_pgoff & (HPAGE_PMD_NR - 1))
		return -EINVAL;
	vma->vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
	end = (vma->vm_pgoff << PAGE_SHIFT) + *len;
	err = vmsim__hugetlb_reserve_pages(vma, vma->vm_pgoff >> HPAGE_PMD_ORDER, end >> PMD_SHIFT);
	if (err)
		return err;
	if ((vma->vm_flags & VM_WRITE) && f->i_size < end)
		f->i_size = end;
	return 0;
}

long vmsim__hugetlbfs_read(struct vmsim_file *f, uint64_t off, void *buf, size_t len)
{
	unsigned char *b = buf;
	size_t done = 0;

	if (off >= f->i_size)
		return 0;
	if (len > f->i_size - off)
		len = f->i_size - off;
	while (done < len) {
		uint64_t pos = off + done, pgoff = pos >> PAGE_SHIFT;
		size_t in = pos & (PAGE_SIZE - 1), n = PAGE_SIZE - in;
		struct vmsim_page *folio = vmsim__filemap_get(f, pgoff & ~(uint64_t)(HPAGE_PMD_NR - 1));

		if (n > len - done)
			n = len - done;
		if (folio)
			vmsim_frame_read(f->vm, &folio[pgoff & (HPAGE_PMD_NR - 1)], in, b + done, n);
		else
			memset(b + done, 0, n);		/* a hole reads as zeros */
		done += n;
	}
	return (long)done;
}

/* hugetlbfs_zero_partial_page(): the bytes [start, end) of one huge page. */
static void zero_partial_page(struct vmsim_file *f, uint64_t start, uint64_t end)
{
	struct vmsim_page *folio = vmsim__filemap_get(f, (start >> PAGE_SHIFT) & ~(uint64_t)(HPAGE_PMD_NR - 1));

	if (!folio)
		return;
	for (uint64_t a = start; a < end;) {
		uint64_t in = a & (PAGE_SIZE - 1), n = PAGE_SIZE - in;

		if (n > end - a)
			n = end - a;
		vmsim_frame_fill(f->vm, &folio[(a >> PAGE_SHIFT) & (HPAGE_PMD_NR - 1)], in, 0, n);
		a += n;
	}
}

/* remove_inode_hugepages(): the huge pages [start, end) (indices) leave the
 * page cache (each unmapped first if still mapped), and their
 * reservations go with them. */
static void remove_inode_hugepages(struct vmsim_file *f, uint64_t start, uint64_t end, uint64_t cache_end)
{
	long freed = 0;

	/* Pages live below cache_end only (the old end of file). */
	for (uint64_t idx = start; idx < end && idx < cache_end; idx++) {
		struct vmsim_page *folio = vmsim__filemap_get(f, idx << HPAGE_PMD_ORDER);

		if (!folio)
			continue;
		if (vmsim__folio_mapcount(f->vm, folio)) {
			/* hugetlb_unmap_file_folio(): mapped again meanwhile. */
			struct zap_details d = { .zap_flags = ZAP_FLAG_DROP_MARKER };

			vmsim_lock(f->vm, &f->i_mmap_rwsem);
			vmsim__hugetlb_vmdelete_list(f, idx << HPAGE_PMD_ORDER, (idx + 1) << HPAGE_PMD_ORDER, &d);
			vmsim_unlock(f->vm, &f->i_mmap_rwsem);
		}
		vmsim__filemap_remove(f, idx << HPAGE_PMD_ORDER);
		freed++;
	}
	vmsim__hugetlb_unreserve_pages(f, start, end, freed);
}

int vmsim__hugetlbfs_punch(struct vmsim_file *f, uint64_t off, uint64_t len)
{
	uint64_t hole_start = (off + PMD_SIZE - 1) & PMD_MASK, hole_end = (off + len) & PMD_MASK;

	struct zap_details d = { 0 };

	if (off >= f->i_size)
		return 0;
	vmsim_lock(f->vm, &f->i_mmap_rwsem);
	if (off < hole_start)
		zero_partial_page(f, off, off + len < hole_start ? off + len : hole_start);
	/* hugetlb_vmdelete_list(): every vma loses its pages of the hole,
	 * private copies included (uffd-wp markers stay). */
	if (hole_end > hole_start)
		vmsim__hugetlb_vmdelete_list(f, hole_start >> PAGE_SHIFT, hole_end >> PAGE_SHIFT, &d);
	if (off + len > hole_end && off + len > hole_start)
		zero_partial_page(f, hole_end, off + len);
	vmsim_unlock(f->vm, &f->i_mmap_rwsem);
	if (hole_end > hole_start)
		remove_inode_hugepages(f, hole_start >> PMD_SHIFT, hole_end >> PMD_SHIFT, hole_end >> PMD_SHIFT);
	return 0;
}

/* hugetlb_vmtruncate(): only to a huge page boundary. */
int vmsim__hugetlbfs_truncate(struct vmsim_file *f, uint64_t size)
{
	uint64_t old = f->i_size;
	struct zap_details d = { .zap_flags = ZAP_FLAG_DROP_MARKER };

	if (size & (PMD_SIZE - 1))
		return -EINVAL;
	f->i_size = size;
	if (size >= old)
		return 0;
	vmsim_lock(f->vm, &f->i_mmap_rwsem);
	vmsim__hugetlb_vmdelete_list(f, size >> PAGE_SHIFT, ~0ULL >> PAGE_SHIFT, &d);
	vmsim_unlock(f->vm, &f->i_mmap_rwsem);
	remove_inode_hugepages(f, size >> PMD_SHIFT, ~0ULL, (old + PMD_SIZE - 1) >> PMD_SHIFT);
	return 0;
}
