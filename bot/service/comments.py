"""What the bot says in pull requests and issues: the sticky preview and command replies.

The preview is one comment per pull request, found again by `PREVIEW_MARKER` *and* the
app's own login (anyone can paste the marker), then edited in place on every push.
Every body stays under GitHub's 65,536-character limit; the diff is what gets cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.service.diffs import DocDiff, fenced, fit_diffs, patch_of, size, unified_diff
from bot.service.ports.conversation import CommentRef

COMMENT_LIMIT = 65_536
PREVIEW_MARKER = "<!-- docs-refresh:preview -->"
REPLY_MARKER = "<!-- docs-refresh:reply -->"
MAX_ECHOED_WORD = 40

PREVIEW_TITLE = "### 📝 docs-refresh: this pull request would change the docs"
PREVIEW_INTRO = "With `{head}`, the generated sections of these docs would change:"
FACTS_HEADING = "**What changes in the facts**"
NO_FACTS_CHANGE = "No fact changes: only the wording or layout of generated text moves."
HAND_EDITED = (
    "⚠️ `{path}`: generated text in {sections} was edited by hand; a refresh keeps it as it is. "
    "`/refresh-docs force` overwrites it."
)
REPAIRS = "🔧 `{path}` also gets repaired outside its generated sections:"
MAX_REPAIRS_SHOWN = 10
DIFF_SUMMARY = "Doc diff ({lines} lines)"
DIFF_TOO_LARGE = "The doc diff is too large to show here; run `docs-refresh refresh` locally."
APPLY_SAME_REPO = (
    "**To apply:** comment `/refresh-docs` on this pull request and the refreshed docs are "
    "committed onto this branch (people with write access). Or run `docs-refresh refresh` locally."
)
APPLY_FORK = (
    "**To apply:** comment `/refresh-docs` and the bot replies with a patch to apply on your "
    "branch (apps cannot push to forks). Or run `docs-refresh refresh` locally."
)
UNAFFECTED_TITLE = "### ✅ docs-refresh: the docs are unaffected again"
UNAFFECTED = (
    UNAFFECTED_TITLE + "\n\n"
    "As of `{head}`, this pull request no longer changes the generated docs. Nothing to do."
)
TIMED_OUT_TITLE = "### ⏱️ docs-refresh: no preview of `{head}`, the job ran out of time"
TIMED_OUT_REPLY = "**`/refresh-docs` ran out of time.**\n\n{summary}"

HELP = (
    "**`/refresh-docs`** regenerates the data-flow docs from the code.\n\n"
    "- `/refresh-docs` on a pull request from this repository: commits the refreshed docs onto "
    "its branch (one commit on top of the head).\n"
    "- `/refresh-docs` on a pull request from a fork: replies with a patch to apply.\n"
    "- `/refresh-docs` on an issue: refreshes the default branch and opens or updates the docs "
    "pull request.\n"
    "- `/refresh-docs force`: the same, and also overwrites generated text edited by hand and "
    "takes over a docs branch someone else pushed to.\n"
    "- `/refresh-docs help`: this message.\n\n"
    "Write it at the start of a line. People with write, maintain or admin permission may run it."
)
UNKNOWN_SUBCOMMAND = "I don't know `/refresh-docs {word}`.\n\n"
REFUSED = (
    "Sorry @{login}, `/refresh-docs` can only be run by people with write, maintain or admin "
    "permission on {repo}. Ask one of them to comment it for you."
)
CLOSED = "This pull request is closed, so `/refresh-docs` has nothing to update here."
FORK_PATCH = (
    "Apps cannot push to branches of forks, so here is the refresh as a patch. "
    "Save it as `docs.patch` at the root of your checkout and run `git apply docs.patch`.\n\n"
    "<details><summary>Patch ({files} files, {lines} lines)</summary>\n\n{patch}\n</details>"
)
FORK_PATCH_TOO_LARGE = (
    "Apps cannot push to branches of forks, and this patch is too large for a comment "
    "({bytes:,} bytes). Run `docs-refresh refresh` in your checkout to produce the same change."
)
ALREADY_FRESH = "The docs are already fresh at `{head}`: nothing to commit."
COMMITTED = "Committed the refreshed docs as {sha} ({files})."
KEPT_HAND_EDITS = (
    " Generated text edited by hand was kept in {paths}; `/refresh-docs force` overwrites it."
)
DOCS_PR = "The docs pull request is up to date: {url}"
DOCS_FRESH_ON_BASE = "The docs on `{base}` are already fresh: no pull request needed."
TAKEOVER = (
    "Taking over `{branch}`: its tip `{sha}` was not written by docs-refresh "
    "(`/refresh-docs force`). It is rebuilt as one commit on the base head."
)
FAILED = (
    "Something went wrong while running `/refresh-docs`: {error}\n\n"
    "Nothing was written. Fix the problem and comment `/refresh-docs` again."
)


def find_sticky(comments: Iterable[CommentRef], app_login: str) -> CommentRef | None:
    """The app's own preview comment, if there is one."""
    for comment in comments:
        if comment.login.lower() == app_login.lower() and PREVIEW_MARKER in comment.body:
            return comment
    return None


