/*
 * The Python twin (python/tvp.py) against the C programs: for the same
 * options, its threads and its processes give the C result bit for bit
 * and verify; its record has the C record's CSV columns and JSON keys;
 * its workloads take the C workloads' options; its bad input is one line
 * and exit 2.  It runs /usr/bin/python3, as the README says: a python3
 * first on PATH may not see Debian's python3-xxhash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tests.h"

#define PYTHON "/usr/bin/python3"
#define TWIN "python/tvp.py"
#define CACHE "/tmp/tvp-test-python-cache"
#define CACHE_PY "/tmp/tvp-test-python-cache-py"

/* Run a C program (path) or the twin (path NULL, mode "threads" ...). */
static int
run(const char *path, const char *mode, const char *workers,
    const char *format, const char *const *args, struct tvp_test_output *o)
{
	const char *words[40];
	size_t n = 0;

	if (path == NULL) {
		words[n++] = TWIN;
		words[n++] = "--mode";
		words[n++] = mode;
	}
	words[n++] = "-j";
	words[n++] = workers;
	words[n++] = "--format";
	words[n++] = format;
	for (size_t i = 0; args[i] != NULL && n < 39; i++)
		words[n++] = args[i];
	words[n] = NULL;
	return tvp_test_run_words(path != NULL ? path : PYTHON, words, NULL,
	    o);
}

/* Is the interpreter there, with xxhash?  Says what to do if not. */
static bool
python_ready(void)
{
	static const char *const words[] = { "-c", "import xxhash", NULL };
	struct tvp_test_output o;
	int rc = tvp_test_run_words(PYTHON, words, NULL, &o);

	if (rc != 0)
		fprintf(stderr, "\n%s cannot import xxhash (exit %d): %s"
		    "install python3 and python3-xxhash (make deps)\n", PYTHON,
		    rc, o.err);
	return rc == 0;
}

/* The field `name` of a CSV record, asserted present. */
static void
field(const struct tvp_test_output *o, const char *name, char *out,
    size_t len)
{
	bool there = tvp_test_csv_field(o->out, name, out, len);

	CU_ASSERT_TRUE(there);
	if (!there) {
		out[0] = '\0';
		fprintf(stderr, "no %s in: %s%s\n", name, o->out, o->err);
	}
}

/*
 * One option set at 1 and 3 workers: the C programs of both modes, then
 * the twin in both modes, all verified with the C result.  For counter
 * --share no the modes differ by design: each side is compared with the
 * C program of its own mode.
 */
static void
same_result(const char *const *args, bool by_mode)
{
	static const char *const modes[] = { "threads", "processes" };
	static const char *const workers[] = { "1", "3" };
	char want[2][200], got[200], verdict[32], mode[32];
	struct tvp_test_output o;

	for (int j = 0; j < 2; j++) {
		for (int m = 0; m < 2; m++) {
			char path[128];

			snprintf(path, sizeof(path), "%s/tvp-%s", TVP_BINDIR,
			    modes[m]);
			CU_ASSERT_EQUAL(run(path, NULL, workers[j], "csv", args,
			    &o), 0);
			field(&o, "result", want[m], sizeof(want[m]));
		}
		if (!by_mode)
			CU_ASSERT_STRING_EQUAL(want[0], want[1]);
		for (int m = 0; m < 2; m++) {
			int rc = run(NULL, modes[m], workers[j], "csv", args,
			    &o);

			CU_ASSERT_EQUAL(rc, 0);
			field(&o, "result", got, sizeof(got));
			field(&o, "verdict", verdict, sizeof(verdict));
			field(&o, "mode", mode, sizeof(mode));
			CU_ASSERT_STRING_EQUAL(got, want[m]);
			CU_ASSERT_STRING_EQUAL(verdict, "verified");
			CU_ASSERT(strcmp(mode, modes[m]) != 0 &&
			    strstr(mode, modes[m]) != NULL);
			if (rc != 0 || strcmp(got, want[m]) != 0)
				fprintf(stderr, "\npython %s -j %s %s ...: exit "
				    "%d, result %s, C %s\n%s", modes[m],
				    workers[j], args[0], rc, got, want[m],
				    o.err);
		}
	}
}

