#!/usr/bin/python3
"""Run the report program's tests (make check): every test_*.py here.

Ends with one line "report: N passed, N failed" and exits non-zero if any
test failed or none ran.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py",
                                            top_level_dir=HERE)
result = unittest.TextTestRunner(verbosity=1).run(suite)
failed = len(result.failures) + len(result.errors)
print("report: %d passed, %d failed" % (result.testsRun - failed, failed))
sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)
