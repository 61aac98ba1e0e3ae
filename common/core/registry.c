#include <string.h>

#include "core/registry.h"
#include "workloads/list.h"

#define DECLARE(name) extern const struct tvp_workload tvp_wl_##name;
#define ENTRY(name) &tvp_wl_##name,
TVP_WORKLOADS(DECLARE)

const struct tvp_workload *const tvp_workloads[] = {
	TVP_WORKLOADS(ENTRY)
	NULL
};

const struct tvp_workload *
tvp_workload_find(const char *name)
{
	for (size_t i = 0; tvp_workloads[i] != NULL; i++)
		if (strcmp(tvp_workloads[i]->name, name) == 0)
			return tvp_workloads[i];
	return NULL;
}

void
tvp_workload_list(FILE *fp)
{
	for (size_t i = 0; tvp_workloads[i] != NULL; i++)
		fprintf(fp, "%-12s %-5s %s\n", tvp_workloads[i]->name,
		    tvp_workloads[i]->kind, tvp_workloads[i]->summary);
}
