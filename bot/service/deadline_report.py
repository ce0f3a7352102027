"""What a job that ran out of time tells the repository: a check run naming the file.

One text for every job that runs the analysis (a refresh, a pull request's preview, the
onboarding pull request, a `/refresh-docs` reply); `JobWording` words what each did not do and
what runs it again.

The conclusion is `neutral`, not `failure`: the commit is not wrong, the bot stopped at
its own limit (`bot.core.limits.JOB_SECONDS`), and GitHub's branch protection counts a
neutral check as passing, so a repository that requires the docs-refresh check is not
blocked by it. `failure` stays for what a person must fix (broken markers or config).
GitHub's `timed_out` conclusion would fit the words but shows and blocks as a failure.
Without checks:write, the same text goes to the bot's open pull request as a comment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.escape import code_span
from bot.core.job_budget import JobDeadline
from bot.service.ports import Annotation, CheckReport, PullRequest, RepoGateway
from bot.service.ports import conversation as talk

CHECK_NAME = "docs-refresh"
LISTED = 20  # files named in each list; the rest are counted
SUMMARY = (
    "docs-refresh stopped after {seconds:g} s, its time for one {job}, {where}, and "
    "{outcome}.\n\n{lists}A file this slow to read is most often generated or vendored: "
    "mark it `linguist-generated` in `.gitattributes` and docs-refresh leaves it out. "
    "{again} (files already read are not read twice)."
)


@dataclass(frozen=True, slots=True)
class JobWording:
    """How one kind of job words its deadline: its name, what it left undone, what runs it
    again, and the check run's title."""

    name: str
    outcome: str
    again: str
    title: str


REFRESH = JobWording(
    "refresh",
    "wrote nothing",
    "The next push refreshes the docs again",
    "Docs not refreshed: the job ran out of time",
)
PREVIEW = JobWording(
    "preview",
    "cannot tell whether this change leaves the docs stale",
    "The next push to this pull request previews it again",
    "No preview: the job ran out of time",
)
ONBOARDING = JobWording(
    "setup",
    "opened no pull request",
    "Comment `/refresh-docs` on any issue to try again",
    "docs-refresh not set up: the job ran out of time",
)
COMMAND = JobWording(
    "refresh",
    "wrote nothing",
    "Comment `/refresh-docs` again to retry",
    "Docs not refreshed: the job ran out of time",
)
ANNOTATION = "docs-refresh ran out of time while reading this file (see the check run)"
COMMENT = "**docs-refresh could not refresh the docs in time.**\n\n"


def deadline_summary(err: JobDeadline, job: JobWording = REFRESH) -> str:
    where = f"while reading {code_span(err.path)}" if err.path else f"while {err.stage}"
    lists = ""
    if err.not_read:
        lists += _listing(f"{len(err.not_read)} other file(s) not read", err.not_read)
    if err.skipped:
        named = [f"{code_span(p)}: {code_span(reason)}" for p, reason in err.skipped]
        lists += _listing(f"{len(err.skipped)} file(s) skipped on their own", named, coded=True)
    return SUMMARY.format(
        seconds=err.seconds,
        job=job.name,
        where=where,
        outcome=job.outcome,
        lists=lists,
        again=job.again,
    )


def deadline_message(err: JobDeadline) -> str:
    """One line for logs, outcomes and replies: "ran out of time (240 s) while reading x"."""
    where = f"while reading {err.path}" if err.path else f"while {err.stage}"
    return f"ran out of time ({err.seconds:g} s) {where}"


def deadline_output(err: JobDeadline, job: JobWording) -> talk.CheckOutput:
    """The check run of a conversation (a preview): neutral, the file annotated."""
    annotations = (
        (talk.Annotation(err.path, 1, ANNOTATION, "warning"),) if err.path is not None else ()
    )
    return talk.CheckOutput("neutral", job.title, deadline_summary(err, job), annotations)


def _listing(title: str, items: Sequence[str], *, coded: bool = False) -> str:
    shown = [item if coded else code_span(item) for item in items[:LISTED]]
    more = len(items) - len(shown)
    rest = f"\n- … and {more} more" if more > 0 else ""
    return f"{title}:\n" + "".join(f"\n- {item}" for item in shown) + rest + "\n\n"


def report_deadline(
    gw: RepoGateway, sha: str, err: JobDeadline, pr: PullRequest | None, job: JobWording = REFRESH
) -> tuple[int | None, str, str]:
    """The check run (else a comment on the bot's open PR); (PR number, PR url, message)."""
    summary = deadline_summary(err, job)
    annotations = (Annotation(err.path, 1, ANNOTATION, "warning"),) if err.path else ()
    message = deadline_message(err)
    if gw.report_check(sha, CheckReport(CHECK_NAME, "neutral", job.title, summary, annotations)):
        return None, "", message
    if pr is None or pr.state != "open":  # the bot's own PR into `base` (`find_pull`)
        return None, "", message
    gw.create_comment(pr.number, COMMENT + summary)
    return pr.number, pr.html_url, message
