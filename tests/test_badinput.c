/*
 * Bad input, end to end: every option of this mode's program and of
 * compare.sh given words it must refuse, and the environment turned
 * against a run (unreadable files, files that change under it, a full or
 * read-only filesystem, no processes left to fork, Ctrl-C while the
 * dataset is made).  Each must end with one line naming the problem, exit
 * 2 for bad input or 1 for a failure at run time, and leave nothing
 * behind: no child process (the test is the programs' subreaper while
 * they run, so an orphan would come back to it), no /dev/shm/tvp-PID-*
 * entry, no .tmp-* directory in the cache.
 *
 * The tests run as root, which permission bits and RLIMIT_NPROC do not
 * stop, so those tests drop to nobody (65534) in the forked child before
 * exec.  Filesystems are mounted in a private mount namespace of this
 * test process; without the privilege for that, those tests say so and
 * pass.
 */
#define _GNU_SOURCE /* unshare, CLONE_NEWNS */
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "core/execute.h"
#include "core/registry.h"
#include "core/runner.h"
#include "core/signals.h"
#include "tests.h"


static const char *
prog(void)
{
	return tvp_test_program();
}

#define OOR "is out of range for "
#define NOTNUM " is not a number"

static const struct tvp_test_bad bad_run_options[] = {
	{ { "-j" }, 2, "option -j needs a value" },
	{ { "-j", "abc", "hash" }, 2, "value 'abc' for -j" NOTNUM },
	{ { "-j", "", "hash" }, 2, "value '' for -j" NOTNUM },
	{ { "-j", "-1", "hash" }, 2, OOR "-j, allowed: 1 .. 4096" },
	{ { "-j", "0", "hash" }, 2, OOR "-j, allowed: 1 .. 4096" },
	{ { "-j", "4097", "hash" }, 2, OOR "-j, allowed: 1 .. 4096" },
	{ { "-j", "99999999999999999999", "hash" }, 2, OOR "-j" },
	{ { "--workers=2x", "hash" }, 2, "value '2x' for -j" NOTNUM },
	{ { "--format" }, 2, "option --format needs a value" },
	{ { "--format", "xml", "hash" }, 2, "unknown format 'xml'" },
	{ { "--format=", "hash" }, 2, "unknown format ''" },
	{ { "--timeout" }, 2, "option --timeout needs a value" },
	{ { "--timeout", "0", "hash" }, 2, OOR "--timeout, allowed: 1 .. 86400" },
	{ { "--timeout", "-1", "hash" }, 2, OOR "--timeout" },
	{ { "--timeout", "1.5", "hash" }, 2, "value '1.5' for --timeout" NOTNUM },
	{ { "--timeout", "99999999999999999999", "hash" }, 2, OOR "--timeout" },
	{ { "--fault" }, 2, "option --fault needs a value" },
	{ { "--fault", "boom", "hash" }, 2, "unknown fault 'boom'" },
	{ { "--fault", "", "hash" }, 2, "unknown fault ''" },
	{ { "--fault-worker", "1", "hash" }, 2, "--fault-worker needs --fault" },
	{ { "--fault", "crash", "--fault-worker", "2", "-j", "2", "hash" }, 2,
	    "--fault-worker 2 is not a worker of this run, allowed: 0 .. 1" },
	{ { "--fault", "crash", "--fault-worker", "-1", "hash" }, 2,
	    OOR "--fault-worker" },
	{ { "--fault", "crash", "--fault-worker", "x", "hash" }, 2,
	    "value 'x' for --fault-worker" NOTNUM },
	{ { "--recover=yes", "hash" }, 2, "option --recover takes no value" },
	{ { "--quick=1", "hash" }, 2, "option --quick takes no value" },
	{ { "--bogus", "hash" }, 2, "unknown option '--bogus'" },
	{ { "-x", "hash" }, 2, "unknown option '-x'" },
	{ { "nosuch" }, 2, "unknown workload 'nosuch'" },
	{ { "" }, 2, "unknown workload ''" },
	/* Control characters are echoed escaped: still one line. */
	{ { "-j", "1\n2", "hash" }, 2, "value '1\\n2' for -j" NOTNUM },
	{ { "--format", "x\ny", "hash" }, 2, "unknown format 'x\\ny'" },
	{ { "--fault", "a\nb", "hash" }, 2, "unknown fault 'a\\nb'" },
	{ { "--bo\ngus", "hash" }, 2, "unknown option '--bo\\ngus'" },
	{ { "--bo\ngus=1", "hash" }, 2, "unknown option '--bo\\ngus'" },
	{ { "-\n", "hash" }, 2, "unknown option '-\\n'" },
	{ { "no\nsuch" }, 2, "unknown workload 'no\\nsuch'" },
	{ { "\x1b[2J\r" }, 2, "unknown workload '\\x1b[2J\\r'" },
	{ { "back\\slash" }, 2, "unknown workload 'back\\\\slash'" },
	{ { NULL }, 0, NULL },
};

