"""Run the specbind CLI in this process, then record peak memory of it and of its worker processes.

    python benchmarks/_measure.py OUT.json generate SPEC -o DIR -p PKG
"""

from __future__ import annotations

import json
import resource
import sys

from generator.cli import main

if __name__ == "__main__":
    report = sys.argv[1]
    try:
        main(sys.argv[2:], standalone_mode=False)
    finally:
        peak = {
            "self_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "workers_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        }
        with open(report, "w") as fh:
            json.dump(peak, fh)
