/*
 * vmsim-bench: each workload on the simulator and on this machine's kernel,
 * in the same run, alternating, several repetitions; per-page costs and the
 * ratio simulator/kernel (medians).  See bench/README.md.
 *
 *   vmsim-bench [--quick] [--csv | --csv-file F] [--reps N] [--pages N[,N...]]
 *               [--only NAME] [--sim-only] [--cpu-time]
 *   vmsim-bench --memory     host bytes per mapped simulated page
 *   vmsim-bench --scale      16 GiB of simulated RAM, mapped, forked, freed (--ram MiB)
 *   vmsim-bench --empty      an empty 1 TiB machine: creation time, host memory
 *   vmsim-bench --reclaim    TLB shootdowns of a reclaim-heavy run
 *   vmsim-bench --luf [--csv] [--quick]  lazy unmap flush off and on: shootdown
 *                            IPIs of reclaim- and migration-heavy runs, 4/16/64 CPUs
 *   vmsim-bench --share      page tables and faults of N processes mapping a
 *                            1 GiB DAX or hugetlb file, PMD sharing off/on
 *   vmsim-bench --thp        THP fault cost per 2 MiB, simulator and host
 *
 * The swap workloads (pageout, swapin) need a swap device on the host for
 * their kernel column (none: "-"), and skip sizes above 32768 pages.
 *
 * Only the operation is timed (CLOCK_MONOTONIC); set-up and tear-down of
 * each repetition are not.  The simulator runs with check=off, data=off
 * (rows NAME) and with check=basic, data=off (rows NAME_check).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <vmsim/vmsim.h>

#define PG		4096ULL
#define BASE		0x100000000ULL	/* where the simulated mappings go */
#define MAX_REPS	64
#define MAX_SIZES	8

static void die(const char *what, long err)
{
	fprintf(stderr, "vmsim-bench: %s failed: %ld (%s)\n", what, err,
		err < 0 ? vmsim_strerror((int)err) : strerror(errno));
	exit(1);
}