static const struct tvp_test_bad bad_hash_options[] = {
	{ { "hash", "--blocks" }, 2, "option --blocks needs a value" },
	{ { "hash", "--blocks", "x" }, 2, "value 'x' for hash --blocks" NOTNUM },
	{ { "hash", "--blocks", "-5" }, 2, OOR "hash --blocks" },
	{ { "hash", "--blocks", "99999999999999999999" }, 2,
	    OOR "hash --blocks, allowed: 0 .. 16777216" },
	{ { "hash", "--blocks=1e3" }, 2, "value '1e3' for hash --blocks" NOTNUM },
	{ { "hash", "--block-size", "0" }, 2,
	    OOR "hash --block-size, allowed: 1 .. 1G" },
	{ { "hash", "--block-size", "2G" }, 2, OOR "hash --block-size" },
	{ { "hash", "--block-size", "-1K" }, 2, OOR "hash --block-size" },
	{ { "hash", "--block-size", "1X" }, 2,
	    "value '1X' for hash --block-size" NOTNUM },
	{ { "hash", "--rounds", "0" }, 2, OOR "hash --rounds" },
	{ { "hash", "--rounds", "x" }, 2, "value 'x' for hash --rounds" NOTNUM },
	{ { "hash", "--seed", "-1" }, 2, OOR "hash --seed" },
	{ { "hash", "--seed", "99999999999999999999" }, 2, OOR "hash --seed" },
	{ { "hash", "--algo", "nosuch" }, 2, "unknown digest 'nosuch'" },
	{ { "hash", "--algo", "" }, 2, "unknown digest ''" },
	{ { "hash", "--algo", "shake128" }, 2, "no fixed digest length" },
	/* A digest of no bytes: an empty result nothing could verify. */
	{ { "hash", "--algo", "null" }, 2,
	    "--algo null makes digests of 0 bytes" },
	/* 16 Mi x 1 GiB: refused before any of it is allocated. */
	{ { "hash", "--blocks", "16777216", "--block-size", "1G" }, 2,
	    "needs 18014399046352896 bytes" },
	{ { "hash", "--nosuch", "1" }, 2, "unknown option '--nosuch'" },
	{ { "hash", "extra" }, 2, "unexpected argument 'extra'" },
	{ { "hash", "--", "--blocks", "1" }, 2, "unexpected argument '--'" },
	{ { "hash", "--blocks", "1\n" }, 2,
	    "value '1\\n' for hash --blocks" NOTNUM },
	{ { "hash", "--block-size", "1\tK" }, 2,
	    "value '1\\tK' for hash --block-size" NOTNUM },
	{ { "hash", "--algo", "a\nb" }, 2, "unknown digest 'a\\nb'" },
	{ { "hash", "--no\nsuch", "1" }, 2, "unknown option '--no\\nsuch'" },
	{ { "hash", "ex\ntra" }, 2, "unexpected argument 'ex\\ntra'" },
	{ { NULL }, 0, NULL },
};

static const struct tvp_test_bad bad_fileread_options[] = {
	{ { "fileread", "--files", "0" }, 2,
	    OOR "fileread --files, allowed: 1 .. 1048576" },
	{ { "fileread", "--files", "-1" }, 2, OOR "fileread --files" },
	{ { "fileread", "--files", "x" }, 2, "value 'x' for fileread --files" NOTNUM },
	{ { "fileread", "--files", "99999999999999999999" }, 2,
	    OOR "fileread --files" },
	{ { "fileread", "--file-size", "-1" }, 2, OOR "fileread --file-size" },
	{ { "fileread", "--file-size", "2G" }, 2,
	    OOR "fileread --file-size, allowed: 0 .. 1G" },
	{ { "fileread", "--file-size", "1T" }, 2,
	    "value '1T' for fileread --file-size" NOTNUM },
	{ { "fileread", "--block-size", "0" }, 2,
	    OOR "fileread --block-size, allowed: 1 .. 64M" },
	{ { "fileread", "--block-size", "128M" }, 2, OOR "fileread --block-size" },
	{ { "fileread", "--seed", "-1" }, 2, OOR "fileread --seed" },
	{ { "fileread", "--cache", "hot" }, 2,
	    "unknown value 'hot' for fileread --cache, allowed: warm|cold" },
	{ { "fileread", "--delay-us", "-1" }, 2, OOR "fileread --delay-us" },
	{ { "fileread", "--delay-us", "1000001" }, 2, OOR "fileread --delay-us" },
	{ { "fileread", "--dir" }, 2, "option --dir needs a value" },
	{ { "fileread", "--dir", "" }, 2, "--dir is empty" },
	{ { "fileread", "--cache-dir", "" }, 2, "--cache-dir is empty" },
	{ { "fileread", "--manifest", "" }, 2, "--manifest is empty" },
	{ { "fileread", "--dir", "/nonexistent/tvp" }, 2,
	    "--dir /nonexistent/tvp: No such file or directory" },
	{ { "fileread", "--dir", "/etc/passwd" }, 2,
	    "--dir /etc/passwd: not a directory" },
	{ { "fileread", "--dir", "/dev/null" }, 2,
	    "--dir /dev/null: not a directory" },
	/* 1 Mi files of 1 GiB: refused before a byte is written. */
	{ { "fileread", "--files", "1048576", "--file-size", "1G",
	    "--cache-dir", "/tmp/tvp-badinput-never-made/cache" }, 2,
	    "needs 1125899957182464 bytes (1.0 PiB), but /tmp has" },
	/* A cache directory that cannot be made: a failure, not bad usage. */
	{ { "fileread", "--files", "2", "--cache-dir", "/proc/tvp-cache" }, 1,
	    "cannot create cache directory /proc/tvp-cache" },
	{ { "fileread", "--cache", "h\not" }, 2, "unknown value 'h\\not'" },
	{ { "fileread", "--dir", "/nonexistent/a\nb" }, 2,
	    "--dir /nonexistent/a\\nb: No such file or directory" },
	{ { "fileread", "--dir", "/etc/passwd\x1b[2J" }, 2,
	    "--dir /etc/passwd\\x1b[2J: No such file or directory" },
	{ { "fileread", "--files", "2", "--cache-dir", "/proc/a\nb" }, 1,
	    "cannot create cache directory /proc/a\\nb" },
	{ { NULL }, 0, NULL },
};

static void
test_run_options(void)
{
	static const char *const none[] = { NULL };

	tvp_test_expect_table(prog(), bad_run_options);
	/* No workload: one line too, not the usage text. */
	tvp_test_expect(prog(), none, NULL, 2, "no workload given", 1);
}

static void
test_hash_options(void)
{
	tvp_test_expect_table(prog(), bad_hash_options);
}

static void
test_fileread_options(void)
{
	struct stat sb;

	tvp_test_expect_table(prog(), bad_fileread_options);
	/* The refused dataset's cache directory was not even made. */
	CU_ASSERT_NOT_EQUAL(stat("/tmp/tvp-badinput-never-made", &sb), 0);
}