static void
test_python_hash(void)
{
	static const char *const dflt[] = { "hash", "--blocks", "6",
	    "--rounds", "40", NULL };
	static const char *const small[] = { "hash", "--blocks", "5",
	    "--block-size", "1000", "--rounds", "3", "--seed", "7", "--algo",
	    "sha512", NULL };
	/* A digest of 32 bytes, chained: the GIL lesson's shape. */
	static const char *const tiny[] = { "hash", "--blocks", "4",
	    "--block-size", "32", "--rounds", "100", "--algo", "md5", NULL };
	/* An algorithm with no independent reference on either side. */
	static const char *const sha3[] = { "hash", "--blocks", "3",
	    "--block-size", "100", "--rounds", "2", "--algo", "sha3-256",
	    NULL };
	/* The input on small pages, then on huge ones over 2 MiB. */
	static const char *const small_pages[] = { "hash", "--blocks", "5",
	    "--rounds", "3", "--pages", "small", NULL };
	static const char *const huge_pages[] = { "hash", "--blocks", "9",
	    "--block-size", "512K", "--rounds", "1", "--pages", "huge", NULL };

	CU_ASSERT_TRUE_FATAL(python_ready());
	same_result(dflt, false);
	same_result(small, false);
	same_result(tiny, false);
	same_result(sha3, false);
	same_result(small_pages, false);
	same_result(huge_pages, false);
}

static void
test_python_fileread(void)
{
	/* One dataset, made by the C program (first to need it), read by all. */
	static const char *const gen[] = { "fileread", "--files", "10",
	    "--file-size", "3000", "--seed", "5", "--cache-dir", CACHE,
	    "--block-size", "1000", NULL };
	/* The same files with O_DIRECT, in reads of a page. */
	static const char *const direct[] = { "fileread", "--files", "10",
	    "--file-size", "3000", "--seed", "5", "--cache-dir", CACHE,
	    "--block-size", "4K", "--cache", "direct", NULL };
	/* A tree of files of odd sizes, read in path order. */
	static const char *const dir[] = { "fileread", "--dir", "common",
	    "--block-size", "4K", NULL };

	/* The same dataset, made by the twin this time. */
	static const char *const py_gen[] = { "fileread", "--files", "10",
	    "--file-size", "3000", "--seed", "5", "--cache-dir", CACHE_PY,
	    NULL };
	struct tvp_test_output o;
	char c_made[64], py_made[64];

	CU_ASSERT_TRUE_FATAL(python_ready());
	same_result(gen, false);
	/* Where the filesystem refuses O_DIRECT, both refuse alike. */
	if (run(TVP_BINDIR "/tvp-threads", NULL, "1", "csv", direct, &o) == 2) {
		CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "refuses O_DIRECT"));
		CU_ASSERT_EQUAL(run(NULL, "threads", "1", "csv", direct, &o), 2);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "refuses O_DIRECT"));
	} else {
		same_result(direct, false);
		/* The twin says it read directly, as the C does. */
		CU_ASSERT_EQUAL(run(NULL, "processes", "2", "csv", direct, &o),
		    0);
		CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "direct I/O: every "
		    "read(2) of 4096 bytes"));
	}
	same_result(dir, false);
	CU_ASSERT_EQUAL(run(TVP_BINDIR "/tvp-threads", NULL, "2", "csv", gen,
	    &o), 0);
	field(&o, "result", c_made, sizeof(c_made));
	CU_ASSERT_EQUAL(run(NULL, "threads", "2", "csv", py_gen, &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "generating 10 files"));
	CU_ASSERT_EQUAL(run(TVP_BINDIR "/tvp-threads", NULL, "2", "csv",
	    py_gen, &o), 0);
	field(&o, "result", py_made, sizeof(py_made));
	CU_ASSERT_STRING_EQUAL(py_made, c_made);
	tvp_test_rm_rf(CACHE);
	tvp_test_rm_rf(CACHE_PY);
}

