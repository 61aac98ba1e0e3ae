/* One run of one workload, from setup to a verified record. */
#ifndef TVP_EXECUTE_H
#define TVP_EXECUTE_H

#include "record.h"
#include "workload.h"

/*
 * Run run->wl with run->opts on run->nworkers workers of this program's
 * mode and fill rec.  Returns a TVP_EXIT_* status; on TVP_EXIT_OK the
 * record is complete (rec->verified may still be false).  Everything the
 * run took is released whatever happens.
 */
int tvp_execute(struct tvp_run *run, struct tvp_record *rec);

#endif