static void
write_file(const char *dir, const char *name, size_t size, mode_t mode)
{
	char path[512], buf[4096];
	int fd;

	memset(buf, 'x', sizeof(buf));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(size <= sizeof(buf));
	CU_ASSERT_FATAL(write(fd, buf, size) == (ssize_t)size);
	close(fd);
	CU_ASSERT_FATAL(chmod(path, mode) == 0);
}

/* FIFOs, devices and symlinks (loops too) are skipped, with a note. */
static void
test_special_files(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", path[512], args[128];
	struct tvp_record rec;
	bool dev;
	int skipped = 4;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CU_ASSERT_FATAL(mkfifo(path, 0644) == 0);
	snprintf(path, sizeof(path), "%s/loop1", dir);
	CU_ASSERT_FATAL(symlink("loop2", path) == 0);
	snprintf(path, sizeof(path), "%s/loop2", dir);
	CU_ASSERT_FATAL(symlink("loop1", path) == 0);
	snprintf(path, sizeof(path), "%s/self", dir);
	CU_ASSERT_FATAL(symlink(".", path) == 0);
	snprintf(path, sizeof(path), "%s/null", dir);
	/* A device node, where this filesystem allows one. */
	dev = mknod(path, S_IFCHR | 0644, makedev(1, 3)) == 0;
	if (dev)
		skipped++;
	snprintf(args, sizeof(args), "--dir %s", dir);
	/* Nothing but those: no regular files, a usage error. */
	CU_ASSERT_EQUAL(tvp_test_execute("fileread", 2, args, &rec),
	    TVP_EXIT_USAGE);
	write_file(dir, "data", 100, 0644);
	CU_ASSERT_EQUAL(tvp_test_execute("fileread", 2, args, &rec), 0);
	CU_ASSERT((rec.verdict == TVP_VERDICT_VERIFIED));
	CU_ASSERT_EQUAL(rec.items, 1);
	snprintf(path, sizeof(path), "skipped %d entries that are not "
	    "regular files (3 symlinks", skipped);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.note, path));
	if (!dev)
		fprintf(stderr, "(no device node: mknod not permitted) ");
	tvp_test_rm_rf(dir);
}

/* A dir for nobody to look into. */
static void
make_public_dir(char *dir)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_FATAL(chmod(dir, 0755) == 0);
}

/* Unreadable files and directories, as nobody (root reads anything). */
static void
test_unreadable(void)
{
	static const struct tvp_test_setup nobody = { .nobody = true };
	char dir[] = "/tmp/tvp-badinput-XXXXXX", path[512], msg[600];
	const char *words[] = { "fileread", "--dir", dir, NULL };

	make_public_dir(dir);
	write_file(dir, "a", 10, 0644);
	write_file(dir, "b", 10, 0644);
	/* First, readable: it runs as nobody. */
	tvp_test_expect(prog(), words, &nobody, 0, "", 0);
	snprintf(path, sizeof(path), "%s/b", dir);
	CU_ASSERT_FATAL(chmod(path, 0) == 0);
	snprintf(msg, sizeof(msg), "--dir %s: %s/b: Permission denied", dir,
	    dir);
	tvp_test_expect(prog(), words, &nobody, 2, msg, 1);
	CU_ASSERT_FATAL(chmod(path, 0644) == 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	CU_ASSERT_FATAL(mkdir(path, 0) == 0);
	snprintf(msg, sizeof(msg), "--dir %s: %s/sub: Permission denied", dir,
	    dir);
	tvp_test_expect(prog(), words, &nobody, 2, msg, 1);
	/* And --dir itself unreadable. */
	CU_ASSERT_FATAL(chmod(path, 0755) == 0);
	CU_ASSERT_FATAL(chmod(dir, 0700) == 0);
	snprintf(msg, sizeof(msg), "--dir %s: %s: Permission denied", dir, dir);
	tvp_test_expect(prog(), words, &nobody, 2, msg, 1);
	tvp_test_rm_rf(dir);
}

/*
 * Files that change between setup and the workers: fileread's own setup,
 * then the damage, then the real runner.  Deterministic, with no hook in
 * the workload: the test wraps its setup.
 */
enum damage { SHRINK, GROW, VANISH, FIFO };
static enum damage damage;
static char damaged[512];

static int
damaging_setup(struct tvp_run *run)
{
	int rc = tvp_workload_find("fileread")->setup(run);

	if (rc != 0)
		return rc;
	switch (damage) {
	case SHRINK:
		CU_ASSERT(truncate(damaged, 5) == 0);
		break;
	case GROW:
		CU_ASSERT(truncate(damaged, 5000) == 0);
		break;
	case VANISH:
		CU_ASSERT(unlink(damaged) == 0);
		break;
	case FIFO:
		CU_ASSERT(unlink(damaged) == 0);
		CU_ASSERT(mkfifo(damaged, 0644) == 0);
		break;
	}
	return 0;
}

/* Run wl with args through tvp_execute; stderr goes to *err. */
static int
execute_capture(const struct tvp_workload *wl, unsigned workers,
    const char *args, char *err, size_t errlen)
{
	struct tvp_run run = { .nworkers = workers };
	char tmpl[] = "/tmp/tvp-badinput-err-XXXXXX";
	struct tvp_record rec;
	int argc, rc, fd, saved;
	char **argv = tvp_test_split(args, &argc);
	ssize_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	CU_ASSERT_EQUAL_FATAL(tvp_run_init(&run, wl, false, argc, argv), 0);
	tvp_test_argv_free(argv);
	fd = mkstemp(tmpl);
	CU_ASSERT_FATAL(fd >= 0);
	unlink(tmpl);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	rc = tvp_execute(&run, &rec);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	CU_ASSERT_PTR_NULL(run.state);
	CU_ASSERT_PTR_NULL(run.ctl);
	assert_no_shm_left();
	assert_no_child_left();
	tvp_run_free(&run);
	return rc;
}

static void
test_changed_under_run(void)
{
	static const struct { enum damage d; const char *msg; } cases[] = {
		{ SHRINK, "changed size since it was listed: 100 bytes "
		    "expected, 5 read" },
		{ GROW, "changed size since it was listed: 100 bytes "
		    "expected, 5000 read" },
		{ VANISH, ": No such file or directory" },
		{ FIFO, ": no longer a regular file" },
	};
	struct tvp_workload wl = *tvp_workload_find("fileread");
	char dir[] = "/tmp/tvp-badinput-XXXXXX", args[128], err[4096];

	wl.setup = damaging_setup;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(args, sizeof(args), "--dir %s", dir);
	snprintf(damaged, sizeof(damaged), "%s/f2", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(dir, "f1", 100, 0644);
		unlink(damaged);
		write_file(dir, "f2", 100, 0644);
		write_file(dir, "f3", 100, 0644);
		damage = cases[i].d;
		CU_ASSERT_EQUAL(execute_capture(&wl, 2, args, err,
		    sizeof(err)), TVP_EXIT_FAIL);
		/* One line, from the worker that met it, naming the file. */
		CU_ASSERT_PTR_NOT_NULL(strstr(err, damaged));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].msg));
		CU_ASSERT_EQUAL(tvp_test_count_lines(err), 1);
		if (strstr(err, cases[i].msg) == NULL || tvp_test_count_lines(err) != 1)
			fprintf(stderr, "\ncase %zu: stderr:\n%s", i, err);
	}
	tvp_test_rm_rf(dir);
}

