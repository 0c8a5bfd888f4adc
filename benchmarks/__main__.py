"""``python -m benchmarks [ARGS]``: the matching benchmark (see benchmarks/matching.py)."""

from benchmarks.matching import main

raise SystemExit(main())
