// The public headers are valid C++ (extern "C", no C++ keywords) and live
// with the system headers that define the same page macros.
#include <sys/user.h>
#include <vmsim/vmsim.h>
#include <vmsim/script.h>

int main()
{
	struct vmsim *vm = nullptr;
	struct vmsim_config cfg;

	vmsim_config_init(&cfg);
	if (vmsim_new(&cfg, &vm))
		return 1;
	pte_t pte = pfn_pte(5, PAGE_READONLY);
	int rc = pte_pfn(pte) == 5 && PAGE_SIZE == 4096 ? 0 : 1;
	vmsim_free(vm);
	return rc;
}
