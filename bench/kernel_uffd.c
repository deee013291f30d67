/* The kernel side of the uffd_wp workload: UFFDIO_WRITEPROTECT on and off
 * over a touched, registered anonymous range (fs/userfaultfd.c). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PG 4096ULL

double k_uffd_wp(unsigned long pages);

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

double k_uffd_wp(unsigned long pages)
{
	unsigned char *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_writeprotect wp;
	double t0, t1;
	int fd;

	if (p == MAP_FAILED)
		fail("mmap");
	for (unsigned long i = 0; i < pages; i++)
		p[i * PG] = 1;
	reg.range.start = (uint64_t)(uintptr_t)p;
	reg.range.len = pages * PG;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	wp.range = reg.range;
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg))
		fail("userfaultfd");
	t0 = now();
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp))
		fail("UFFDIO_WRITEPROTECT");
	wp.mode = 0;
	if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp))
		fail("UFFDIO_WRITEPROTECT");
	t1 = now();
	close(fd);
	munmap(p, pages * PG);
	return (t1 - t0) / (double)pages;
}
