/* Machine-wide services every layer uses: the configuration getter, the
 * seeded random stream, host-memory accounting, errno names.  The
 * simulator's own frame (no Linux file). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"

const struct vmsim_config *vmsim_config(const struct vmsim *vm)
{
	if (!vm)
		return NULL;
	return &vm->cfg;
}

/* splitmix64: small, fast, and the same on every host. */
uint64_t vmsim_random(struct vmsim *vm)
{
	uint64_t z;

	if (!vm)
		return 0;
	z = (vm->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

size_t vmsim_host_bytes(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->heap_bytes + vm->frames_with_data * PAGE_SIZE + vm->memmap_bytes;
}

static const struct { int err; const char *name; const char *text; } errnos[] = {
	{ EPERM, "EPERM", "Operation not permitted" },
	{ ENOENT, "ENOENT", "No such file or directory" },
	{ EIO, "EIO", "Input/output error (simulator bug)" },
	{ EBADF, "EBADF", "Bad file descriptor" },
	{ EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
	{ ENOMEM, "ENOMEM", "Cannot allocate memory" },
	{ EFAULT, "EFAULT", "Bad address" },
	{ EBUSY, "EBUSY", "Device or resource busy" },
	{ EEXIST, "EEXIST", "File exists" },
	{ EINVAL, "EINVAL", "Invalid argument" },
	{ ENOSPC, "ENOSPC", "No space left on device" },
	{ ESRCH, "ESRCH", "No such process" },
	{ EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported" },
	{ EFBIG, "EFBIG", "File too large" },
	{ ENXIO, "ENXIO", "No such device or address" },
	{ ENODEV, "ENODEV", "No such device" },
	{ ESPIPE, "ESPIPE", "Illegal seek" },
	{ EOVERFLOW, "EOVERFLOW", "Value too large for defined data type" },
	{ EHWPOISON, "EHWPOISON", "Memory page has hardware error" },
};

const char *vmsim_errno_name(int err)
{
	if (err == INT_MIN)
		return "E?";
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return "E?";
}

const char *vmsim_strerror(int err)
{
	if (err == 0)
		return "Success";
	if (err == INT_MIN)
		return "Unknown error";
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].text;
	return "Unknown error";
}

int vmsim_errno_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return -errnos[i].err;
	return 0;
}