static void
test_python_counter(void)
{
	static const char *const mutex[] = { "counter", "--increments",
	    "3000", NULL };
	static const char *const shareno[] = { "counter", "--increments",
	    "2000", "--share", "no", NULL };

	CU_ASSERT_TRUE_FATAL(python_ready());
	same_result(mutex, false);
	same_result(shareno, true);
}

/*
 * One reader for both: the twin's CSV header is the C header, and its
 * JSON has the C record's keys, line by line, in the same order.
 */
static void
test_python_record(void)
{
	static const char *const args[] = { "hash", "--blocks", "2",
	    "--rounds", "2", NULL };
	struct tvp_test_output c, py;
	const char *a, *b;
	char runtime[128];

	CU_ASSERT_TRUE_FATAL(python_ready());
	CU_ASSERT_EQUAL(run(TVP_BINDIR "/tvp-threads", NULL, "2", "csv", args,
	    &c), 0);
	CU_ASSERT_EQUAL(run(NULL, "processes", "2", "csv", args, &py), 0);
	CU_ASSERT_EQUAL(strcspn(c.out, "\n"), strcspn(py.out, "\n"));
	CU_ASSERT_EQUAL(strncmp(c.out, py.out, strcspn(c.out, "\n")), 0);
	/* Which Python ran, and whether it had the GIL. */
	field(&py, "runtime", runtime, sizeof(runtime));
	CU_ASSERT_PTR_NOT_NULL(strstr(runtime, "Python"));
	CU_ASSERT_PTR_NOT_NULL(strstr(runtime, "GIL"));

	CU_ASSERT_EQUAL(run(TVP_BINDIR "/tvp-threads", NULL, "2", "json",
	    args, &c), 0);
	CU_ASSERT_EQUAL(run(NULL, "threads", "2", "json", args, &py), 0);
	CU_ASSERT_EQUAL(tvp_test_count_lines(c.out),
	    tvp_test_count_lines(py.out));
	/* Each line's key, up to its colon: the shape, not the values. */
	for (a = c.out, b = py.out; *a != '\0' && *b != '\0';
	    a += strcspn(a, "\n") + 1, b += strcspn(b, "\n") + 1) {
		size_t ka = strcspn(a, ":\n"), kb = strcspn(b, ":\n");

		CU_ASSERT_EQUAL(ka, kb);
		CU_ASSERT_EQUAL(strncmp(a, b, ka), 0);
		if (ka != kb || strncmp(a, b, ka) != 0) {
			fprintf(stderr, "JSON differs: C '%.*s', Python "
			    "'%.*s'\n", (int)ka, a, (int)kb, b);
			break;
		}
		if (a[strcspn(a, "\n")] == '\0' || b[strcspn(b, "\n")] == '\0')
			break;
	}
}

/* The same options: `WORKLOAD --help` lists them alike, line by line. */
static void
test_python_options(void)
{
	static const char *const names[] = { "hash", "fileread", "counter" };

	CU_ASSERT_TRUE_FATAL(python_ready());
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *c_words[] = { names[i], "--help", NULL };
		const char *py_words[] = { TWIN, names[i], "--help", NULL };
		struct tvp_test_output c, py;
		const char *c_opts, *py_opts;

		CU_ASSERT_EQUAL(tvp_test_run_words(TVP_BINDIR "/tvp-threads",
		    c_words, NULL, &c), 0);
		CU_ASSERT_EQUAL(tvp_test_run_words(PYTHON, py_words, NULL,
		    &py), 0);
		/* After the summary line, which names the implementation. */
		c_opts = strstr(c.out, "Options:");
		py_opts = strstr(py.out, "Options:");
		CU_ASSERT_PTR_NOT_NULL_FATAL(c_opts);
		CU_ASSERT_PTR_NOT_NULL_FATAL(py_opts);
		CU_ASSERT_STRING_EQUAL(c_opts, py_opts);
	}
}

