"""snapsite: verify StellaOps Offline Kit runs snapshots and render them as a static Runs workspace."""

__version__ = "0.1.0"
