/* The workload registry: every entry complete, lookups, defaults parse. */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "options.h"
#include "registry.h"
#include "tests.h"

static void
test_entries_complete(void)
{
	size_t n = 0;

	for (const struct tvp_workload *const *p = tvp_workloads; *p != NULL;
	    p++, n++) {
		const struct tvp_workload *wl = *p;

		CU_ASSERT_PTR_NOT_NULL_FATAL(wl->name);
		CU_ASSERT(wl->name[0] != '\0');
		CU_ASSERT(wl->kind != NULL && wl->kind[0] != '\0');
		CU_ASSERT(wl->summary != NULL && wl->summary[0] != '\0');
		CU_ASSERT_PTR_NOT_NULL(wl->opts);
		CU_ASSERT_PTR_NOT_NULL(wl->setup);
		CU_ASSERT_PTR_NOT_NULL(wl->finish);
		CU_ASSERT_PTR_NOT_NULL(wl->verify);
		CU_ASSERT_PTR_NOT_NULL(wl->teardown);
		/* Exactly one of item and work. */
		CU_ASSERT((wl->item != NULL) != (wl->work != NULL));
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
		struct tvp_optval *vals = calloc(n + 1, sizeof(*vals));
		char **argv;
		int argc = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(vals);
		CU_ASSERT_EQUAL(tvp_opts_defaults(wl->opts, vals), 0);
		for (size_t i = 0; i < n; i++) {
			/* Option names are unique and have help. */
			CU_ASSERT(wl->opts[i].help != NULL &&
			    wl->opts[i].help[0] != '\0');
			for (size_t j = i + 1; j < n; j++)
				CU_ASSERT(strcmp(wl->opts[i].name,
				    wl->opts[j].name) != 0);
		}
		if (wl->quick != NULL) {
			argv = tvp_test_split(wl->quick, &argc);
			CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
			CU_ASSERT_EQUAL(tvp_opts_parse(wl->name, wl->opts,
			    vals, argc, argv), 0);
			tvp_test_argv_free(argv);
		}
		free(vals);
	}
}

CU_TestInfo tvp_registry_tests[] = {
	{ "every workload entry is complete", test_entries_complete },
	{ "tvp_workload_find", test_find },
	{ "workload names are unique", test_names_unique },
	{ "every workload's defaults and quick options parse",
	    test_defaults_and_quick },
	CU_TEST_INFO_NULL,
};
