"""Time the power engine: 1,000 simulated 600-participant trials (target: under 60 s).

    uv run python benchmarks/power.py [replicates]
"""

from __future__ import annotations

import sys
import time

from peerstudy.power import TrialDesign, power

replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
design = TrialDesign(sites=3, per_arm_per_site=100, timepoints=4, icc=0.5,
                     retention=(1.0, 0.9, 0.85, 0.8), effect=0.3)
start = time.perf_counter()
result = power(design, replicates, seed=1)
print(f"{design.n} participants x {replicates} replicates: {time.perf_counter() - start:.2f} s "
      f"(power {result['power']:.3f} +- {result['mc_se']:.3f})")