/* The same seen by the user: a cached dataset damaged between runs. */
static void
test_damaged_dataset(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", path[600], msg[700];
	const char *words[] = { "-j", "2", "fileread", "--cache-dir", dir,
	    "--files", "3", "--file-size", "100", NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	tvp_test_expect(prog(), words, NULL, 0, "generating 3 files", 1);
	snprintf(path, sizeof(path), "%s/fileread-3x100-seed1/data/"
	    "f0000001.bin", dir);
	CU_ASSERT_FATAL(truncate(path, 99) == 0);
	snprintf(msg, sizeof(msg), "%s changed size since it was listed: "
	    "100 bytes expected, 99 read", path);
	tvp_test_expect(prog(), words, NULL, 1, msg, 1);
	CU_ASSERT_FATAL(unlink(path) == 0);
	snprintf(msg, sizeof(msg), "cannot open %s: No such file or directory",
	    path);
	tvp_test_expect(prog(), words, NULL, 1, msg, 1);
	tvp_test_rm_rf(dir);
}

/* --manifest where it cannot be written: the run fails, exit 1. */
static void
test_manifest_unwritable(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX";
	const char *words[] = { "fileread", "--dir", dir, "--manifest",
	    "/nonexistent/tvp/manifest", NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_file(dir, "a", 10, 0644);
	tvp_test_expect(prog(), words, NULL, 1, "--manifest /nonexistent/tvp/manifest: "
	    "No such file or directory", 1);
	tvp_test_rm_rf(dir);
}

/* Writes that fail (RLIMIT_FSIZE: EFBIG): exit 1, no .tmp-* left. */
static void
test_dataset_write_fails(void)
{
	static const struct tvp_test_setup small = { .fsize = 1000 };
	char dir[] = "/tmp/tvp-badinput-XXXXXX";
	const char *words[] = { "fileread", "--cache-dir", dir, "--files", "3",
	    "--file-size", "4096", NULL };

	char msg[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(msg, sizeof(msg), "cannot write the dataset in %s: "
	    "data/f0000000.bin: File too large", dir);
	tvp_test_expect(prog(), words, &small, 1, msg, 2);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 0);
	tvp_test_rm_rf(dir);
}

/*
 * A private mount namespace for this test process, so that the
 * filesystems the tests mount are seen by no one else and vanish with
 * it.  false (after saying why) where that is not permitted.
 */
static bool
private_mounts(void)
{
	static int state;

	if (state == 0) {
		state = unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 ?
		    1 : -1;
		if (state < 0)
			fprintf(stderr, "(cannot mount here: %s; skipped) ",
			    strerror(errno));
	}
	return state > 0;
}

static bool
mount_tmpfs(char *dir, unsigned long flags, const char *opts)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	if (mount("tvp-test", dir, "tmpfs", flags, opts) != 0) {
		fprintf(stderr, "(mount tmpfs %s: %s; skipped) ", opts,
		    strerror(errno));
		rmdir(dir);
		return false;
	}
	return true;
}

static void
unmount(const char *dir)
{
	CU_ASSERT_EQUAL(umount2(dir, MNT_DETACH), 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/*
 * The manifest is written whole or not at all: on a filesystem that fills
 * up while it is written, the run fails (exit 1, one line), the manifest
 * that was there is left as it was, and no temporary file stays.
 */
static void
test_manifest_atomic(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", fs[] = "/tmp/tvp-badinput-XXXXXX";
	char manifest[64], name[64], old[16] = "";
	const char *words[] = { "fileread", "--dir", dir, "--manifest",
	    manifest, NULL };
	FILE *fp;

	if (!private_mounts())
		return;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	/* 200 lines of 60-odd bytes: more than the one page of the tmpfs. */
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "file-with-a-longish-name-%03d", i);
		write_file(dir, name, 1, 0644);
	}
	if (!mount_tmpfs(fs, 0, "size=4k")) {
		tvp_test_rm_rf(dir);
		return;
	}
	snprintf(manifest, sizeof(manifest), "%s/m", fs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(manifest, "w"));
	fputs("old\n", fp);
	CU_ASSERT_EQUAL_FATAL(fclose(fp), 0);
	tvp_test_expect(prog(), words, NULL, 1, "No space left on device", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = fopen(manifest, "r"));
	CU_ASSERT_PTR_NOT_NULL(fgets(old, sizeof(old), fp));
	fclose(fp);
	CU_ASSERT_STRING_EQUAL(old, "old\n");
	CU_ASSERT_EQUAL(tvp_test_count_entries(fs, ""), 1);
	unmount(fs);
	tvp_test_rm_rf(dir);
}

/*
 * --cache direct on a filesystem that refuses O_DIRECT (ramfs) is exit 2,
 * one line naming the file, escaped: the name is from outside (it was
 * printed raw, found by the re-run audit).
 */
static void
test_direct_refused_escaped(void)
{
	char fs[] = "/tmp/tvp-badinput-XXXXXX", dir[64];
	const char *words[] = { "fileread", "--cache", "direct", "--dir", dir,
	    NULL };

	if (!private_mounts())
		return;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(fs));
	if (mount("tvp-test", fs, "ramfs", 0, NULL) != 0) {
		fprintf(stderr, "(mount ramfs: %s; skipped) ", strerror(errno));
		rmdir(fs);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/e\x1b[2Jx", fs);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	write_file(dir, "f", 10, 0644);
	tvp_test_expect(prog(), words, NULL, 2, "e\\x1b[2Jx/f: its filesystem "
	    "refuses O_DIRECT", 1);
	unmount(fs);
}

/* xxhsum -c FILE, run from dir: its exit status, or -1 if not there. */
static int
xxhsum_check(const char *file)
{
	static const char xxhsum[] = "/usr/bin/xxhsum";
	const char *words[] = { "-c", file, NULL };
	struct tvp_test_output o;
	int rc;

	if (access(xxhsum, X_OK) != 0)
		return -1;
	rc = tvp_test_run_words(xxhsum, words, NULL, &o);
	if (rc != 0)
		fprintf(stderr, "\nxxhsum -c %s: exit %d\n%s%s", file, rc, o.out,
		    o.err);
	return rc;
}

/*
 * File names in a manifest: every name xxhsum -c can read back is written
 * as it is (backslash, tab, CR, parentheses, " = ", spaces); a newline,
 * which no line of xxhsum 0.8.1 can hold, is refused before the run,
 * naming the file, rather than writing a manifest that cannot be checked.
 */
static void
test_manifest_names(void)
{
	static const char *const odd[] = { "back\\slash", "tab\tx", "cr\rx",
	    "a) = b", "paren(x)", " lead", "trail ", "XXH3 (y) = 0" };
	char dir[] = "/tmp/tvp-badinput-XXXXXX", manifest[] =
	    "/tmp/tvp-badinput-manifest-XXXXXX", msg[256];
	const char *words[] = { "fileread", "--dir", dir, "--manifest",
	    manifest, NULL };
	int fd, rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_FATAL((fd = mkstemp(manifest)) >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		write_file(dir, odd[i], 3, 0644);
	tvp_test_expect(prog(), words, NULL, 0, "", 0);
	rc = xxhsum_check(manifest);
	if (rc < 0)
		fprintf(stderr, "(no xxhsum: manifest not checked) ");
	else
		CU_ASSERT_EQUAL(rc, 0);
	write_file(dir, "new\nline", 3, 0644);
	snprintf(msg, sizeof(msg), "%s/new\\nline: a file name with a "
	    "newline", dir);
	tvp_test_expect(prog(), words, NULL, 2, msg, 1);
	unlink(manifest);
	tvp_test_rm_rf(dir);
}

/*
 * A manifest written inside --dir would be read as data by the next run,
 * changing its result: refused before the run, also through a symlink.
 */
static void
test_manifest_inside_dir(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", link[600], manifest[700];
	const char *words[] = { "fileread", "--dir", dir, "--manifest",
	    manifest, NULL };

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	write_file(dir, "a", 10, 0644);
	snprintf(manifest, sizeof(manifest), "%s/sub", dir);
	CU_ASSERT_FATAL(mkdir(manifest, 0755) == 0);
	snprintf(manifest, sizeof(manifest), "%s/m", dir);
	tvp_test_expect(prog(), words, NULL, 2, "is inside --dir", 1);
	snprintf(link, sizeof(link), "%s-link", dir);
	CU_ASSERT_FATAL(symlink(dir, link) == 0);
	snprintf(manifest, sizeof(manifest), "%s/sub/m", link);
	tvp_test_expect(prog(), words, NULL, 2, "is inside --dir", 1);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 2);
	unlink(link);
	tvp_test_rm_rf(dir);
}

/* A full filesystem: too small (refused first), out of inodes (ENOSPC). */
static void
test_dataset_full_fs(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX";
	const char *big[] = { "fileread", "--cache-dir", dir, "--files", "4",
	    "--file-size", "64K", NULL };
	const char *many[] = { "fileread", "--cache-dir", dir, "--files", "8",
	    "--file-size", "100", NULL };

	if (!private_mounts())
		return;
	if (mount_tmpfs(dir, 0, "size=64k")) {
		tvp_test_expect(prog(), big, NULL, 2, "(--files 4 x --file-size 65536) "
		    "needs 270528 bytes (264.2 KiB), but", 1);
		CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 0);
		unmount(dir);
	}
	strlcpy(dir, "/tmp/tvp-badinput-XXXXXX", sizeof(dir));
	/* Room enough, but 6 inodes: the 4th data file cannot be made. */
	if (mount_tmpfs(dir, 0, "size=1m,nr_inodes=6")) {
		tvp_test_expect(prog(), many, NULL, 1, "No space left on device", 2);
		CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 0);
		unmount(dir);
	}
}

