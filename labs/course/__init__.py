"""Course tooling: build student notebooks from the solutions, run notebooks headless, benchmarks.

Nothing here is imported by the notebooks themselves; it is for instructors, tests and CI.
"""
