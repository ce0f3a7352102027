"""What a refresh that ran out of time tells the repository: a check run naming the file.

The conclusion is `neutral`, not `failure`: the commit is not wrong, the bot stopped at
its own limit (`bot.core.limits.JOB_SECONDS`), and GitHub's branch protection counts a
neutral check as passing, so a repository that requires the docs-refresh check is not
blocked by it. `failure` stays for what a person must fix (broken markers or config).
GitHub's `timed_out` conclusion would fit the words but shows and blocks as a failure.
Without checks:write, the same text goes to the bot's open pull request as a comment.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.escape import code_span
from bot.core.job_budget import JobDeadline
from bot.service.ports import Annotation, CheckReport, PullRequest, RepoGateway

CHECK_NAME = "docs-refresh"
LISTED = 20  # files named in each list; the rest are counted
TITLE = "Docs not refreshed: the job ran out of time"
SUMMARY = (
    "docs-refresh stopped after {seconds:g} s, its time for one refresh, {where}, and wrote "
    "nothing.\n\n{lists}A file this slow to read is most often generated or vendored: "
    "mark it `linguist-generated` in `.gitattributes` and docs-refresh leaves it out. "
    "The next push refreshes the docs again (files already read are not read twice)."
)
ANNOTATION = "docs-refresh ran out of time while reading this file; the docs were not refreshed"
COMMENT = "**docs-refresh could not refresh the docs in time.**\n\n"


def deadline_summary(err: JobDeadline) -> str:
    where = f"while reading {code_span(err.path)}" if err.path else f"while {err.stage}"
    lists = ""
    if err.not_read:
        lists += _listing(f"{len(err.not_read)} other file(s) not read", err.not_read)
    if err.skipped:
        named = [f"{code_span(p)}: {code_span(reason)}" for p, reason in err.skipped]
        lists += _listing(f"{len(err.skipped)} file(s) skipped on their own", named, coded=True)
    return SUMMARY.format(seconds=err.seconds, where=where, lists=lists)


def _listing(title: str, items: Sequence[str], *, coded: bool = False) -> str:
    shown = [item if coded else code_span(item) for item in items[:LISTED]]
    more = len(items) - len(shown)
    rest = f"\n- … and {more} more" if more > 0 else ""
    return f"{title}:\n" + "".join(f"\n- {item}" for item in shown) + rest + "\n\n"


def report_deadline(
    gw: RepoGateway, sha: str, err: JobDeadline, pr: PullRequest | None
) -> tuple[int | None, str, str]:
    """The check run (else a comment on the bot's open PR); (PR number, PR url, message)."""
    summary = deadline_summary(err)
    annotations = (Annotation(err.path, 1, ANNOTATION, "warning"),) if err.path else ()
    message = f"ran out of time ({err.seconds:g} s) " + (
        f"while reading {err.path}" if err.path else f"while {err.stage}"
    )
    if gw.report_check(sha, CheckReport(CHECK_NAME, "neutral", TITLE, summary, annotations)):
        return None, "", message
    if pr is None or pr.state != "open":  # the bot's own PR into `base` (`find_pull`)
        return None, "", message
    gw.create_comment(pr.number, COMMENT + summary)
    return pr.number, pr.html_url, message
