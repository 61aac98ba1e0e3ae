"""Workload options as the C programs take them (common/core/options.c):
the same names, defaults, bounds, K/M/G suffixes, messages and record
text, so that one command line means one thing in both languages."""

import re
import sys

NUM, SIZE, CHOICE, STR = "num", "size", "choice", "str"
LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)


class UsageError(Exception):
    """Bad input: the message is the one line the program prints."""


class Opt:
    def __init__(self, name, kind, default, lo=0, hi=0, choices=None,
                 help=""):
        self.name, self.kind, self.default = name, kind, default
        self.lo, self.hi, self.choices, self.help = lo, hi, choices, help


def format_size(n):
    """n with the largest K/M/G suffix that divides it exactly."""
    s = -1
    while s < 2 and n != 0 and n % 1024 == 0:
        n //= 1024
        s += 1
    return str(n) if s < 0 else f"{n}{'KMG'[s]}"


def format_value(n, size):
    return format_size(n) if size else str(n)


def parse_num(what, text, lo, hi, size):
    """tvp_parse_num: an integer in [lo, hi], with K/M/G if size."""
    bounds = (format_value(lo, size), format_value(hi, size))
    number, mult = text, 1
    if len(text) == 0 or len(text) >= 64:
        raise UsageError(f"value '{text}' for {what} is not a number")
    if size and number[-1] in "kKmMgG":
        mult = 1 << {"k": 10, "m": 20, "g": 30}[number[-1].lower()]
        number = number[:-1]
    if not re.fullmatch(r"-?[0-9]+", number):
        raise UsageError(f"value '{text}' for {what} is not a number")
    value = int(number)
    # strtonum's own bounds: a value outside long long is "too large".
    if (value < lo // mult - (lo % mult != 0) or value > hi // mult or
            not LLONG_MIN <= value <= LLONG_MAX or
            not lo <= value * mult <= hi):
        raise UsageError(f"value {text} is out of range for {what}, "
                         f"allowed: {bounds[0]} .. {bounds[1]}")
    return value * mult


class Values:
    """One run's option values, by name; `given` says what was typed."""

    def __init__(self, opts):
        self.opts = opts
        self.values = {}
        self.given = set()

    def __getitem__(self, name):
        return self.values[name]

    def set(self, owner, opt, text):
        what = f"{owner}{' ' if owner else ''}--{opt.name}"
        if opt.kind in (NUM, SIZE):
            self.values[opt.name] = parse_num(what, text, opt.lo, opt.hi,
                                              opt.kind == SIZE)
        elif opt.kind == CHOICE:
            if text not in opt.choices.split("|"):
                raise UsageError(f"unknown value '{text}' for {what}, "
                                 f"allowed: {opt.choices}")
            self.values[opt.name] = text
        else:
            self.values[opt.name] = text

    def describe(self):
        """The record's options field: name=value, in table order."""
        out = []
        for o in self.opts:
            v = self.values[o.name]
            out.append(f"{o.name}={format_size(v) if o.kind == SIZE else v}")
        return " ".join(out)


def parse(owner, opts, words, quick=None):
    """Defaults, then the quick sizes (not counted as given), then words
    ("--name value" or "--name=value"), as tvp_run_init does."""
    vals = Values(opts)
    for o in opts:
        vals.set("default", o, o.default)
    if quick:
        parse_words(owner, opts, vals, quick.split())
        vals.given.clear()
    parse_words(owner, opts, vals, words)
    return vals


def parse_words(owner, opts, vals, words):
    byname = {o.name: o for o in opts}
    i = 0
    while i < len(words):
        arg = words[i]
        if not arg.startswith("--") or arg == "--":
            raise UsageError(f"{owner}: unexpected argument '{arg}' "
                             "(options are --name value)")
        name, eq, value = arg[2:].partition("=")
        if name not in byname:
            raise UsageError(f"{owner}: unknown option '--{name}' "
                             f"(see {owner} --help)")
        if not eq:
            if i + 1 >= len(words):
                raise UsageError(f"{owner}: option --{name} needs a value")
            i += 1
            value = words[i]
        vals.set(owner, byname[name], value)
        vals.given.add(name)
        i += 1


def print_help(opts, fp=sys.stdout):
    """tvp_opts_help, line for line."""
    if not opts:
        fp.write("  (none)\n")
    for o in opts:
        rng = ""
        if o.kind in (NUM, SIZE):
            rng = (f", {format_value(o.lo, o.kind == SIZE)} .. "
                   f"{format_value(o.hi, o.kind == SIZE)}"
                   f"{', K/M/G suffix' if o.kind == SIZE else ''}")
        elif o.kind == CHOICE:
            rng = f", one of {o.choices}"
        fp.write(f"  --{o.name:<14} {o.help}\n  {'':16} (default: "
                 f"{o.default if o.default else 'none'}{rng})\n")