/* Bad input: one line, exit 2, and the C program's words where shared. */
static void
test_python_bad_input(void)
{
	static const struct tvp_test_bad bad[] = {
		{ { TWIN, "hash" }, 2, "no --mode given" },
		{ { TWIN, "--mode", "fibers", "hash" }, 2,
		    "unknown mode 'fibers'" },
		{ { TWIN, "--mode", "threads", "-j", "0", "hash" }, 2,
		    "value 0 is out of range for -j, allowed: 1 .. 4096" },
		{ { TWIN, "--mode", "threads", "nosuch" }, 2,
		    "unknown workload 'nosuch' (see --list)" },
		{ { TWIN, "--mode", "threads", "hash", "--blocks", "x" }, 2,
		    "value 'x' for hash --blocks is not a number" },
		{ { TWIN, "--mode", "threads", "hash", "--block-size", "2G" },
		    2, "value 2G is out of range for hash --block-size, "
		    "allowed: 1 .. 1G" },
		{ { TWIN, "--mode", "threads", "hash", "--algo", "nosuch" }, 2,
		    "hash: unknown digest 'nosuch' for --algo" },
		{ { TWIN, "--mode", "threads", "hash", "--bogus", "1" }, 2,
		    "hash: unknown option '--bogus' (see hash --help)" },
		{ { TWIN, "--mode", "threads", "counter", "--sync", "spin" }, 2,
		    "counter: --sync spin has no counterpart in Python" },
		{ { TWIN, "--mode", "threads", "counter", "--sync", "futex" },
		    2, "unknown value 'futex' for counter --sync, allowed: "
		    "none|mutex|spin|atomic" },
		{ { TWIN, "--mode", "processes", "fileread", "--dir",
		    "/nonexistent" }, 2,
		    "fileread: --dir /nonexistent: No such file or directory" },
		{ { NULL }, 0, NULL },
	};

	CU_ASSERT_TRUE_FATAL(python_ready());
	tvp_test_expect_table(PYTHON, bad);
}

/*
 * python/gen.py's fast generator (128-bit lanes of one big integer) is
 * the word-by-word one of its docstring, at sizes that cut a word short
 * and that cross its chunks, and gives gen.h's known answers.
 */
static void
test_python_gen(void)
{
	static const char *const words[] = { "-c",
	    "import sys; sys.path.insert(0, 'python'); import gen\n"
	    "for n in (0, 1, 7, 8, 9, 1003, 8 * gen.LANES + 3,"
	    " 16 * gen.LANES + 9):\n"
	    "    assert gen.block(7, 11, n) == gen.reference_block(7, 11, n), n\n"
	    "assert gen.block(1, 0, 16).hex() =="
	    " '72d7c2dd3080efbf47aaf282e42c555f'\n"
	    "assert gen.block(1, 5, 16).hex() =="
	    " '3a4b8577fb04c673b6276d01bb8408a5'\n", NULL };
	struct tvp_test_output o;
	int rc;

	CU_ASSERT_TRUE_FATAL(python_ready());
	rc = tvp_test_run_words(PYTHON, words, NULL, &o);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "%s", o.err);
}

CU_TestInfo tvp_python_tests[] = {
	{ "python gen: lanes equal the word-by-word generator",
	    test_python_gen },
	{ "python hash: the C result, threads and processes",
	    test_python_hash },
	{ "python fileread: the C result, threads and processes",
	    test_python_fileread },
	{ "python counter: the C result, threads and processes",
	    test_python_counter },
	{ "python record: the C CSV header and JSON keys", test_python_record },
	{ "python workloads take the C options", test_python_options },
	{ "python bad input: one line, exit 2", test_python_bad_input },
	CU_TEST_INFO_NULL,
};