#define CK(expr)                                                      \
	do {                                                          \
		long ck_ = (long)(expr);                              \
		if (ck_)                                              \
			die(#expr, ck_);                              \
	} while (0)

/* --cpu-time: the process's CPU time instead of the wall clock, on both
 * sides (a fault's or a syscall's kernel work is the process's system
 * time; the COW child times itself), so that on a shared machine the
 * other processes' turns are not counted. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---------------------------------------------------------------- */
/* Simulator side                                                    */

struct sim {
	struct vmsim *vm;
	struct vmsim_mm *mm;
};

static void sim_new_swap(struct sim *s, unsigned long pages, const char *check, const char *data, bool swap)
{
	struct vmsim_config cfg;
	char ram[32];

	vmsim_config_init(&cfg);
	/* Room for a parent's pages, a child's COW copies and page tables. */
	snprintf(ram, sizeof(ram), "%lluM", (pages * PG * 2 + (64ULL << 20)) >> 20);
	CK(vmsim_config_set(&cfg, "ram", ram));
	if (swap) {
		snprintf(ram, sizeof(ram), "%lluM", (pages * PG + (1ULL << 20)) >> 20);
		CK(vmsim_config_set(&cfg, "swap", ram));
	}
	CK(vmsim_config_set(&cfg, "check", check));
	CK(vmsim_config_set(&cfg, "data", data));
	CK(vmsim_new(&cfg, &s->vm));
	CK(vmsim_mm_new(s->vm, &s->mm));
}

static void sim_new(struct sim *s, unsigned long pages, const char *check, const char *data)
{
	sim_new_swap(s, pages, check, data, false);
}

static void sim_free(struct sim *s)
{
	if (s->mm)
		vmsim_mm_exit(s->mm);
	vmsim_free(s->vm);
	s->vm = NULL;
	s->mm = NULL;
}

static void sim_map_anon(struct vmsim_mm *mm, unsigned long pages)
{
	CK(vmsim_mmap(mm, BASE, pages * PG, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		      VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0));
}

static void sim_touch(struct vmsim_mm *mm, unsigned long pages)
{
	unsigned char b = 1;

	for (unsigned long i = 0; i < pages; i++)
		CK(vmsim_access(mm, -1, BASE + i * PG, &b, 1, true, NULL));
}

static double sim_anon_fault(unsigned long pages, const char *check)
{
	struct sim s;
	double t0, t1;

	sim_new(&s, pages, check, "off");
	sim_map_anon(s.mm, pages);
	t0 = now_ns();
	sim_touch(s.mm, pages);
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

static double sim_fork(unsigned long pages, const char *check)
{
	struct vmsim_mm *child;
	struct sim s;
	double t0, t1;

	sim_new(&s, pages, check, "off");
	sim_map_anon(s.mm, pages);
	sim_touch(s.mm, pages);
	t0 = now_ns();
	CK(vmsim_fork(s.mm, &child));
	t1 = now_ns();
	vmsim_mm_exit(child);
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

static double sim_cow_fault(unsigned long pages, const char *check)
{
	struct vmsim_mm *child;
	struct sim s;
	double t0, t1;

	sim_new(&s, pages, check, "off");
	sim_map_anon(s.mm, pages);
	sim_touch(s.mm, pages);
	CK(vmsim_fork(s.mm, &child));
	t0 = now_ns();
	sim_touch(child, pages);
	t1 = now_ns();
	vmsim_mm_exit(child);
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

static double sim_mprotect(unsigned long pages, const char *check)
{
	struct sim s;
	double t0, t1;

	sim_new(&s, pages, check, "off");
	sim_map_anon(s.mm, pages);
	sim_touch(s.mm, pages);
	t0 = now_ns();
	CK(vmsim_mprotect(s.mm, BASE, pages * PG, VMSIM_PROT_READ));
	CK(vmsim_mprotect(s.mm, BASE, pages * PG, VMSIM_PROT_READ | VMSIM_PROT_WRITE));
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

/* UFFDIO_WRITEPROTECT on and off over a touched, registered range. */
static double sim_uffd_wp(unsigned long pages, const char *check)
{
	struct vmsim_uffd *u;
	struct sim s;
	double t0, t1;

	sim_new(&s, pages, check, "off");
	sim_map_anon(s.mm, pages);
	sim_touch(s.mm, pages);
	CK(vmsim_uffd_open(s.mm, 0, &u));
	CK(vmsim_uffd_register(u, BASE, pages * PG, UFFDIO_REGISTER_MODE_WP));
	t0 = now_ns();
	CK(vmsim_uffd_writeprotect(u, BASE, pages * PG, true));
	CK(vmsim_uffd_writeprotect(u, BASE, pages * PG, false));
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

static double sim_munmap(unsigned long pages, const char *check)
{
	struct sim s;
	double t0, t1;

	sim_new(&s, pages, check, "off");
	sim_map_anon(s.mm, pages);
	sim_touch(s.mm, pages);
	t0 = now_ns();
	CK(vmsim_munmap(s.mm, BASE, pages * PG));
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

static double sim_shmem_read_fault(unsigned long pages, const char *check)
{
	static unsigned char buf[1 << 20];
	struct vmsim_file *f;
	unsigned char b;
	struct sim s;
	double t0, t1;
	uint64_t len = pages * PG;

	memset(buf, 0x5a, sizeof(buf));
	sim_new(&s, pages, check, "off");
	CK(vmsim_file_new(s.vm, "bench", VMSIM_FILE_SHMEM, len, &f));
	for (uint64_t off = 0; off < len; off += sizeof(buf)) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);

		if (vmsim_file_write(f, off, buf, n) != (long)n)
			die("vmsim_file_write", -EIO);
	}
	CK(vmsim_mmap(s.mm, BASE, len, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0));
	t0 = now_ns();
	for (unsigned long i = 0; i < pages; i++)
		CK(vmsim_access(s.mm, -1, BASE + i * PG, &b, 1, false, NULL));
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

/* ns per access: 16 * pages one-byte reads of one page already in the TLB. */
static double sim_tlb_hit_read(unsigned long pages, const char *check)
{
	unsigned long n = pages * 16;
	unsigned char b = 1;
	struct sim s;
	double t0, t1;

	sim_new(&s, 1, check, "off");
	sim_map_anon(s.mm, 1);
	sim_touch(s.mm, 1);
	CK(vmsim_access(s.mm, -1, BASE, &b, 1, false, NULL));
	t0 = now_ns();
	for (unsigned long i = 0; i < n; i++)
		CK(vmsim_access(s.mm, -1, BASE, &b, 1, false, NULL));
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)n;
}

/* ns per access: 16 * pages one-byte loads of one page already in the
 * TLB, through vmsim_access_many() in batches of 4096 requests. */
static double sim_access_many(unsigned long pages, const char *check)
{
	static struct vmsim_access_req q[4096];
	unsigned long n = pages * 16, done = 0;
	unsigned char b = 1;
	struct sim s;
	double t0, t1;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		q[i] = (struct vmsim_access_req){ .addr = BASE + (i & 63), .size = 1, .kind = VMSIM_ACC_LOAD,
						  .cpu = -1 };
	sim_new(&s, 1, check, "off");
	sim_map_anon(s.mm, 1);
	sim_touch(s.mm, 1);
	CK(vmsim_access(s.mm, -1, BASE, &b, 1, false, NULL));
	t0 = now_ns();
	while (done < n) {
		size_t k = n - done < 4096 ? (size_t)(n - done) : 4096;
		int res;

		if (vmsim_access_many(s.mm, q, k, &res) != (long)k)
			die("vmsim_access_many", res);
		done += k;
	}
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)n;
}

/* MADV_PAGEOUT of touched private anonymous memory, swap on: every page
 * gets a slot and is written (the simulator's writes end at once). */
static double sim_pageout(unsigned long pages, const char *check)
{
	struct sim s;
	double t0, t1;

	sim_new_swap(&s, pages, check, "off", true);
	sim_map_anon(s.mm, pages);
	sim_touch(s.mm, pages);
	t0 = now_ns();
	CK(vmsim_madvise(s.mm, BASE, pages * PG, VMSIM_MADV_PAGEOUT));
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

/* Swap-in from the device: paged out, faulted back from the swap cache,
 * paged out again (clean: the folios go, no write), then each page read,
 * with VMA readahead. */
static double sim_swapin(unsigned long pages, const char *check)
{
	unsigned char b;
	struct sim s;
	double t0, t1;

	sim_new_swap(&s, pages, check, "off", true);
	sim_map_anon(s.mm, pages);
	sim_touch(s.mm, pages);
	CK(vmsim_madvise(s.mm, BASE, pages * PG, VMSIM_MADV_PAGEOUT));
	for (unsigned long i = 0; i < pages; i++)
		CK(vmsim_access(s.mm, -1, BASE + i * PG, &b, 1, false, NULL));
	CK(vmsim_madvise(s.mm, BASE, pages * PG, VMSIM_MADV_PAGEOUT));
	t0 = now_ns();
	for (unsigned long i = 0; i < pages; i++)
		CK(vmsim_access(s.mm, -1, BASE + i * PG, &b, 1, false, NULL));
	t1 = now_ns();
	sim_free(&s);
	return (t1 - t0) / (double)pages;
}

/* ---------------------------------------------------------------- */
/* Kernel side (this machine, THP disabled for the process)          */

static unsigned char *k_map(unsigned long pages)
{
	void *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap", 0);
	return p;
}

static void k_touch(unsigned char *p, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		((volatile unsigned char *)p)[i * PG] = 1;
}

static double k_anon_fault(unsigned long pages)
{
	unsigned char *p = k_map(pages);
	double t0, t1;

	t0 = now_ns();
	k_touch(p, pages);
	t1 = now_ns();
	munmap(p, pages * PG);
	return (t1 - t0) / (double)pages;
}

static void k_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("child", 0);
}

static double k_fork(unsigned long pages)
{
	unsigned char *p = k_map(pages);
	double t0, t1;
	pid_t pid;

	k_touch(p, pages);
	t0 = now_ns();
	pid = fork();
	if (pid == 0)
		_exit(0);
	t1 = now_ns();
	if (pid < 0)
		die("fork", 0);
	k_wait(pid);
	munmap(p, pages * PG);
	return (t1 - t0) / (double)pages;
}

static double k_cow_fault(unsigned long pages)
{
	unsigned char *p = k_map(pages);
	double t;
	int fd[2];
	pid_t pid;

	k_touch(p, pages);
	if (pipe(fd))
		die("pipe", 0);
	pid = fork();
	if (pid < 0)
		die("fork", 0);
	if (pid == 0) {
		double t0 = now_ns();

		k_touch(p, pages);
		t = now_ns() - t0;
		_exit(write(fd[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	if (read(fd[0], &t, sizeof(t)) != sizeof(t))
		die("read from child", 0);
	k_wait(pid);
	close(fd[0]);
	close(fd[1]);
	munmap(p, pages * PG);
	return t / (double)pages;
}

static double k_mprotect(unsigned long pages)
{
	unsigned char *p = k_map(pages);
	double t0, t1;

	k_touch(p, pages);
	t0 = now_ns();
	if (mprotect(p, pages * PG, PROT_READ) || mprotect(p, pages * PG, PROT_READ | PROT_WRITE))
		die("mprotect", 0);
	t1 = now_ns();
	munmap(p, pages * PG);
	return (t1 - t0) / (double)pages;
}

/* bench/kernel_uffd.c: apart, because <linux/userfaultfd.h> and
 * <vmsim/userfaultfd.h> use the same names. */
double k_uffd_wp(unsigned long pages);

static double k_munmap(unsigned long pages)
{
	unsigned char *p = k_map(pages);
	double t0, t1;

	k_touch(p, pages);
	t0 = now_ns();
	if (munmap(p, pages * PG))
		die("munmap", 0);
	t1 = now_ns();
	return (t1 - t0) / (double)pages;
}

static double k_shmem_read_fault(unsigned long pages)
{
	static unsigned char buf[1 << 20];
	uint64_t len = pages * PG;
	volatile unsigned char *p;
	unsigned sum = 0;
	double t0, t1;
	int fd;

	memset(buf, 0x5a, sizeof(buf));
	fd = memfd_create("vmsim-bench", 0);
	if (fd < 0)
		die("memfd_create", 0);
	for (uint64_t off = 0; off < len; off += sizeof(buf)) {
		size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);

		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			die("pwrite", 0);
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap memfd", 0);
	t0 = now_ns();
	for (unsigned long i = 0; i < pages; i++)
		sum += p[i * PG];
	t1 = now_ns();
	if (sum != 0x5a * pages)
		die("memfd contents", 0);
	munmap((void *)p, len);
	close(fd);
	return (t1 - t0) / (double)pages;
}

static bool host_has_swap(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;
}

/* Swap writes are asynchronous on the host: wait for nr_writeback to
 * drain, so the time covers what the simulator's synchronous writes do. */
static void k_wait_writeback(void)
{
	for (int i = 0; i < 100000; i++) {
		FILE *f = fopen("/proc/vmstat", "r");
		char line[128];
		long n = 0;

		if (!f)
			return;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "nr_writeback %ld", &n) == 1)
				break;
		fclose(f);
		if (!n)
			return;
		usleep(100);
	}
}

static double k_pageout(unsigned long pages)
{
	unsigned char *p;
	double t0, t1;

	if (!host_has_swap())
		return 0;
	p = k_map(pages);
	k_touch(p, pages);
	t0 = now_ns();
	if (madvise(p, pages * PG, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)", 0);
	k_wait_writeback();
	t1 = now_ns();
	munmap(p, pages * PG);
	return (t1 - t0) / (double)pages;
}

static double k_swapin(unsigned long pages)
{
	volatile unsigned char *p;
	unsigned sum = 0;
	double t0, t1;

	if (!host_has_swap())
		return 0;
	p = k_map(pages);
	k_touch((unsigned char *)p, pages);
	if (madvise((void *)p, pages * PG, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)", 0);
	k_wait_writeback();
	for (unsigned long i = 0; i < pages; i++)
		sum += p[i * PG];
	if (madvise((void *)p, pages * PG, MADV_PAGEOUT))
		die("madvise(MADV_PAGEOUT)", 0);
	k_wait_writeback();
	t0 = now_ns();
	for (unsigned long i = 0; i < pages; i++)
		sum += p[i * PG];
	t1 = now_ns();
	if (sum != 2 * pages)
		die("swapped-in contents", 0);
	munmap((void *)p, pages * PG);
	return (t1 - t0) / (double)pages;
}

/* ---------------------------------------------------------------- */
/* The table                                                         */

struct workload {
	const char *name;
	double (*sim)(unsigned long pages, const char *check);
	double (*kernel)(unsigned long pages);
	unsigned long max_pages;	/* larger sizes are skipped (0: none) */
};

static const struct workload workloads[] = {
	{ "anon_fault", sim_anon_fault, k_anon_fault, 0 },
	{ "fork", sim_fork, k_fork, 0 },
	{ "cow_fault", sim_cow_fault, k_cow_fault, 0 },
	{ "mprotect", sim_mprotect, k_mprotect, 0 },
	{ "munmap", sim_munmap, k_munmap, 0 },
	{ "shmem_read_fault", sim_shmem_read_fault, k_shmem_read_fault, 0 },
	{ "uffd_wp", sim_uffd_wp, k_uffd_wp, 0 },
	{ "tlb_hit_read", sim_tlb_hit_read, NULL, 0 },
	{ "access_many", sim_access_many, NULL, 0 },
	{ "pageout", sim_pageout, k_pageout, 32768 },
	{ "swapin", sim_swapin, k_swapin, 32768 },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct opts {
	bool csv, quick;
	bool sim_only;		/* --sim-only: check=off simulator rows only (for profiling) */
	int reps;
	FILE *csv_file;		/* --csv-file: CSV there too, table on stdout */
	unsigned long sizes[MAX_SIZES];
	int nr_sizes;
	const char *only;
};

static void csv_row(FILE *f, const char *full, unsigned long pages, double sim, double kernel)
{
	fprintf(f, "%s,%lu,%.2f,", full, pages, sim);
	if (kernel > 0)
		fprintf(f, "%.2f,%.4f\n", kernel, sim / kernel);
	else
		fprintf(f, ",\n");
	fflush(f);
}

static void row(const struct opts *o, const char *name, const char *suffix, unsigned long pages,
		double sim, double kernel)
{
	char full[64];

	snprintf(full, sizeof(full), "%s%s", name, suffix);
	if (o->csv_file)
		csv_row(o->csv_file, full, pages, sim, kernel);
	if (o->csv) {
		csv_row(stdout, full, pages, sim, kernel);
		return;
	}
	printf("%-24s %8lu %14.1f", full, pages, sim);
	if (kernel > 0)
		printf(" %16.1f %10.4f\n", kernel, sim / kernel);
	else
		printf(" %16s %10s\n", "-", "-");
	fflush(stdout);
}

static void run_workload(const struct opts *o, const struct workload *w)
{
	for (int si = 0; si < o->nr_sizes; si++) {
		unsigned long pages = o->sizes[si];
		double s[MAX_REPS], k[MAX_REPS], c[MAX_REPS], km = 0;

		if (w->max_pages && pages > w->max_pages)
			continue;

		/* Alternate: simulator, kernel, simulator with checks.  Outside
		 * --quick, one warm-up repetition first, not counted: the first
		 * touch of guest memory in a VM costs the kernel side several
		 * times its steady-state fault cost. */
		for (int r = o->quick ? 0 : -1; r < o->reps; r++) {
			double sv, kv = 0, cv = 0;

			sv = w->sim(pages, "off");
			if (!o->sim_only) {
				if (w->kernel)
					kv = w->kernel(pages);
				cv = w->sim(pages, "basic");
			}
			if (r < 0)
				continue;
			s[r] = sv;
			k[r] = kv;
			c[r] = cv;
		}
		if (w->kernel && !o->sim_only && k[0] > 0)
			km = median(k, o->reps);
		row(o, w->name, "", pages, median(s, o->reps), km);
		if (!o->sim_only)
			row(o, w->name, "_check", pages, median(c, o->reps), km);
	}
}

/* ---------------------------------------------------------------- */
/* Memory: host bytes per mapped simulated page                      */

static void memory_report(const struct opts *o)
{
	FILE *out = o->csv ? stderr : stdout;
	struct vmsim_host_mem m0, m1;
	struct sim s;

	fprintf(out, "\nHost memory per mapped simulated page (anonymous, written once;"
		" deltas over the faults):\n");
	fprintf(out, "%-6s %8s %12s %12s %12s %12s\n", "data", "pages", "host B/page",
		"heap B/page", "arena alloc", "arena rss");
	for (int d = 0; d < 2; d++) {
		for (int si = 0; si < o->nr_sizes; si++) {
			unsigned long pages = o->sizes[si];
			double n = (double)pages;

			sim_new(&s, pages, "off", d ? "on" : "off");
			sim_map_anon(s.mm, pages);
			vmsim_host_bytes_detail(s.vm, &m0);
			sim_touch(s.mm, pages);
			vmsim_host_bytes_detail(s.vm, &m1);
			fprintf(out, "%-6s %8lu %12.1f %12.1f %12.1f %12.1f\n", d ? "on" : "off",
				pages,
				((double)(m1.heap_bytes + m1.frame_bytes + m1.memmap_bytes) -
				 (double)(m0.heap_bytes + m0.frame_bytes + m0.memmap_bytes)) / n,
				((double)m1.heap_bytes - (double)m0.heap_bytes) / n,
				((double)m1.arena_allocated - (double)m0.arena_allocated) / n,
				((double)m1.arena_resident - (double)m0.arena_resident) / n);
			sim_free(&s);
		}
	}

	fprintf(out, "\nFixed cost of an empty machine (one mm, nothing mapped):\n");
	fprintf(out, "%10s %14s %14s %14s %14s\n", "ram", "host bytes", "of which memmap",
		"arena alloc", "arena rss");
	for (int si = 0; si < o->nr_sizes; si++) {
		unsigned long pages = o->sizes[si];
		unsigned long frames;

		sim_new(&s, pages, "off", "off");
		vmsim_host_bytes_detail(s.vm, &m0);
		frames = vmsim_nr_frames(s.vm);
		fprintf(out, "%9luM %14zu %14zu %14zu %14zu\n", frames >> 8,
			vmsim_host_bytes(s.vm), m0.memmap_bytes,
			m0.arena_allocated, m0.arena_resident);
		sim_free(&s);
	}
	fprintf(out, "(sizeof(struct vmsim_page) = %zu bytes per simulated frame)\n",
		sizeof(struct vmsim_page));
}

/* ---------------------------------------------------------------- */
/* Scale: 16 GiB of simulated RAM, fully mapped, forked, torn down   */

static long maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int scale(uint64_t ram)
{
	struct vmsim_mm *mm, *child;
	struct vmsim_config cfg;
	struct vmsim *vm;
	unsigned long frames, pages;
	long rss0 = maxrss_kib();
	double t0, t1, t2, t3, t4, t5;
	char buf[32];

	vmsim_config_init(&cfg);
	snprintf(buf, sizeof(buf), "%lluM", (unsigned long long)(ram >> 20));
	CK(vmsim_config_set(&cfg, "ram", buf));
	CK(vmsim_config_set(&cfg, "check", "off"));
	CK(vmsim_config_set(&cfg, "data", "off"));
	t0 = now_ns();
	CK(vmsim_new(&cfg, &vm));
	CK(vmsim_mm_new(vm, &mm));
	frames = vmsim_nr_frames(vm);
	/* Every frame but the page tables of parent and child (one PTE table
	 * per 512 pages each, a few upper tables) and the zero page. */
	pages = frames - 2 * (frames / 512 + 64);
	t1 = now_ns();
	CK(vmsim_mmap(mm, BASE, pages * PG, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		      VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_POPULATE, NULL, 0));
	t2 = now_ns();
	CK(vmsim_fork(mm, &child));
	t3 = now_ns();
	printf("scale: %lu frames (%llu MiB simulated RAM), %lu pages mapped and written,"
	       " host bytes %zu\n", frames, (unsigned long long)(ram >> 20), pages,
	       vmsim_host_bytes(vm));
	vmsim_mm_exit(child);
	vmsim_mm_exit(mm);
	t4 = now_ns();
	vmsim_free(vm);
	t5 = now_ns();
	printf("scale: machine %.2f s, mmap+populate %.2f s, fork %.2f s, exit both %.2f s,"
	       " free %.2f s; total %.2f s\n", (t1 - t0) / 1e9, (t2 - t1) / 1e9,
	       (t3 - t2) / 1e9, (t4 - t3) / 1e9, (t5 - t4) / 1e9, (t5 - t0) / 1e9);
	printf("scale: peak RSS %.1f MiB (%.1f MiB before)\n", (double)maxrss_kib() / 1024,
	       (double)rss0 / 1024);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Empty machine: creation time and host memory of a large, idle machine */

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* vmsim_new() + one mm, reps times; medians of the time and of the
 * resident-set growth (RSS after minus before, the host's own count). */
static int empty_machine(uint64_t ram, int reps)
{
	double t[MAX_REPS], m[MAX_REPS];
	struct vmsim_config cfg;
	size_t host = 0;
	char buf[32];

	vmsim_config_init(&cfg);
	snprintf(buf, sizeof(buf), "%lluM", (unsigned long long)(ram >> 20));
	CK(vmsim_config_set(&cfg, "ram", buf));
	CK(vmsim_config_set(&cfg, "check", "off"));
	CK(vmsim_config_set(&cfg, "data", "off"));
	for (int r = 0; r < reps; r++) {
		struct vmsim_mm *mm;
		struct vmsim *vm;
		long rss0 = rss_kib();
		double t0 = now_ns();

		CK(vmsim_new(&cfg, &vm));
		CK(vmsim_mm_new(vm, &mm));
		t[r] = (now_ns() - t0) / 1e6;
		m[r] = (double)(rss_kib() - rss0) / 1024;
		host = vmsim_host_bytes(vm);
		vmsim_mm_exit(mm);
		vmsim_free(vm);
	}
	printf("empty machine: %llu MiB simulated RAM, one mm: created in %.2f ms, RSS +%.2f MiB"
	       " (medians of %d), host bytes %zu\n", (unsigned long long)(ram >> 20), median(t, reps),
	       median(m, reps), reps, host);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Reclaim: the TLB shootdowns of a run under memory pressure        */

/* One process on 4 CPUs writes a region four times the RAM, twice over,
 * with swap on: direct reclaim unmaps pages other CPUs may cache, so its
 * flushes are batched (TTU_BATCH_FLUSH) and sent as IPIs.  Counts, not
 * times: the baseline lazy unmap flush (luf=on) is measured against. */
static int reclaim_report(unsigned long frames)
{
	struct vmsim_reclaim_stats st;
	struct vmsim_config cfg;
	struct vmsim_mm *mm;
	struct vmsim *vm;
	unsigned long pages = 4 * frames, ipis = 0, full = 0, page = 0;
	unsigned char b = 1;
	char buf[32];

	vmsim_config_init(&cfg);
	snprintf(buf, sizeof(buf), "%luK", frames * 4);
	CK(vmsim_config_set(&cfg, "ram", buf));
	snprintf(buf, sizeof(buf), "%luK", pages * 4 + 1024);
	CK(vmsim_config_set(&cfg, "swap", buf));
	CK(vmsim_config_set(&cfg, "check", "off"));
	CK(vmsim_config_set(&cfg, "data", "off"));
	CK(vmsim_new(&cfg, &vm));
	CK(vmsim_mm_new(vm, &mm));
	CK(vmsim_mmap(mm, BASE, pages * PG, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		      VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0));
	for (int pass = 0; pass < 2; pass++)
		for (unsigned long i = 0; i < pages; i++)
			CK(vmsim_access(mm, (int)(i % 4), BASE + i * PG, &b, 1, true, NULL));
	vmsim_reclaim_stats(vm, &st);
	for (unsigned cpu = 0; cpu < vmsim_nr_cpus(vm); cpu++) {
		struct vmsim_cpu_stats c;

		vmsim_cpu_stats(vm, (int)cpu, &c);
		ipis += c.ipis_sent;
		full += c.full_flushes;
		page += c.page_flushes;
	}
	printf("reclaim: %lu frames of RAM, %lu pages written twice on 4 CPUs (swap on)\n", frames, pages);
	printf("reclaim: %lu direct reclaims, %lu reclaimed, %lu swapped out, %lu swapped in\n", st.allocstall,
	       st.pgsteal, st.pswpout, st.pswpin);
	printf("reclaim: %lu TLB shootdown IPIs, %lu full and %lu single-page flushes, %lu batched flushes"
	       " (try_to_unmap_flush), %.3f IPIs per reclaimed page\n", ipis, full, page, st.tlb_batch_flushes,
	       st.pgsteal ? (double)ipis / (double)st.pgsteal : 0.0);
	vmsim_mm_exit(mm);
	vmsim_free(vm);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Huge pages: PMD table sharing, THP faults                          */

#define G1	(1ULL << 30)
#define M2	(2ULL << 20)

struct share_row {
	unsigned long faults;		/* every process's faults */
	unsigned long vmpte;		/* the processes' VmPTE, summed (KiB) */
	unsigned long tables;		/* page-table pages the machine holds */
	double ns;			/* time per process to touch its 1 GiB */
};

/* N processes each map the 1 GiB file (DAX or hugetlb) shared and touch
 * one byte per 2 MiB.  share: DAX with dax_pmd_share=on, hugetlb at a
 * 1 GiB-aligned address (off: 2 MiB past it, so no vma covers a whole PUD
 * range and nothing is shared; DAX with dax_pmd_share=off). */
static struct share_row share_run(bool dax, bool share, bool fragment, unsigned nproc)
{
	struct vmsim_mm *mm[64];
	struct vmsim_config cfg;
	struct vmsim_file *f;
	struct share_row r = { 0 };
	struct vmsim *vm;
	double t0, t1;
	unsigned char b = 1;

	vmsim_config_init(&cfg);
	CK(vmsim_config_set(&cfg, "check", "off"));
	CK(vmsim_config_set(&cfg, "data", "off"));
	if (dax) {
		CK(vmsim_config_set(&cfg, "ram", "256M"));
		CK(vmsim_config_set(&cfg, "pmem", "1026M"));
		CK(vmsim_config_set(&cfg, "dax_pmd_share", share ? "on" : "off"));
		if (fragment)
			CK(vmsim_config_set(&cfg, "dax_fragment", "1"));
	} else {
		CK(vmsim_config_set(&cfg, "ram", "1300M"));
		CK(vmsim_config_set(&cfg, "hugepages", "512"));
	}
	CK(vmsim_new(&cfg, &vm));
	CK(vmsim_file_new(vm, "F", dax ? VMSIM_FILE_DAX : VMSIM_FILE_HUGETLB, G1, &f));
	t0 = now_ns();
	for (unsigned i = 0; i < nproc; i++) {
		uint64_t base = 0x7f0000000000ULL - (uint64_t)i * 4 * G1 + (!dax && !share ? M2 : 0);

		CK(vmsim_mm_new(vm, &mm[i]));
		CK(vmsim_mm_run(mm[i], (int)(i % vmsim_nr_cpus(vm))));
		CK(vmsim_mmap(mm[i], base, G1, VMSIM_PROT_READ | VMSIM_PROT_WRITE, VMSIM_MAP_SHARED, f, 0));
		for (uint64_t a = 0; a < G1; a += fragment ? PG : M2)
			CK(vmsim_access(mm[i], -1, base + a, &b, 1, true, NULL));
	}
	t1 = now_ns();
	for (unsigned i = 0; i < nproc; i++) {
		struct vmsim_mm_stats st;

		vmsim_mm_stats(mm[i], &st);
		r.faults += st.faults;
		r.vmpte += st.pgtable_pages * 4;
	}
	r.tables = vmsim_nr_pgtable_pages(vm);
	r.ns = (t1 - t0) / nproc;
	for (unsigned i = 0; i < nproc; i++)
		vmsim_mm_exit(mm[i]);
	vmsim_free(vm);
	return r;
}

static int share_report(void)
{
	static const unsigned ns[] = { 1, 8, 64 };
	static const struct { const char *name; bool dax, share, fragment; } kinds[] = {
		{ "dax", true, false, false }, { "dax", true, true, false },
		{ "dax fragmented", true, true, true },
		{ "hugetlb", false, false, false }, { "hugetlb", false, true, false },
	};

	printf("N processes map the same 1 GiB file shared and write one byte per 2 MiB (per 4 KiB when\n"
	       "fragmented); page tables the machine holds, VmPTE summed over the processes, faults\n");
	printf("%-16s %-7s %4s %12s %12s %10s %14s\n", "file", "sharing", "N", "pgtable KiB", "VmPTE KiB",
	       "faults", "us/process");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			struct share_row r = share_run(kinds[k].dax, kinds[k].share, kinds[k].fragment, ns[i]);

			printf("%-16s %-7s %4u %12lu %12lu %10lu %14.1f\n", kinds[k].name,
			       kinds[k].share ? "on" : "off", ns[i], r.tables * 4, r.vmpte, r.faults, r.ns / 1000);
		}
	return 0;
}

/* THP faults: the first write to each 2 MiB of an advised range. */
static double sim_thp_fault(unsigned long thps)
{
	struct vmsim_config cfg;
	struct vmsim_mm *mm;
	struct vmsim *vm;
	unsigned char b = 1;
	char ram[32];
	double t0, t1;

	vmsim_config_init(&cfg);
	snprintf(ram, sizeof(ram), "%luM", thps * 2 + 64);
	CK(vmsim_config_set(&cfg, "ram", ram));
	CK(vmsim_config_set(&cfg, "thp", "madvise"));
	CK(vmsim_config_set(&cfg, "check", "off"));
	CK(vmsim_config_set(&cfg, "data", "off"));
	CK(vmsim_new(&cfg, &vm));
	CK(vmsim_mm_new(vm, &mm));
	CK(vmsim_mmap(mm, BASE, thps * M2, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		      VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0));
	CK(vmsim_madvise(mm, BASE, thps * M2, VMSIM_MADV_HUGEPAGE));
	t0 = now_ns();
	for (unsigned long i = 0; i < thps; i++)
		CK(vmsim_access(mm, -1, BASE + i * M2, &b, 1, true, NULL));
	t1 = now_ns();
	{
		struct vmsim_mm_stats st;

		vmsim_mm_stats(mm, &st);
		if (st.faults_thp != thps)
			die("simulator THP faults", (long)st.faults_thp);
	}
	vmsim_mm_exit(mm);
	vmsim_free(vm);
	return (t1 - t0) / (double)thps;
}

/* The host's: an aligned, advised range (the host in madvise or always
 * mode); AnonHugePages checked after. */
static double k_thp_fault(unsigned long thps)
{
	size_t len = thps * M2;
	unsigned char *raw = mmap(NULL, len + M2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;
	double t0, t1;
	unsigned long kib = 0;
	char line[256];
	FILE *f;

	if (raw == MAP_FAILED)
		die("mmap", errno);
	p = (unsigned char *)(((uintptr_t)raw + M2 - 1) & ~(uintptr_t)(M2 - 1));
	if (madvise(p, len, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)", errno);
	t0 = now_ns();
	for (unsigned long i = 0; i < thps; i++)
		p[i * M2] = 1;
	t1 = now_ns();
	f = fopen("/proc/self/smaps_rollup", "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "AnonHugePages: %lu kB", &kib);
	if (f)
		fclose(f);
	munmap(raw, len + M2);
	return kib >= thps * 2048 / 2 ? (t1 - t0) / (double)thps : -1;
}

static int thp_report(int reps)
{
	static const unsigned long sizes[] = { 16, 128 };

	printf("THP faults: the first write to each 2 MiB of an advised, aligned range (ns per 2 MiB;\n"
	       "-: the host made no THPs)\n");
	printf("%8s %14s %16s %10s\n", "THPs", "sim ns/2M", "kernel ns/2M", "ratio");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double s[MAX_REPS], k[MAX_REPS], sm, km;

		for (int r = -1; r < reps; r++) {
			double sv = sim_thp_fault(sizes[i]), kv = k_thp_fault(sizes[i]);

			if (r < 0)
				continue;
			s[r] = sv;
			k[r] = kv;
		}
		sm = median(s, reps);
		km = median(k, reps);
		if (km > 0)
			printf("%8lu %14.1f %16.1f %10.4f\n", sizes[i], sm, km, sm / km);
		else
			printf("%8lu %14.1f %16s %10s\n", sizes[i], sm, "-", "-");
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Lazy unmap flush: the same runs with luf=off and luf=on           */

/* Readers: each process a "multi-threaded" reader running on a group of
 * up to 4 CPUs in turn (so its mm is cached on several CPUs and reclaim's
 * flushes are shootdowns), reading a set of disk files twice the size of
 * RAM, read-only, page by page, twice over: direct reclaim evicts clean
 * page-cache pages mapped read-only, the folios LUF defers.  Migration:
 * the same readers over a file set half the size of RAM, and a sweep that
 * migrates every page of every mapping and reads it all again, four
 * times. */
struct luf_row {
	uint64_t ipis, flushes, stale;
	uint64_t deferred, folios, alloc_paid, alloc_done, points_paid;
	double ms;
};

#define LUF_RAM_FRAMES	4096UL		/* 16 MiB */
#define LUF_FILES	4

static void luf_run(const char *workload, unsigned cpus, bool luf, unsigned long ram_frames, struct luf_row *row)
{
	bool migrate = !strcmp(workload, "migrate");
	unsigned nproc = cpus / 4 ? cpus / 4 : 1;
	unsigned long file_pages = (migrate ? ram_frames / 2 : 2 * ram_frames) / LUF_FILES;
	struct vmsim_luf_stats st;
	struct vmsim_config cfg;
	struct vmsim_mm *mm[16];
	struct vmsim_file *f[LUF_FILES];
	struct vmsim *vm;
	char buf[32];
	unsigned char b;
	double t0;

	vmsim_config_init(&cfg);
	snprintf(buf, sizeof(buf), "%u", cpus);
	CK(vmsim_config_set(&cfg, "cpus", buf));
	snprintf(buf, sizeof(buf), "%luK", ram_frames * 4);
	CK(vmsim_config_set(&cfg, "ram", buf));
	CK(vmsim_config_set(&cfg, "check", "off"));
	CK(vmsim_config_set(&cfg, "luf", luf ? "on" : "off"));
	CK(vmsim_new(&cfg, &vm));
	for (unsigned i = 0; i < LUF_FILES; i++) {
		snprintf(buf, sizeof(buf), "f%u", i);
		CK(vmsim_file_new(vm, buf, VMSIM_FILE_DISK, file_pages * PG, &f[i]));
	}
	for (unsigned p = 0; p < nproc; p++) {
		CK(vmsim_mm_new(vm, &mm[p]));
		for (unsigned i = 0; i < LUF_FILES; i++)
			CK(vmsim_mmap(mm[p], BASE + i * (1ULL << 32), file_pages * PG, VMSIM_PROT_READ,
				      VMSIM_MAP_SHARED, f[i], 0));
	}
	t0 = now_ns();
	for (int pass = 0; pass < (migrate ? 5 : 2); pass++) {
		for (unsigned long pg = 0; pg < file_pages; pg++) {
			for (unsigned i = 0; i < LUF_FILES; i++) {
				for (unsigned p = 0; p < nproc; p++) {
					unsigned group = cpus < 4 ? cpus : 4;
					int cpu = (int)((p * group + (pg + i) % group) % cpus);

					CK(vmsim_access(mm[p], cpu, BASE + i * (1ULL << 32) + pg * PG, &b, 1, false,
							NULL));
				}
			}
		}
		if (!migrate || pass == 4)
			continue;
		/* The sweep, from each process's first CPU. */
		for (unsigned p = 0; p < nproc; p++) {
			CK(vmsim_mm_run(mm[p], (int)(p * (cpus < 4 ? cpus : 4) % cpus)));
			for (unsigned i = 0; i < LUF_FILES; i++) {
				int r = vmsim_migrate_range(mm[p], BASE + i * (1ULL << 32), file_pages * PG, NULL);

				if (r && r != -EBUSY)
					die("vmsim_migrate_range", r);
			}
		}
	}
	row->ms = (now_ns() - t0) / 1e6;
	vmsim_luf_stats(vm, &st);
	row->ipis = st.shootdown_ipis;
	row->stale = st.stale_reads;
	row->deferred = st.deferred;
	row->folios = st.luf_folios;
	row->alloc_paid = st.paid[VMSIM_LUF_PT_ALLOC];
	row->alloc_done = st.avoided[VMSIM_LUF_PT_ALLOC];
	row->points_paid = 0;
	for (int i = 0; i < VMSIM_LUF_NR_POINTS; i++)
		if (i != VMSIM_LUF_PT_ALLOC)
			row->points_paid += st.paid[i];
	row->flushes = 0;
	for (unsigned c = 0; c < cpus; c++) {
		struct vmsim_cpu_stats cs;

		vmsim_cpu_stats(vm, (int)c, &cs);
		row->flushes += cs.full_flushes + cs.page_flushes;
	}
	for (unsigned p = 0; p < nproc; p++)
		vmsim_mm_exit(mm[p]);
	vmsim_free(vm);
}

static int luf_report(bool csv, bool quick)
{
	static const char *const names[] = { "reclaim", "migrate" };
	static const unsigned cpus[] = { 4, 16, 64 };
	unsigned long ram = quick ? 256 : LUF_RAM_FRAMES;

	if (csv)
		printf("workload,cpus,luf,shootdown_ipis,tlb_flushes,stale_reads,sim_ms\n");
	else
		printf("%-8s %5s %4s %14s %12s %7s %9s %9s %9s %10s %10s %8s\n", "workload", "cpus", "luf",
		       "shootdown_ipis", "tlb_flushes", "stale", "sim_ms", "deferred", "owing", "alloc_paid",
		       "alloc_done", "pts_paid");
	for (size_t w = 0; w < 2; w++) {
		for (size_t c = 0; c < 3; c++) {
			struct luf_row off, on;

			luf_run(names[w], cpus[c], false, ram, &off);
			luf_run(names[w], cpus[c], true, ram, &on);
			for (int l = 0; l < 2; l++) {
				const struct luf_row *r = l ? &on : &off;

				if (csv)
					printf("%s,%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.1f\n", names[w], cpus[c],
					       l ? "on" : "off", r->ipis, r->flushes, r->stale, r->ms);
				else
					printf("%-8s %5u %4s %14" PRIu64 " %12" PRIu64 " %7" PRIu64 " %9.1f %9" PRIu64
					       " %9" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8" PRIu64 "\n", names[w], cpus[c],
					       l ? "on" : "off", r->ipis, r->flushes, r->stale, r->ms, r->deferred,
					       r->folios, r->alloc_paid, r->alloc_done, r->points_paid);
			}
			if (!csv)
				printf("%-8s %5u %4s %13.1f%% %11.1f%%\n", "", cpus[c], "on/off",
				       off.ipis ? 100.0 * ((double)on.ipis - (double)off.ipis) / (double)off.ipis : 0.0,
				       off.flushes ? 100.0 * ((double)on.flushes - (double)off.flushes) /
						     (double)off.flushes : 0.0);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: vmsim-bench [--quick] [--csv | --csv-file F] [--reps N] [--pages N[,N..]]\n"
		"                   [--only NAME] [--sim-only] [--cpu-time]\n"
		"       vmsim-bench --memory [--quick]\n"
		"       vmsim-bench --scale [--ram MiB]\n"
		"       vmsim-bench --empty [--ram MiB] [--reps N]\n"
		"       vmsim-bench --reclaim [--frames N]\n"
		"       vmsim-bench --luf [--csv] [--quick]\n"
		"       vmsim-bench --share\n"
		"       vmsim-bench --thp [--reps N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .reps = 5, .sizes = { 4096, 65536, 262144 }, .nr_sizes = 3 };
	bool memory = false, do_scale = false, do_reclaim = false, sizes_set = false, reps_set = false;
	bool do_empty = false, ram_set = false, do_luf = false;
	bool do_share = false, do_thp = false;
	unsigned long reclaim_frames = 4096;
	uint64_t scale_ram = 16ULL << 30;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--csv")) {
			o.csv = true;
		} else if (!strcmp(a, "--quick")) {
			o.quick = true;
		} else if (!strcmp(a, "--csv-file") && i + 1 < argc) {
			o.csv_file = fopen(argv[++i], "w");
			if (!o.csv_file)
				die("fopen --csv-file", 0);
		} else if (!strcmp(a, "--cpu-time")) {
			bench_clock = CLOCK_PROCESS_CPUTIME_ID;
		} else if (!strcmp(a, "--sim-only")) {
			o.sim_only = true;
		} else if (!strcmp(a, "--memory")) {
			memory = true;
		} else if (!strcmp(a, "--scale")) {
			do_scale = true;
		} else if (!strcmp(a, "--empty")) {
			do_empty = true;
		} else if (!strcmp(a, "--reclaim")) {
			do_reclaim = true;
		} else if (!strcmp(a, "--share")) {
			do_share = true;
		} else if (!strcmp(a, "--thp")) {
			do_thp = true;
		} else if (!strcmp(a, "--luf")) {
			do_luf = true;
		} else if (!strcmp(a, "--frames") && i + 1 < argc) {
			reclaim_frames = strtoul(argv[++i], NULL, 0);
			if (reclaim_frames < 256)
				usage();
		} else if (!strcmp(a, "--reps") && i + 1 < argc) {
			o.reps = atoi(argv[++i]);
			reps_set = true;
			if (o.reps < 1 || o.reps > MAX_REPS)
				usage();
		} else if (!strcmp(a, "--ram") && i + 1 < argc) {
			scale_ram = strtoull(argv[++i], NULL, 0) << 20;
			ram_set = true;
		} else if (!strcmp(a, "--only") && i + 1 < argc) {
			o.only = argv[++i];
		} else if (!strcmp(a, "--pages") && i + 1 < argc) {
			char *s = argv[++i], *end;

			o.nr_sizes = 0;
			sizes_set = true;
			while (*s && o.nr_sizes < MAX_SIZES) {
				o.sizes[o.nr_sizes++] = strtoul(s, &end, 0);
				if (end == s || !o.sizes[o.nr_sizes - 1])
					usage();
				s = *end == ',' ? end + 1 : end;
			}
		} else {
			usage();
		}
	}
	if (do_scale)
		return scale(scale_ram);
	if (do_empty)
		return empty_machine(ram_set ? scale_ram : 1ULL << 40, o.reps);
	if (do_reclaim)
		return reclaim_report(o.quick ? 256 : reclaim_frames);
	if (do_share)
		return share_report();
	if (do_thp)
		return thp_report(o.reps);
	if (do_luf)
		return luf_report(o.csv, o.quick);
	if (o.quick) {
		if (!reps_set)
			o.reps = 2;
		if (!sizes_set) {
			o.sizes[0] = 256;
			o.sizes[1] = 1024;
			o.nr_sizes = 2;
		}
	}
	if (memory) {
		memory_report(&o);
		return 0;
	}

	/* Kernel faults are 4K faults, like the simulator's (thp=never). */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("prctl(PR_SET_THP_DISABLE)", 0);

	if (o.csv_file)
		fprintf(o.csv_file, "workload,pages,sim_ns_per_page,kernel_ns_per_page,ratio\n");
	if (o.csv) {
		printf("workload,pages,sim_ns_per_page,kernel_ns_per_page,ratio\n");
	} else {
		printf("%d repetitions, medians; simulator check=off data=off (NAME) and"
		       " check=basic data=off (NAME_check)\n", o.reps);
		printf("%-24s %8s %14s %16s %10s\n", "workload", "pages", "sim ns/page",
		       "kernel ns/page", "ratio");
	}
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
		if (!o.only || !strcmp(o.only, workloads[i].name))
			run_workload(&o, &workloads[i]);
	if (!o.only && !o.sim_only)
		memory_report(&o);
	if (o.csv_file)
		fclose(o.csv_file);
	return 0;
}
