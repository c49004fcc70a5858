"""Helpers shared by test modules and the benchmarks: real servers on loopback, a browser, AppTest, row comparison.

Test modules import from here, never from one another.
"""
