"""What changed between two verified snapshots: `snapsite diff` and the site's `--since` parts.

Layered like the rest: `facts` keeps the few fields of each run and schedule a comparison needs (a record sink
for verification, so the older snapshot is streamed, never rendered), `pair` verifies a pair and names the side
that failed, `compare` computes the changes, `report` prints them. Nothing here imports the site: `diff` works
without rendering, and the site builds its views from `compare`'s result.
"""