def preview_body(
    head: str,
    docs: Sequence[DocDiff],
    facts_markdown: str,
    *,
    same_repo: bool,
    limit: int = COMMENT_LIMIT,
) -> str:
    """The sticky preview: docs and sections, fact changes, the diff (collapsed), how to apply."""
    parts = [PREVIEW_MARKER, PREVIEW_TITLE, "", PREVIEW_INTRO.format(head=head[:7]), ""]
    for doc in sorted(docs):
        sections = ", ".join(doc.sections) if doc.sections else "(text outside named sections)"
        parts.append(f"- `{doc.path}`: {sections}")
    parts += ["", FACTS_HEADING, "", facts_markdown.strip() or NO_FACTS_CHANGE, ""]
    for doc in sorted(docs):
        if doc.hand_edited:
            parts += [HAND_EDITED.format(path=doc.path, sections=", ".join(doc.hand_edited)), ""]
        if doc.repairs:
            shown = doc.repairs[:MAX_REPAIRS_SHOWN]
            parts += [REPAIRS.format(path=doc.path), *(f"- {_code_span(r)}" for r in shown), ""]
    parts += [APPLY_SAME_REPO if same_repo else APPLY_FORK, "", ""]
    head_text = "\n".join(parts)
    return head_text + _diff_block(docs, limit - size(head_text) - 1)


def _diff_block(docs: Sequence[DocDiff], budget: int) -> str:
    diffs = [unified_diff(d.path, d.old, d.new) for d in sorted(docs)]
    lines = sum(d.count("\n") for d in diffs)
    summary = DIFF_SUMMARY.format(lines=f"{lines:,}")
    opening = f"<details><summary>{summary}</summary>\n\n"
    closing = "</details>\n"
    # Each diff gets its own fence; reserve room for fences and the details wrapper.
    overhead = size(opening) + size(closing) + 32 * max(len(diffs), 1)
    if budget - overhead < 512:
        return DIFF_TOO_LARGE + "\n"
    fitted = fit_diffs(diffs, budget - overhead)
    block = opening + "".join(fenced(d) for d in fitted if d) + closing
    return block if size(block) <= budget else DIFF_TOO_LARGE + "\n"


def unaffected_body(head: str) -> str:
    return f"{PREVIEW_MARKER}\n{UNAFFECTED.format(head=head[:7])}\n"


def timed_out_body(head: str, summary: str) -> str:
    """The sticky preview when the job ran out of time; `summary` names the file (escaped)."""
    return f"{PREVIEW_MARKER}\n{TIMED_OUT_TITLE.format(head=head[:7])}\n\n{summary}\n"


def timed_out_reply(summary: str) -> str:
    return _reply(TIMED_OUT_REPLY.format(summary=summary))


def help_body(unknown_word: str | None = None) -> str:
    # The word is the commenter's: no backticks (they would end the code span), kept short.
    word = (unknown_word or "").replace("`", "")[:MAX_ECHOED_WORD]
    prefix = UNKNOWN_SUBCOMMAND.format(word=word) if word else ""
    return _reply(prefix + HELP)


def refused_body(login: str, repo: str) -> str:
    return _reply(REFUSED.format(login=login, repo=repo))


def closed_body() -> str:
    return _reply(CLOSED)


def fork_patch_body(docs: Sequence[DocDiff], limit: int = COMMENT_LIMIT) -> str:
    """The refresh as a patch for a fork's author, or a pointer to the CLI when it is too big."""
    patch = patch_of(docs)
    body = _reply(
        FORK_PATCH.format(files=len(docs), lines=f"{patch.count(chr(10)):,}", patch=fenced(patch))
    )
    if size(body) <= limit:
        return body
    return _reply(FORK_PATCH_TOO_LARGE.format(bytes=size(patch)))


def already_fresh_body(head: str) -> str:
    return _reply(ALREADY_FRESH.format(head=head[:7]))


def committed_body(sha: str, paths: Sequence[str], hand_edited: Sequence[str] = ()) -> str:
    files = ", ".join(f"`{p}`" for p in sorted(paths))
    text = COMMITTED.format(sha=sha, files=files)
    if hand_edited:
        text += KEPT_HAND_EDITS.format(paths=", ".join(f"`{p}`" for p in sorted(hand_edited)))
    return _reply(text)


def docs_pr_body(url: str | None, base: str) -> str:
    return _reply(DOCS_PR.format(url=url) if url else DOCS_FRESH_ON_BASE.format(base=base))


def takeover_body(branch: str, sha: str) -> str:
    return _reply(TAKEOVER.format(branch=branch, sha=sha[:7]))


def failed_body(error: str) -> str:
    return _reply(FAILED.format(error=error))


def _code_span(text: str) -> str:
    """Text quoting repository content as one code span: its backticks and tags stay inert."""
    flat = " ".join(text.split())
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", flat)), default=0) + 1)
    return f"{ticks} {flat} {ticks}"


def _reply(text: str) -> str:
    # The marker lets tests and operators tell the bot's replies apart; it is not an anchor.
    return f"{REPLY_MARKER}\n{text}\n"
