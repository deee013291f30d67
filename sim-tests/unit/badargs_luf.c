/* Bad-argument cases: luf.h (lazy unmap flush: statistics and what is
 * owed).  The fixture's machines run with luf=off, so only the arguments
 * are at stake: NULL, a CPU or a frame the machine lacks. */
#include "badargs.h"

void ba_cases_luf(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_luf_stats st;
	uint64_t u = 7, m = 7;

	(void)state;
	ERR("vmsim_luf_stats", -EINVAL, vmsim_luf_stats(NULL, &st));
	ERR("vmsim_luf_stats", -EINVAL, vmsim_luf_stats(vm, NULL));
	ERR("vmsim_luf_ugen_done", -EINVAL, vmsim_luf_ugen_done(NULL, 0, &u));
	ERR("vmsim_luf_ugen_done", -EINVAL, vmsim_luf_ugen_done(vm, -1, &u));
	ERR("vmsim_luf_ugen_done", -EINVAL, vmsim_luf_ugen_done(vm, (int)vmsim_nr_cpus(vm), &u));
	ERR("vmsim_luf_ugen_done", -EINVAL, vmsim_luf_ugen_done(vm, 0, NULL));
	ERR("vmsim_luf_page_owed", -EINVAL, vmsim_luf_page_owed(NULL, 0, &m, &u));
	ERR("vmsim_luf_page_owed", -EINVAL, vmsim_luf_page_owed(vm, vmsim_nr_frames(vm), &m, &u));
	ERR("vmsim_luf_page_owed", -EINVAL, vmsim_luf_page_owed(vm, ~0UL, &m, &u));
	ERR("vmsim_luf_mm_owed", -EINVAL, vmsim_luf_mm_owed(NULL, &m, &u));
	ERR("vmsim_luf_file_owed", -EINVAL, vmsim_luf_file_owed(NULL, &m, &u));
	assert_int_equal(u, 7);
	assert_int_equal(m, 7);
	/* Out of range: no name. */
	NUL("vmsim_luf_point_name", vmsim_luf_point_name(VMSIM_LUF_NR_POINTS));
	NUL("vmsim_luf_point_name", vmsim_luf_point_name((enum vmsim_luf_point)-1));
}
