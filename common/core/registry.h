/* The list of every workload, and lookups in it. */
#ifndef TVP_REGISTRY_H
#define TVP_REGISTRY_H

#include <stdio.h>

#include "workload.h"

/* NULL-terminated, in the order --list prints them. */
extern const struct tvp_workload *const tvp_workloads[];

const struct tvp_workload *tvp_workload_find(const char *name);
void tvp_workload_list(FILE *fp);

#endif