/*
 * A dataset that would fit but leave next to nothing free is refused:
 * 63 MiB on a 64 MiB tmpfs.  The margin kept back is 5% of the
 * filesystem (3.2 MiB here), at most 1 GiB.
 */
static void
test_dataset_space_margin(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX";
	const char *words[] = { "fileread", "--cache-dir", dir, "--files",
	    "63", "--file-size", "1M", NULL };

	if (!private_mounts() || !mount_tmpfs(dir, 0, "size=64m"))
		return;
	tvp_test_expect(prog(), words, NULL, 2, "needs 66071504 bytes (63.0 "
	    "MiB), but", 1);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 0);
	unmount(dir);
}

/*
 * Memory is checked against what is available (MemAvailable), less a
 * margin, not against the total: a request just under the machine's
 * total memory is refused, exit 2, before anything is allocated.  Run
 * under RLIMIT_AS, so that a check that let it through fails at malloc
 * (exit 1) instead of taking the machine's memory.  Sanitizers reserve
 * terabytes of address space and cannot run under RLIMIT_AS.
 */
static void
test_memory_margin(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	fprintf(stderr, "(sanitizer build: no RLIMIT_AS; skipped) ");
#else
	static const struct tvp_test_setup small = {
		.address_space = 1ULL << 30 };
	unsigned long long total = (unsigned long long)sysconf(_SC_PHYS_PAGES) *
	    (unsigned long long)sysconf(_SC_PAGESIZE);
	/* Blocks of 1 MiB and their sha256 digests: just under the total. */
	unsigned long long blocks = total / ((1 << 20) + 32);
	char nblocks[32];
	const char *words[] = { "hash", "--blocks", nblocks, "--block-size",
	    "1M", NULL };

	snprintf(nblocks, sizeof(nblocks), "%llu", blocks);
	tvp_test_expect(prog(), words, &small, 2, "of memory available", 1);
#endif
}

