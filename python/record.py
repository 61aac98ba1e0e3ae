"""The record, as common/core/record.c prints it: the same fields in the
same order, the same number formats, the same CSV columns (the metric
columns included) and the same JSON shape, so that one reader reads the
C programs' records and these."""

import os
import platform
import sys
import sysconfig

METRICS_MAX = 8

# (name, kind, in JSON's "env" object): record.c's field table, in order.
FIELDS = [
    ("mode", "text", False), ("workload", "text", False),
    ("workers", "int", False), ("wall_s", "sec", False),
    ("start_s", "sec", False), ("work_s", "sec", False),
    ("reap_s", "sec", False), ("user_s", "sec", False),
    ("sys_s", "sec", False), ("minflt", "int", False),
    ("majflt", "int", False), ("nvcsw", "int", False),
    ("nivcsw", "int", False), ("maxrss_kb", "int", False),
    ("items", "int", False), ("bytes", "int", False),
    ("result", "text", False), ("verified", "verified", False),
    ("rss_sum_kb", "int", False), ("options", "text", False),
    ("note", "text", False), ("died", "int", False),
    ("redone", "int", False), ("recover_s", "sec", False),
    ("cpu_model", "text", True), ("online_cpus", "int", True),
    ("kernel", "text", True), ("libc", "text", True),
    ("affinity", "text", True), ("verdict", "text", False),
    ("maps", "int", False), ("pss_kb", "int", False),
    ("uss_kb", "int", False), ("pte_kb", "int", False),
    ("work_minflt", "int", False), ("runtime", "text", True),
    # bin/tvp-mpi's; empty here, as in tvp-threads and tvp-processes.
    ("mpi_library", "text", True), ("nodes", "text", True),
]

VERIFIED, RACE, FAILED = "verified", "race", "failed"


def gil_label():
    """Which interpreter ran, and whether it had a GIL: a free-threaded
    build (3.13t and later) with the GIL off runs threads in parallel."""
    impl = f"{platform.python_implementation()} {platform.python_version()}"
    free_build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    gil = is_enabled() if is_enabled is not None else True
    if free_build:
        return f"{impl} free-threaded build, GIL {'enabled' if gil else 'disabled'}"
    return f"{impl} with the GIL"


def affinity():
    cpus = sorted(os.sched_getaffinity(0))
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else f"{cpus[i]}-{cpus[j]}")
        i = j + 1
    return ",".join(out)


def environment():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and ":" in line:
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    libc = platform.libc_ver()
    return {"cpu_model": cpu, "online_cpus": os.sysconf("SC_NPROCESSORS_ONLN"),
            "kernel": platform.release(),
            "libc": f"glibc {libc[1]}" if libc[0] == "glibc" else " ".join(libc),
            "affinity": affinity(), "runtime": gil_label(),
            "mpi_library": "", "nodes": ""}


def value(rec, name, kind):
    if kind == "verified":
        return {VERIFIED: "yes", RACE: "race"}.get(rec["verdict"], "no")
    v = rec[name]
    if kind == "sec":
        return f"{v:.6f}"
    return str(v)


def number(v):
    return "%.6g" % v


def csv_field(s):
    if any(c in s for c in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def json_string(s):
    out = ['"']
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def to_csv(rec):
    head = [f[0] for f in FIELDS]
    row = [csv_field(value(rec, n, k)) for n, k, _ in FIELDS]
    for k in range(1, METRICS_MAX + 1):
        head += [f"metric{k}_name", f"metric{k}_value", f"metric{k}_unit",
                 f"metric{k}_better"]
        if k <= len(rec["metrics"]):
            m = rec["metrics"][k - 1]
            row += [csv_field(m[0]), csv_field(number(m[1])),
                    csv_field(m[2]), m[3]]
        else:
            row += ["", "", "", ""]
    return ",".join(head) + "\n" + ",".join(row) + "\n"


def to_json(rec):
    lines = ["{\n"]
    for name, kind, env in FIELDS:
        if env:
            continue
        v = value(rec, name, kind)
        text = kind in ("text", "verified")
        lines.append(f'  "{name}": {json_string(v) if text else v},\n')
    lines.append('  "env": {\n')
    envs = [f'    "{n}": {json_string(value(rec, n, k)) if k == "text" else value(rec, n, k)}'
            for n, k, env in FIELDS if env]
    lines.append(",\n".join(envs))
    lines.append('\n  },\n  "metrics": [')
    ms = [f'{{"name": {json_string(m[0])}, "value": {number(m[1])}, '
          f'"unit": {json_string(m[2])}, "better": "{m[3]}"}}'
          for m in rec["metrics"]]
    if ms:
        lines.append("\n    " + ",\n    ".join(ms) + "\n  ]\n}\n")
    else:
        lines.append("]\n}\n")
    return "".join(lines)


def to_text(rec):
    out = []
    for name, kind, _ in FIELDS:
        v = value(rec, name, kind)
        if name == "note" and v == "":
            continue
        out.append(f"{name:<12} {v}\n")
    for m in rec["metrics"]:
        out.append(f"metric       {m[0]} {number(m[1])} {m[2]} "
                   f"({m[3]} is better)\n")
    return "".join(out)


def format_record(rec, fmt):
    return {"csv": to_csv, "json": to_json, "text": to_text}[fmt](rec)
