/*
 * Every test suite, one line each.  Adding a suite is its file, which
 * defines `CU_TestInfo tvp_NAME_tests[]`, and one line here.
 *
 * The scope says which test program runs it (test_main.c):
 *   EACH       both, each against its own runner: the same tests on
 *              threads and on processes
 *   ONCE       test-threads only: the suite does not depend on the mode
 *              (parsing, digests, the registry, compare.sh's own options)
 *   THREADS    test-threads only; test-processes reports it skipped
 *   PROCESSES  test-processes only; test-threads reports it skipped
 */
#ifndef TVP_SUITES_H
#define TVP_SUITES_H

#define TVP_SUITES(X)                  \
	X(digest, ONCE)                \
	X(xxh3, ONCE)                  \
	X(gen, ONCE)                   \
	X(options, ONCE)               \
	X(registry, ONCE)              \
	X(compare, ONCE)               \
	X(bench, ONCE)                 \
	X(run, EACH)                   \
	X(gate, EACH)                  \
	X(gate_processes, PROCESSES)   \
	X(record, EACH)                \
	X(memory, EACH)                \
	X(framework, EACH)             \
	X(fileread, EACH)              \
	X(faults, EACH)                \
	X(faults_processes, PROCESSES) \
	X(queue, EACH)                 \
	X(semaphore, EACH)             \
	X(lock, EACH)                  \
	X(lock_processes, PROCESSES)   \
	X(event, EACH)                 \
	X(counter, EACH)               \
	X(pingpong, EACH)              \
	X(spawn, EACH)                 \
	X(background, EACH)            \
	X(badinput, EACH)              \
	X(signals, EACH)               \
	X(python, ONCE)

#endif
