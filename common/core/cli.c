#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "core/execute.h"
#include "core/faults.h"
#include "core/record.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/signals.h"
#include "lib/escape.h"

#ifndef TVP_VERSION
#define TVP_VERSION "0.1"
#endif

#define MAX_WORKERS 4096
#define MAX_TIMEOUT_S 86400

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: %s [-j N] [--format text|csv|json] [--quick] WORKLOAD "
	    "[workload options]\n"
	    "       %s WORKLOAD --help\n"
	    "       %s --list | --help | --version\n"
	    "\nRuns WORKLOAD on N workers (%s; default 1) and prints one "
	    "record.\n"
	    "  -j, --workers N   workers, 1 .. %d\n"
	    "  --format F        text (default), csv or json\n"
	    "  --quick           the workload's small sizes (compare.sh "
	    "--quick);\n"
	    "                    options given after WORKLOAD still win\n"
	    "  --list            the workloads, their kind and summary\n"
	    "  --timeout S       end the run with exit 1 if its workers take "
	    "longer\n"
	    "                    than S seconds (1 .. %d)\n"
	    "  --fault KIND      inject a fault into one worker, halfway "
	    "through its\n"
	    "                    work: crash (SIGSEGV), kill (SIGKILL), exit "
	    "(status 1)\n"
	    "                    or hang\n"
	    "  --fault-worker K  which worker (default 0)\n"
	    "  --recover         processes: replace a dead worker and redo the "
	    "item it\n"
	    "                    held (workloads made of items); a thread's "
	    "crash ends\n"
	    "                    the whole program, so threads cannot\n"
	    "  --name-workers    processes: set each worker's title (ps shows "
	    "\"worker K\n"
	    "                    of N\"); off by default: it costs each child "
	    "page copies\n"
	    "  --no-footprint    skip the memory snapshot (pss_kb, uss_kb, "
	    "pte_kb and,\n"
	    "                    for processes, the workers' peak RSS are left "
	    "empty): each\n"
	    "                    process reads its /proc figures and waits for "
	    "the others,\n"
	    "                    in reap_s, a cost no raw program has\n"
	    "\nExit status: 0 ran and verified, 1 failed (including a result "
	    "that did not\nverify, a worker that died, a timeout), 2 bad "
	    "usage, 128+N ended by signal N\n(SIGINT, SIGTERM), after "
	    "stopping every worker.\n",
	    getprogname(), getprogname(), getprogname(), tvp_mode,
	    MAX_WORKERS, MAX_TIMEOUT_S);
}

/*
 * One line for what getopt_long refused: ch is ':' (value missing) or
 * '?', and arg the word it stopped at.  An unknown long option has
 * optopt 0; a known one given "=value" it does not take has its own.
 */
static void
bad_option(int ch, const char *arg)
{
	char name[TVP_ESCAPE_MAX], letter[2] = { (char)optopt, '\0' };

	tvp_escape_n(name, sizeof(name), arg, strcspn(arg, "="));
	if (ch == ':')
		warnx("option %s needs a value (see --help)", name);
	else if (strncmp(arg, "--", 2) != 0)
		warnx("unknown option '-%s' (see --help)", TVP_ESC(letter));
	else if (optopt != 0)
		warnx("option %s takes no value", name);
	else
		warnx("unknown option '%s' (see --help)", name);
}

static bool
wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int
tvp_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "fault", required_argument, NULL, 'F' },
		{ "fault-worker", required_argument, NULL, 'K' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, 'l' },
		{ "name-workers", no_argument, NULL, 'N' },
		{ "no-footprint", no_argument, NULL, 'M' },
		{ "quick", no_argument, NULL, 'q' },
		{ "recover", no_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "version", no_argument, NULL, 'V' },
		{ "workers", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	enum tvp_format format = TVP_FMT_TEXT;
	struct tvp_run run = { .nworkers = 1 };
	const struct tvp_workload *wl;
	struct tvp_record rec;
	bool quick = false;
	long long n;
	int ch, rc;

	/* From the start: a signal before the run ends it as one during. */
	tvp_signals_init();
	/*
	 * '+': stop at the workload name; what follows is the workload's.
	 * ':': getopt prints nothing; bad_option() says it in one line.
	 */
	while ((ch = getopt_long(argc, argv, "+:hj:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "text") == 0)
				format = TVP_FMT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				format = TVP_FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				format = TVP_FMT_JSON;
			else {
				warnx("unknown format '%s', allowed: "
				    "text|csv|json", TVP_ESC(optarg));
				return TVP_EXIT_USAGE;
			}
			break;
		case 'F':
			if (tvp_fault_parse(optarg, &run.fault.kind) != 0)
				return TVP_EXIT_USAGE;
			break;
		case 'K':
			if (tvp_parse_num("--fault-worker", optarg, 0,
			    MAX_WORKERS - 1, false, &n) != 0)
				return TVP_EXIT_USAGE;
			run.fault.worker = (unsigned)n;
			run.fault.worker_given = true;
			break;
		case 'R':
			run.fault.recover = true;
			break;
		case 'T':
			if (tvp_parse_num("--timeout", optarg, 1, MAX_TIMEOUT_S,
			    false, &n) != 0)
				return TVP_EXIT_USAGE;
			run.timeout_s = (double)n;
			break;
		case 'h':
			usage(stdout);
			printf("\nWorkloads:\n");
			tvp_workload_list(stdout);
			return TVP_EXIT_OK;
		case 'j':
			if (tvp_parse_num("-j", optarg, 1, MAX_WORKERS, false,
			    &n) != 0)
				return TVP_EXIT_USAGE;
			run.nworkers = (unsigned)n;
			break;
		case 'l':
			tvp_workload_list(stdout);
			return TVP_EXIT_OK;
		case 'N':
			run.name_workers = true;
			break;
		case 'M':
			run.no_footprint = true;
			break;
		case 'q':
			quick = true;
			break;
		case 'V':
			printf("%s (tvp) %s\n", getprogname(), TVP_VERSION);
			return TVP_EXIT_OK;
		default:
			bad_option(ch, argv[optind - 1]);
			return TVP_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		warnx("no workload given (see --list, or --help for the "
		    "usage)");
		return TVP_EXIT_USAGE;
	}
	if ((wl = tvp_workload_find(argv[0])) == NULL) {
		warnx("unknown workload '%s' (see --list)", TVP_ESC(argv[0]));
		return TVP_EXIT_USAGE;
	}
	run.wl = wl;
	if (tvp_fault_check(&run) != 0)
		return TVP_EXIT_USAGE;
	if (wants_help(argc - 1, argv + 1)) {
		printf("%s: %s (%s)\n\nOptions:\n", wl->name, wl->summary,
		    wl->kind);
		tvp_opts_help(stdout, wl->opts);
		return TVP_EXIT_OK;
	}
	if (tvp_run_init(&run, wl, quick, argc - 1, argv + 1) != 0)
		return TVP_EXIT_USAGE;
	rc = tvp_execute(&run, &rec);
	if (rc == TVP_EXIT_OK) {
		tvp_record_print(stdout, &rec, format);
		if (rec.verdict == TVP_VERDICT_FAILED) {
			warnx("%s: result did not verify%s%s", wl->name,
			    rec.note[0] ? ": " : "", TVP_ESC(rec.note));
			rc = TVP_EXIT_FAIL;
		}
	}
	tvp_run_free(&run);
	return rc;
}
