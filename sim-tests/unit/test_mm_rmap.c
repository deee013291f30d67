/* Unit tests: reverse mapping (mm/rmap.c): through the anon_vma chains an
 * anonymous page's every (mm, address) is found, after fork, COW, mremap
 * and munmap; a page-cache page is found through the file's i_mmap at each
 * mapping's own address; vmsim_page_owner() names what a frame holds. */
#include "unitfix.h"

#define MAXHITS 8

struct hits {
	unsigned n;
	struct vmsim_mm *mm[MAXHITS];
	uint64_t addr[MAXHITS];
};

static void record(void *arg, struct vmsim_mm *m, uint64_t addr)
{
	struct hits *h = arg;

	if (h->n < MAXHITS) {
		h->mm[h->n] = m;
		h->addr[h->n] = addr;
	}
	h->n++;
}

static struct hits rmap(unsigned long pfn)
{
	struct hits h = { 0 };

	vmsim_page_rmap(vm, pfn, record, &h);
	return h;
}

static bool found(const struct hits *h, struct vmsim_mm *m, uint64_t addr)
{
	for (unsigned i = 0; i < h->n && i < MAXHITS; i++)
		if (h->mm[i] == m && h->addr[i] == addr)
			return true;
	return false;
}

static void test_anon_one_mapping(void **state)
{
	struct hits h;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(2), 1), 0);
	h = rmap(tu_pfn(mm, pg(2)));
	assert_int_equal(h.n, 1);
	assert_true(found(&h, mm, pg(2)));
	/* A split leaves it findable through the other half's chain. */
	assert_int_equal(vmsim_mprotect(mm, pg(1), P, RO), 0);
	h = rmap(tu_pfn(mm, pg(2)));
	assert_int_equal(h.n, 1);
	assert_true(found(&h, mm, pg(2)));
}

static void test_fork_then_cow(void **state)
{
	struct vmsim_mm *child, *grandchild;
	unsigned long orig, copy;
	struct hits h;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	orig = tu_pfn(mm, pg(1));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(vmsim_fork(child, &grandchild), 0);
	h = rmap(orig);
	assert_int_equal(h.n, 3);
	assert_true(found(&h, mm, pg(1)));
	assert_true(found(&h, child, pg(1)));
	assert_true(found(&h, grandchild, pg(1)));
	/* The child's copy belongs to the child's own anon_vma. */
	assert_int_equal(tu_write(child, pg(1), 2), 0);
	copy = tu_pfn(child, pg(1));
	h = rmap(copy);
	assert_int_equal(h.n, 1);
	assert_true(found(&h, child, pg(1)));
	h = rmap(orig);
	assert_int_equal(h.n, 2);
	assert_false(found(&h, child, pg(1)));
	/* A page the child makes after both forks is the child's alone. */
	assert_int_equal(tu_write(child, pg(0), 3), 0);
	h = rmap(tu_pfn(child, pg(0)));
	assert_int_equal(h.n, 1);
	assert_true(found(&h, child, pg(0)));
	vmsim_mm_exit(grandchild);
	h = rmap(orig);
	assert_int_equal(h.n, 1);
	assert_true(found(&h, mm, pg(1)));
	vmsim_mm_exit(child);
}

/* A moved anonymous page keeps its index; the moved vma keeps its pgoff,
 * so rmap computes the new address. */
static void test_after_mremap(void **state)
{
	struct vmsim_mm *child;
	unsigned long f;
	struct hits h;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(3), 1), 0);
	f = tu_pfn(mm, pg(3));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(vmsim_mremap(child, pg(0), 4 * P, 4 * P,
				      VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, pg(64)), 0);
	h = rmap(f);
	assert_int_equal(h.n, 2);
	assert_true(found(&h, mm, pg(3)));
	assert_true(found(&h, child, pg(67)));
	assert_int_equal(vmsim_munmap(mm, pg(2), 2 * P), 0);
	h = rmap(f);
	assert_int_equal(h.n, 1);
	assert_true(found(&h, child, pg(67)));
	vmsim_mm_exit(child);
}

/* i_mmap: every vma of the file, each at its own address for the page. */
static void test_file_page_everywhere(void **state)
{
	struct vmsim_mm *other;
	struct vmsim_file *f;
	unsigned char b = 1;
	unsigned long pfn;
	struct hits h;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &other), 0);
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 8 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 5 * P, &b, 1), 1);
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(20), 2 * P, RO, VMSIM_MAP_PRIVATE, f, 4 * P), 0);
	assert_int_equal(vmsim_mmap(other, pg(100), 4 * P, RO, VMSIM_MAP_SHARED, f, 2 * P), 0);
	assert_int_equal(tu_read(mm, pg(5)), 1);
	assert_int_equal(tu_read(mm, pg(21)), 1);
	assert_int_equal(tu_read(other, pg(103)), 1);
	pfn = tu_pfn(mm, pg(5));
	h = rmap(pfn);
	assert_int_equal(h.n, 3);
	assert_true(found(&h, mm, pg(5)));
	assert_true(found(&h, mm, pg(21)));
	assert_true(found(&h, other, pg(103)));
	/* A private COW copy is anonymous: no longer this page's. */
	assert_int_equal(vmsim_mprotect(mm, pg(20), 2 * P, RW), 0);
	assert_int_equal(tu_write(mm, pg(21), 2), 0);
	h = rmap(pfn);
	assert_int_equal(h.n, 2);
	assert_false(found(&h, mm, pg(21)));
	vmsim_mm_exit(other);
}

static void test_page_owner(void **state)
{
	struct vmsim_file *s, *d;
	char buf[64];
	unsigned long free_pfn;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "shm", VMSIM_FILE_SHMEM, P, &s), 0);
	assert_int_equal(vmsim_file_new(vm, "dsk", VMSIM_FILE_DISK, P, &d), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(1), P, RW, VMSIM_MAP_SHARED, s, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(2), P, RW, VMSIM_MAP_SHARED, d, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(3), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(tu_write(mm, pg(2), 1), 0);
	assert_int_equal(tu_read(mm, pg(3)), 0);
	assert_string_equal(vmsim_page_owner(vm, tu_pfn(mm, pg(0)), buf, sizeof(buf)), "anon");
	assert_string_equal(vmsim_page_owner(vm, tu_pfn(mm, pg(1)), buf, sizeof(buf)), "shmem shm");
	assert_string_equal(vmsim_page_owner(vm, tu_pfn(mm, pg(2)), buf, sizeof(buf)), "file dsk");
	assert_string_equal(vmsim_page_owner(vm, tu_pfn(mm, pg(3)), buf, sizeof(buf)), "zero");
	assert_string_equal(vmsim_page_owner(vm, vmsim_mm_pgd(mm), buf, sizeof(buf)), "pgtable");
	assert_int_equal(vmsim_page_alloc(vm, 0, &free_pfn), 0);
	assert_string_equal(vmsim_page_owner(vm, free_pfn, buf, sizeof(buf)), "kernel");
	assert_int_equal(vmsim_page_free(vm, free_pfn, 0), 0);
	assert_string_equal(vmsim_page_owner(vm, free_pfn, buf, sizeof(buf)), "free");
	/* A free frame and a table are nobody's mapping. */
	assert_int_equal(rmap(free_pfn).n, 0);
	assert_int_equal(rmap(vmsim_mm_pgd(mm)).n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_anon_one_mapping),
		TU_TEST(test_fork_then_cow),
		TU_TEST(test_after_mremap),
		TU_TEST(test_file_page_everywhere),
		TU_TEST(test_page_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
