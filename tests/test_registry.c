/* The workload registry: every entry complete, lookups, defaults parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "core/options.h"
#include "core/registry.h"
#include "core/run.h"
#include "tests.h"

static void
test_entries_complete(void)
{
	size_t n = 0;

	for (const struct tvp_workload *const *p = tvp_workloads; *p != NULL;
	    p++, n++) {
		const struct tvp_workload *wl = *p;

		const char *defect = tvp_workload_defect(wl);

		CU_ASSERT_PTR_NULL(defect);
		if (defect != NULL)
			fprintf(stderr, "workload %s: %s\n", wl->name, defect);
		CU_ASSERT_PTR_NOT_NULL_FATAL(wl->name);
		CU_ASSERT(wl->name[0] != '\0');
		CU_ASSERT(wl->kind != NULL && wl->kind[0] != '\0');
		CU_ASSERT(wl->summary != NULL && wl->summary[0] != '\0');
	}
	CU_ASSERT(n >= 1);
}

static void
test_find(void)
{
	const struct tvp_workload *wl = tvp_workload_find("hash");

	CU_ASSERT_PTR_NOT_NULL_FATAL(wl);
	CU_ASSERT_STRING_EQUAL(wl->name, "hash");
	CU_ASSERT_PTR_NULL(tvp_workload_find("nope"));
	CU_ASSERT_PTR_NULL(tvp_workload_find(""));
	for (const struct tvp_workload *const *p = tvp_workloads; *p != NULL;
	    p++)
		CU_ASSERT_PTR_EQUAL(tvp_workload_find((*p)->name), *p);
}

static void
test_names_unique(void)
{
	for (const struct tvp_workload *const *p = tvp_workloads; *p != NULL;
	    p++)
		for (const struct tvp_workload *const *q = p + 1; *q != NULL;
		    q++)
			CU_ASSERT(strcmp((*p)->name, (*q)->name) != 0);
}

static void
test_defaults_and_quick(void)
{
	for (const struct tvp_workload *const *p = tvp_workloads; *p != NULL;
	    p++) {
		const struct tvp_workload *wl = *p;
		size_t n = tvp_opts_count(wl->opts);
		struct tvp_run run = { .nworkers = 1 };

		for (size_t i = 0; i < n; i++) {
			/* Option names are unique and have help. */
			CU_ASSERT(wl->opts[i].help != NULL &&
			    wl->opts[i].help[0] != '\0');
			for (size_t j = i + 1; j < n; j++)
				CU_ASSERT(strcmp(wl->opts[i].name,
				    wl->opts[j].name) != 0);
		}
		/* Defaults, then the quick sizes, as --quick applies them. */
		CU_ASSERT_EQUAL(tvp_run_init(&run, wl, true, 0, NULL), 0);
		for (size_t i = 0; i < n && run.opts != NULL; i++)
			CU_ASSERT_FALSE(run.opts[i].given);
		tvp_run_free(&run);
	}
}

/* A workload missing what the framework cannot supply is caught. */
static void
test_defects_caught(void)
{
	static const struct tvp_workload neither = { .name = "x",
	    .kind = "test", .summary = "s" };
	struct tvp_workload both = neither, work_only = neither;

	CU_ASSERT_PTR_NOT_NULL(tvp_workload_defect(&neither));
	both.item = tvp_workload_find("hash")->item;
	both.work = tvp_workload_find("counter")->work;
	CU_ASSERT_PTR_NOT_NULL(tvp_workload_defect(&both));
	work_only.work = both.work;
	CU_ASSERT_PTR_NOT_NULL(tvp_workload_defect(&work_only));
	work_only.verify = tvp_workload_find("counter")->verify;
	CU_ASSERT_PTR_NULL(tvp_workload_defect(&work_only));
}

CU_TestInfo tvp_registry_tests[] = {
	{ "every workload entry is complete", test_entries_complete },
	{ "tvp_workload_find", test_find },
	{ "workload names are unique", test_names_unique },
	{ "every workload's defaults and quick options parse",
	    test_defaults_and_quick },
	{ "an incomplete workload is named, not run",
	    test_defects_caught },
	CU_TEST_INFO_NULL,
};
