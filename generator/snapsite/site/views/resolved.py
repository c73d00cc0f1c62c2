"""The resolved-failure rule, kept importable here for the views: it lives in `snapsite.snapshot.resolved`.

`snapsite diff` needs the rule without the site, so it sits below both (a lower layer never imports site/).
"""

from snapsite.snapshot.resolved import RetryLink, resolved_by, retried_by

__all__ = ["RetryLink", "resolved_by", "retried_by"]
