"""The benchmark harness behind bench/run: data, systems, load, report."""
