"""The snapshot's own runbooks: one overriding a built-in, one new, and markup a renderer must neutralise."""

from __future__ import annotations


def runbook_files(hostile: bool) -> dict[str, bytes]:
    """runbooks/*.md by path; with `hostile`, one of them carries pasted markup and a bidi override."""
    extra = _RUNBOOK_HOSTILE if hostile else ""
    return {
        "runbooks/ERR_RUN_005.md": (_RUNBOOK_005 + extra).encode("utf-8"),
        "runbooks/ERR_RUN_014.md": _RUNBOOK_014.encode("utf-8"),
    }


_RUNBOOK_005 = """\
# ERR_RUN_005 - Scanner timeout (demo site override)

This snapshot's operators replaced the default runbook: scanners in this environment share a registry
mirror, so most timeouts are mirror latency, not scanner load.

1. Open the run's **Segments** tab and note the executor of the segment in error.
2. Check the mirror: `curl -sS -o /dev/null -w '%{time_total}\\n' https://mirror.internal/v2/`.
3. If the mirror answers in under 2 s, retry the segment after its cooldown:

   ```sh
   stella runs retry --run <run id>
   ```

4. Otherwise escalate to the *Registry* on-call with the run's correlation ID.

> Timeouts on more than 10 % of segments in an hour page the Scheduler Guild.
"""

_RUNBOOK_014 = """\
# ERR_RUN_014 - Registry authentication failed

The executor could not pull an image: the registry answered `401 Unauthorized`.

- Rotate the pull secret of the tenant (`stella registry creds rotate --tenant <id>`).
- Check that the robot account has not expired.
- Retry the run once the secret is in place; the retry links back here through `retryOf`.
"""

_RUNBOOK_HOSTILE = """
## Pasted from the incident channel

<script>alert(1)</script>

<img src="x" onerror="alert(1)">

[Open the dashboard](javascript:alert(1)) and check `ERR_RUN_005` \u202eevil\u202c text.
"""
