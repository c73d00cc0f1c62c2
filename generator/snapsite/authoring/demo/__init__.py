"""A realistic synthetic runs snapshot (`snapsite demo`): deterministic for a seed, streamed, signed.

Everything comes from one `random.Random(seed)` consumed in a fixed order, so the same arguments give the same
bytes. Runs are generated in createdAt order and written as they are made; only what later records point at is
kept (recent failed runs per tenant for `retryOf`, each schedule's last run, per-bucket metric counters), so
memory does not grow with the number of runs.

`writer` drives the pass; `world` makes tenants, `runs` the runs, `lines` their NDJSON, `evidence` the evidence
files and attestations, `metrics` the 24 h samples; `vocabulary` holds the word lists and weights, `chance` the
seeded source and pickers, `model` the small types.
"""

from snapsite.authoring.demo.vocabulary import HOSTILE_STRINGS, MAX_RUNS
from snapsite.authoring.demo.writer import write_demo

__all__ = ["HOSTILE_STRINGS", "MAX_RUNS", "write_demo"]
