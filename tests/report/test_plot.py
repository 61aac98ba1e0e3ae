"""Plots rendered for real with gnuplot, then checked as images.

Each file must be a valid, non-empty PNG (every chunk's CRC, the pixel
data of the size IHDR declares) or SVG (well-formed XML), with one
plotted series per form plus the reference line, and a title naming the
workload, its options and the machine.  Nothing here is timed.
"""

import os
import re
import shutil
import struct
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib

import fixtures
from fixtures import interleave, series
from tvpreport import plot

SVG = "{http://www.w3.org/2000/svg}"


def png_ok(path):
    """Raise AssertionError unless path is a complete, consistent PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, "bad CRC in %s" % kind
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
    ihdr = data[16:29]
    width, height, depth, color = struct.unpack(">IIBB", ihdr[:10])
    assert width > 0 and height > 0
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    row = 1 + (width * channels * depth + 7) // 8
    assert len(zlib.decompress(idat)) == row * height, "pixel data size"
    return width, height


def svg_series(path):
    """(number of plotted series, all text) of a gnuplot SVG."""
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg", root.tag
    ids = {g.get("id") for g in root.iter(SVG + "g")
           if re.fullmatch(r"gnuplot_plot_\d+", g.get("id") or "")}
    text = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    return len(ids), text


class Plots(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tvp-plot-test.")
        if shutil.which("gnuplot") is None:
            self.fail("gnuplot is not installed (make deps installs "
                      "gnuplot-nox)")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def check(self, name, series_count, *title):
        png, svg = (os.path.join(self.dir, name + e) for e in (".png", ".svg"))
        self.assertGreater(os.path.getsize(png), 0)
        self.assertEqual(png_ok(png), (960, 600))
        n, text = svg_series(svg)
        self.assertEqual(n, series_count)
        for words in title:
            self.assertIn(words, text)

    def test_worker_sweep_speedup_with_ideal_line(self):
        written = plot.plot(fixtures.compare_runs(), self.dir)
        self.assertEqual(sorted(os.path.basename(p) for p in written),
                         ["hash-workers.png", "hash-workers.svg"])
        self.check("hash-workers", 3, "hash: speedup against workers",
                   "blocks=8", "Test CPU, 2 cores", "threads", "processes",
                   "ideal (speedup = workers)")

    def test_worker_sweep_metric(self):
        m = ("ns_per_increment", "ns", "lower")
        runs = []
        for jobs in (1, 2, 4):
            rid = "counter -j %d" % jobs
            runs += interleave(
                series("threads", rid, [20.0, 21, 19], workload="counter",
                       jobs=jobs, metric=m),
                series("processes", rid, [30.0, 31, 29], workload="counter",
                       jobs=jobs, metric=m))
        plot.plot(runs, self.dir)
        self.check("counter-workers", 3, "ns_per_increment against workers",
                   "no change from 1 worker (threads)")

    def test_option_sweep_one_series_per_form(self):
        m = ("us_per_spawn_median", "us", "lower")
        runs = []
        for touch in ("0", "64", "256"):
            rid = "spawn touch=%s -j 1" % touch
            v = 30.0 + int(touch)
            runs += interleave(
                series("threads", rid, [v, v + 1, v - 1], workload="spawn",
                       sweep="touch=" + touch, metric=m),
                series("processes", rid, [3 * v, 3 * v + 2, 3 * v - 2],
                       workload="spawn", sweep="touch=" + touch, metric=m))
        written = plot.plot(runs, self.dir)
        self.assertEqual(len(written), 2)
        self.check("spawn-touch-j1", 2, "touch=0,64,256",
                   "us_per_spawn_median against touch, 1 worker(s)")

    def test_lessons_are_not_plotted(self):
        runs = fixtures.compare_runs()
        for r in runs:
            r["suite"] = "lessons"
        with self.assertRaises(plot.PlotError):
            plot.plot(runs, self.dir)


if __name__ == "__main__":
    unittest.main()
