/* One run of one workload, from setup to a verified record. */
#ifndef TVP_EXECUTE_H
#define TVP_EXECUTE_H

#include "core/record.h"
#include "core/run.h"

/*
 * Run run->wl with run->opts on run->nworkers workers of this program's
 * mode and fill rec.  Returns a TVP_EXIT_* status; on TVP_EXIT_OK the
 * record is complete (rec->verdict may still be failed).  Everything the
 * run took is released whatever happens: the workload's state, its
 * shared regions, the control block.
 */
int tvp_execute(struct tvp_run *run, struct tvp_record *rec);

#endif