/* A read-only filesystem: the cache directory cannot be made, exit 1. */
static void
test_dataset_readonly_fs(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", cache[64], msg[128];
	const char *words[] = { "fileread", "--cache-dir", cache, "--files",
	    "2", NULL };

	if (!private_mounts() || !mount_tmpfs(dir, MS_RDONLY, "size=1m"))
		return;
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(msg, sizeof(msg), "cannot create cache directory %s: "
	    "Read-only file system", cache);
	tvp_test_expect(prog(), words, NULL, 1, msg, 1);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 0);
	unmount(dir);
}

/*
 * Ctrl-C while the dataset is made: the program blocks SIGINT and takes
 * it between files.  Made pending before the run, so it is there at the
 * first file: exit 130, nothing of the dataset left, and the signal
 * taken, so that it cannot kill the program when the mask is restored.
 */
static void
test_dataset_interrupted(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", args[128];
	struct timespec zero = { 0, 0 };
	struct tvp_record rec;
	sigset_t old, intr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(args, sizeof(args), "--cache-dir %s --files 50 --file-size "
	    "1000", dir);
	tvp_signals_block(&old);
	raise(SIGINT);
	/* cppcheck-suppress unreachableCode ; SIGINT is blocked: it pends */
	CU_ASSERT_EQUAL(tvp_test_execute("fileread", 2, args, &rec),
	    TVP_EXIT_SIGNAL(SIGINT));
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ""), 0);
	/* The run took the signal: none is left pending. */
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	CU_ASSERT_EQUAL(sigtimedwait(&intr, NULL, &zero), -1);
	tvp_signals_restore(&old);
	/* Uninterrupted, the same run makes it. */
	CU_ASSERT_EQUAL(tvp_test_execute("fileread", 2, args, &rec), 0);
	CU_ASSERT((rec.verdict == TVP_VERDICT_VERIFIED));
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ".tmp-"), 0);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, "fileread-"), 1);
	tvp_test_rm_rf(dir);
}

/* The first entry of dir whose name starts with prefix, into out. */
static bool
find_entry(const char *dir, const char *prefix, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(out, len, "%s/%s", dir, e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

/*
 * Start the program generating a large dataset in dir and SIGKILL it as
 * soon as its temporary directory exists: what a crash or the OOM
 * killer leaves.  Nothing can clean up after SIGKILL.
 */
static void
kill_while_generating(const char *dir)
{
	char args[256], tmp[600];
	int argc, status;
	char **argv;
	pid_t pid;

	snprintf(args, sizeof(args), "%s fileread --cache-dir %s --files "
	    "100000 --file-size 1K", prog(), dir);
	argv = tvp_test_split(args, &argc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	CU_ASSERT_FATAL(pid > 0);
	/* Until the temporary directory shows (100000 files take a while). */
	for (int i = 0; i < 100000 && !find_entry(dir, ".tmp-", tmp,
	    sizeof(tmp)); i++) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	tvp_test_argv_free(argv);
}

/*
 * A temporary dataset directory whose owner is gone (SIGKILL, a crash)
 * is removed by the next run, which says so in its note; one whose owner
 * still holds it is left alone.
 */
static void
test_stale_temporaries(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", args[128], held[600];
	int ready[2], go[2];
	struct tvp_record rec;
	struct tvp_run run;
	pid_t owner;
	char c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	kill_while_generating(dir);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ".tmp-"), 1);
	snprintf(args, sizeof(args), "--cache-dir %s --files 3 --file-size "
	    "100", dir);
	CU_ASSERT_EQUAL(tvp_test_execute("fileread", 2, args, &rec), 0);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ".tmp-"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rec.note, "removed 1 stale temporary "
	    "director"));

	/* An owner alive and holding its directory: left alone. */
	CU_ASSERT_FATAL(pipe(ready) == 0 && pipe(go) == 0);
	if ((owner = fork()) == 0) {
		char tmp[600];
		int fd;

		close(ready[0]);
		close(go[1]);
		snprintf(tmp, sizeof(tmp), "%s/.tmp-%ld-XXXXXX", dir,
		    (long)getpid());
		if (mkdtemp(tmp) == NULL ||
		    (fd = open(tmp, O_RDONLY | O_DIRECTORY)) < 0 ||
		    flock(fd, LOCK_EX) != 0)
			_exit(1);
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	CU_ASSERT_FATAL(owner > 0);
	close(ready[1]);
	close(go[0]);
	CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1);
	CU_ASSERT_TRUE(find_entry(dir, ".tmp-", held, sizeof(held)));
	/* Not tvp_test_execute: the owner is a child of ours, left running. */
	CU_ASSERT_EQUAL_FATAL(tvp_test_run_init(&run, "fileread", 2, args), 0);
	CU_ASSERT_EQUAL(tvp_execute(&run, &rec), 0);
	tvp_run_free(&run);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ".tmp-"), 1);
	CU_ASSERT_PTR_NULL(strstr(rec.note, "stale"));
	/* Its owner gone, the next run removes it. */
	close(go[1]);
	CU_ASSERT_EQUAL(waitpid(owner, NULL, 0), owner);
	close(ready[0]);
	CU_ASSERT_EQUAL(tvp_test_execute("fileread", 2, args, &rec), 0);
	CU_ASSERT_EQUAL(tvp_test_count_entries(dir, ".tmp-"), 0);
	tvp_test_rm_rf(dir);
}

/*
 * No processes (or threads) left to start: as nobody, under a low
 * RLIMIT_NPROC.  One line naming fork or pthread_create and the worker;
 * exit 1; the workers already started are stopped and reaped.
 */
static void
test_no_processes(void)
{
	static const struct tvp_test_setup low = { .nobody = true, .nproc = 8 };
	static const char *const words[] = { "-j", "64", "hash", "--blocks",
	    "64", "--block-size", "64", "--rounds", "1", NULL };

	struct tvp_test_output o;

	CU_ASSERT_EQUAL(tvp_test_run_words(prog(), words, &low, &o), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, strcmp(tvp_mode, "threads") ==
	    0 ? "pthread_create for worker " : "fork for worker "));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, " of 64: Resource temporarily "
	    "unavailable"));
	CU_ASSERT_EQUAL(tvp_test_count_lines(o.err), 1);
	if (tvp_test_count_lines(o.err) != 1)
		fprintf(stderr, "\nstderr:\n%s", o.err);
}

/*
 * The descriptors a run will hold at once are counted before it starts,
 * under the common `ulimit -n 1024`: the soft limit is raised toward the
 * hard one where that is enough, else the run is refused in one line.
 * background holds 8 per observer, all in one process as threads;
 * pingpong --via pipe makes 2 per worker in setup, in both modes.
 */
static void
test_descriptors(void)
{
	static const struct tvp_test_setup tight = { .nofile = 1024,
	    .nofile_hard = 1024 };
	static const struct tvp_test_setup raisable = { .nofile = 1024,
	    .nofile_hard = 4096 };
	static const char *const bg[] = { "-j", "160", "--format", "csv",
	    "background", NULL };
	static const char *const pp[] = { "-j", "520", "--format", "csv",
	    "pingpong", "--via", "pipe", "--rounds", "10", NULL };
	struct tvp_test_output o;
	char verdict[32];
	int rc;
	bool threads = strcmp(tvp_mode, "threads") == 0;

	if (threads)
		tvp_test_expect(prog(), bg, &tight, 2, "background: -j 160 "
		    "needs 1", 1);
#if defined(__SANITIZE_THREAD__)
	/*
	 * Under TSan 160 observers miss background's 5 s deadlines in either
	 * mode.  The refusal above is checked all the same.
	 */
	if (true)
		fprintf(stderr, "(TSan: background -j 160 not run) ");
	else
#elif defined(__SANITIZE_ADDRESS__)
	/* ASan's allocator hangs forks from many threads (doc/checkers.md). */
	if (threads)
		fprintf(stderr, "(ASan: background as threads not run) ");
	else
#endif
	{
		rc = tvp_test_run_words(prog(), bg, &raisable, &o);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_TRUE(tvp_test_csv_field(o.out, "verdict", verdict,
		    sizeof(verdict)) && strcmp(verdict, "verified") == 0);
		if (rc != 0)
			fprintf(stderr, "\nbackground -j 160, hard limit 4096: "
			    "exit %d\n%s", rc, o.err);
	}
	tvp_test_expect(prog(), pp, &tight, 2, "pingpong: -j 520 needs 1", 1);
	rc = tvp_test_run_words(prog(), pp, &raisable, &o);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\npingpong -j 520, hard limit 4096: exit %d\n%s",
		    rc, o.err);
}

/* 256 workers, tiny sizes: both workloads verify. */
static void
test_256_workers(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", args[128];
	struct tvp_record rec;

	CU_ASSERT_EQUAL(tvp_test_execute("hash", 256, "--blocks 600 "
	    "--block-size 64 --rounds 2", &rec), 0);
	CU_ASSERT((rec.verdict == TVP_VERDICT_VERIFIED));
	CU_ASSERT_EQUAL(rec.items, 600);
	CU_ASSERT_EQUAL(rec.workers, 256);
	/* Fewer items than workers, too. */
	CU_ASSERT_EQUAL(tvp_test_execute("hash", 256, "--blocks 100 "
	    "--block-size 64 --rounds 2", &rec), 0);
	CU_ASSERT((rec.verdict == TVP_VERDICT_VERIFIED));
	CU_ASSERT_EQUAL(rec.items, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(args, sizeof(args), "--cache-dir %s --files 300 --file-size "
	    "100", dir);
	CU_ASSERT_EQUAL(tvp_test_execute("fileread", 256, args, &rec), 0);
	CU_ASSERT((rec.verdict == TVP_VERDICT_VERIFIED));
	CU_ASSERT_EQUAL(rec.items, 300);
	CU_ASSERT_EQUAL(rec.bytes, 300 * 100);
	tvp_test_rm_rf(dir);
}

/* The most workers -j allows is accepted and runs. */
static void
test_4096_workers(void)
{
/*
 * Under ThreadSanitizer every worker process carries a runtime thread of
 * its own that wakes by itself; 4096 of them outrun the forks on 2 cores
 * (seen: 2 forks a second, for hours, on a loaded machine).  A race needs
 * two workers, not 4096: the TSan build checks the upper bound at 512.
 */
#if defined(__SANITIZE_THREAD__)
#define MANY "512"
#else
#define MANY "4096"
#endif
	static const char *const words[] = { "-j", MANY, "--format", "csv",
	    "hash", "--blocks", "64", "--block-size", "64", "--rounds", "1",
	    NULL };
	struct tvp_test_output o;

	CU_ASSERT_EQUAL(tvp_test_run_words(prog(), words, NULL, &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "," MANY ","));
	CU_ASSERT_EQUAL(o.errlen, 0);
#undef MANY
}

/* The good uses of the command line that print and exit 0. */
static void
test_list_and_help(void)
{
	static const char *const list[] = { "--list", NULL };
	static const char *const help[] = { "--help", NULL };
	static const char *const wl_help[] = { "hash", "--help", NULL };
	struct tvp_test_output o;

	CU_ASSERT_EQUAL(access(prog(), X_OK), 0);
	CU_ASSERT_EQUAL(tvp_test_run_words(prog(), list, NULL, &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "hash"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "fileread"));
	CU_ASSERT_EQUAL(tvp_test_run_words(prog(), help, NULL, &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "usage:"));
	CU_ASSERT_EQUAL(tvp_test_run_words(prog(), wl_help, NULL, &o), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "--blocks"));
}

/* No workload at all: refused, naming what is missing. */
static void
test_no_workload(void)
{
	static const char *const none[] = { NULL };
	static const char *const only_run_opts[] = { "-j", "2", NULL };

	tvp_test_expect(prog(), none, NULL, 2, "no workload given", 1);
	tvp_test_expect(prog(), only_run_opts, NULL, 2, "no workload given",
	    1);
}

/*
 * The progress line of dataset generation repeats the cache directory,
 * a word from the command line like any other: escaped, so that an
 * escape sequence in it cannot drive the terminal and a newline cannot
 * split the line (it was printed raw, found by the re-run audit).
 */
static void
test_generating_line_escaped(void)
{
	char dir[] = "/tmp/tvp-badinput-XXXXXX", cache[128];
	const char *words[] = { "fileread", "--files", "2", "--file-size",
	    "100", "--cache-dir", cache, NULL };
	struct tvp_test_output o;
	int status;
	bool raw = false;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	/* An escape sequence and a newline in the directory's name. */
	snprintf(cache, sizeof(cache), "%s/\x1b[2J\nc", dir);
	status = tvp_test_run_words(prog(), words, NULL, &o);
	CU_ASSERT_EQUAL(status, 0);
	for (const char *c = o.err; *c != '\0'; c++)
		raw |= (unsigned char)*c < 0x20 && *c != '\n';
	CU_ASSERT_FALSE(raw);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "generating 2 files"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "\\x1b[2J\\nc/fileread-"));
	CU_ASSERT_EQUAL(tvp_test_count_lines(o.err), 1);
	if (status != 0 || raw)
		fprintf(stderr, "\ngenerating line: exit %d, stderr:\n%s",
		    status, o.err);
	tvp_test_rm_rf(dir);
}

/*
 * A record that cannot be written is a failure, not a success: to a full
 * device (ENOSPC) or a closed standard output (EBADF), in every format,
 * and --list, --help, --version too.  One line, exit 1.  A refusal that
 * writes nothing to standard output keeps its own status.
 */
static void
test_stdout_unwritable(void)
{
	static const struct tvp_test_setup full = { .stdout_file = "/dev/full" };
	static const struct tvp_test_setup closed = { .stdout_closed = true };
	static const char *const formats[] = { "text", "csv", "json" };
	static const char *const list[] = { "--list", NULL };
	static const char *const help[] = { "--help", NULL };
	static const char *const version[] = { "--version", NULL };
	static const char *const refused[] = { "-j", "0", "hash", NULL };

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *words[] = { "--format", formats[i], "hash",
		    "--blocks", "1", "--rounds", "1", NULL };

		tvp_test_expect(prog(), words, &full, 1, "cannot write the "
		    "standard output: No space left on device", 1);
		tvp_test_expect(prog(), words, &closed, 1, "cannot write the "
		    "standard output: Bad file descriptor", 1);
	}
	tvp_test_expect(prog(), list, &full, 1, "No space left on device", 1);
	tvp_test_expect(prog(), help, &full, 1, "No space left on device", 1);
	tvp_test_expect(prog(), version, &full, 1, "No space left on device",
	    1);
	tvp_test_expect(prog(), version, &closed, 1, "Bad file descriptor", 1);
	tvp_test_expect(prog(), refused, &closed, 2, "out of range for -j", 1);
}

CU_TestInfo tvp_badinput_tests[] = {
	{ "--list, --help, WORKLOAD --help: exit 0", test_list_and_help },
	{ "no workload: exit 2", test_no_workload },
	{ "run options: bad values refused, exit 2", test_run_options },
	{ "hash options: bad values refused, exit 2", test_hash_options },
	{ "fileread options: bad values refused", test_fileread_options },
	{ "FIFOs, devices, symlink loops skipped with a note",
	    test_special_files },
	{ "unreadable files and dirs (as nobody), exit 2", test_unreadable },
	{ "files shrunk, grown, gone, FIFO'd after setup, exit 1",
	    test_changed_under_run },
	{ "cached dataset damaged between runs, exit 1", test_damaged_dataset },
	{ "--manifest unwritable, exit 1", test_manifest_unwritable },
	{ "--manifest on a full filesystem: old one intact, nothing left",
	    test_manifest_atomic },
	{ "--manifest: odd names pass xxhsum -c, a newline refused",
	    test_manifest_names },
	{ "--manifest inside --dir refused", test_manifest_inside_dir },
	{ "dataset writes fail (RLIMIT_FSIZE), exit 1, no temp dir",
	    test_dataset_write_fails },
	{ "dataset on a full tmpfs: refused / ENOSPC", test_dataset_full_fs },
	{ "dataset on a read-only tmpfs, exit 1", test_dataset_readonly_fs },
	{ "dataset leaving too little free: refused, exit 2",
	    test_dataset_space_margin },
	{ "memory: available less a margin, not the total",
	    test_memory_margin },
	{ "Ctrl-C while the dataset is made: 130, nothing left",
	    test_dataset_interrupted },
	{ "temporaries left by SIGKILL removed by the next run",
	    test_stale_temporaries },
	{ "fork/pthread_create failing (RLIMIT_NPROC, nobody), exit 1",
	    test_no_processes },
	{ "256 workers: hash and fileread verify", test_256_workers },
	{ "-j 4096 accepted", test_4096_workers },
	{ "descriptors counted up front: limit raised, or one line",
	    test_descriptors },
	{ "--cache direct refused by the filesystem: one line, escaped",
	    test_direct_refused_escaped },
	{ "the generating line escapes the cache directory",
	    test_generating_line_escaped },
	{ "record to a full or closed stdout: exit 1, one line",
	    test_stdout_unwritable },
	CU_TEST_INFO_NULL,
};
