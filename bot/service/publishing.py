"""Publishing a refresh: one branch, one commit, one pull request per base branch.

Renovate/release-please behaviour against a `RepoGateway`:

* branch `docs-refresh/<base>`, rebuilt as one commit on the current base head;
* the PR is found by head branch, then created or updated; nothing is written when its
  hidden state says it already holds these docs on this base content;
* docs on base already fresh → the open PR is closed with a comment, the branch deleted;
* a tip the bot did not author → nothing moves; one sticky comment says how to take over;
* a PR a person closed unmerged is not reopened with the same content.

The PR body carries `<!-- docs-refresh:state {...} -->`: `base` (the base head the commit
sits on), `source` (the commit the facts come from), `version`, and `head`, `docs`,
`origin` (the bot's commit, digests of the new and the replaced doc bytes), `since` (the
commit the facts summary compares against, kept while the PR stays open). GitHub holds
all the state; the worker holds none.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from bot.service.ports import BranchExists, Head, Identity, PullRequest, RepoGateway

BRANCH_PREFIX = "docs-refresh/"
STATE_VERSION = 1
STATE_RE = re.compile(r"<!-- docs-refresh:state (\{.*?\}) -->")
FOREIGN_MARKER = "<!-- docs-refresh:foreign-commit -->"

COMMIT_MESSAGE = "docs: refresh generated documentation\n\nFrom {source} by docs-refresh."
BODY_INTRO = (
    "This pull request refreshes the generated sections of the documentation from the code "
    "on `{base}` at {source_link}. Everything outside the generated sections is unchanged"
)
BODY_INTRO_END = "."
BODY_INTRO_REPAIRS = ", except the repairs listed below."
REPAIRED = "  - repaired: {note}"
# GitHub refuses bodies over 65,536 characters; the facts summary is what gets cut.
BODY_LIMIT = 60_000
FACTS_CUT = "\n\n… the list of fact changes was cut to fit; run `docs-refresh facts` to see all."
DOCS_HEADING = "**Docs refreshed**"
HAND_EDITED = " — hand-edited text kept (comment `/refresh-docs force` to regenerate it)"
BODY_FOOTER = (
    "<sub>docs-refresh rebuilds this branch as one commit on `{base}` whenever the code "
    "changes. Comment `/refresh-docs` to refresh now, or `/refresh-docs help`.</sub>"
)
CLOSED_MARKER = "<!-- docs-refresh:closed-fresh -->"
CLOSED_FRESH = (
    CLOSED_MARKER
    + "\nThe docs on `{base}` are already up to date, so this pull request is no longer needed. "
    "Closing it and deleting its branch."
)
FOREIGN_COMMIT = (
    FOREIGN_MARKER + "\nSomeone else pushed to `{branch}`, so docs-refresh stopped updating "
    "this pull request and will not overwrite that work. To let the bot rebuild the branch "
    "(dropping those commits), comment `/refresh-docs force`."
)


@dataclass(frozen=True, slots=True)
class State:
    base: str
    source: str
    version: int = STATE_VERSION
    head: str = ""
    docs: str = ""
    origin: str = ""
    since: str = ""  # the commit the facts summary compares against
    closed: bool = False  # the bot closed it (docs fresh): not a person's "no"

    def to_comment(self) -> str:
        return f"<!-- docs-refresh:state {json.dumps(asdict(self), sort_keys=True)} -->"

    @classmethod
    def from_body(cls, body: str) -> State | None:
        match = STATE_RE.search(body or "")
        if match is None:
            return None
        try:
            data = json.loads(match.group(1))
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except (ValueError, TypeError, KeyError):
            return None


@dataclass(frozen=True, slots=True)
class DocNote:
    path: str
    sections: tuple[str, ...] = ()
    hand_edited: bool = False
    repairs: tuple[str, ...] = ()  # edits outside the owned sections (an LLM's fence…)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What one refresh wants on `base`: new bytes for changed docs (empty: docs fresh)."""

    base: str
    head: Head
    files: Mapping[str, bytes]
    origin: Mapping[str, bytes]
    title: str
    labels: tuple[str, ...] = ()
    draft: bool = False
    notes: tuple[DocNote, ...] = ()
    facts_markdown: str = ""
    since: str = ""
    force: bool = False


@dataclass(frozen=True, slots=True)
class Published:
    action: str  # opened | updated | unchanged | closed | fresh | declined | blocked
    number: int | None = None
    url: str = ""
    commit: str = ""


def branch_for(base: str) -> str:
    return BRANCH_PREFIX + base


def digest(files: Mapping[str, bytes]) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return h.hexdigest()[:16]


_LOOK_UP = object()


def publish(
    gw: RepoGateway, proposal: Proposal, identity: Identity, pr: Any = _LOOK_UP
) -> Published:
    """Make GitHub match `proposal`. `pr`: the bot PR when the caller already found it."""
    branch = branch_for(proposal.base)
    if pr is _LOOK_UP:
        pr = gw.find_pull(branch, proposal.base)
    if not proposal.files:
        return _close_if_open(gw, pr, branch, proposal, identity)
    docs, origin = digest(proposal.files), digest(proposal.origin)
    if pr is not None and pr.state != "open":
        old = State.from_body(pr.body)
        declined = not pr.merged and old is not None and not old.closed and old.docs == docs
        if declined and not proposal.force:
            return Published("declined", pr.number, pr.html_url)
        pr = None
    if pr is None:
        return _open(gw, proposal, branch, identity, docs, origin)
    old = State.from_body(pr.body)
    if not proposal.force and not _bot_tip(gw, pr, old, identity):
        _leave_foreign_comment(gw, pr, branch)
        return Published("blocked", pr.number, pr.html_url)
    if (
        old is not None
        and old.head == pr.head_sha
        and (old.docs, old.origin) == (docs, origin)
        and pr.title == proposal.title
    ):
        gw.add_labels(pr.number, [x for x in proposal.labels if x not in pr.labels])
        return Published("unchanged", pr.number, pr.html_url, pr.head_sha)
    commit = _commit(gw, proposal, identity)
    gw.set_branch(branch, commit, create=False)
    state = _state(proposal, commit, docs, origin)
    gw.edit_pull(pr.number, title=proposal.title, body=render_body(gw, proposal, state))
    missing = [label for label in proposal.labels if label not in pr.labels]
    gw.add_labels(pr.number, missing)
    return Published("updated", pr.number, pr.html_url, commit)


def _open(
    gw: RepoGateway, proposal: Proposal, branch: str, identity: Identity, docs: str, origin: str
) -> Published:
    commit = _commit(gw, proposal, identity)
    try:
        gw.set_branch(branch, commit, create=True)
    except BranchExists:  # left from a closed PR, or a person's: move only the bot's own
        tip = gw.branch_head(branch)
        if tip is not None and not proposal.force and not _authored(gw, tip, identity):
            return Published("blocked")
        gw.set_branch(branch, commit, create=tip is None)
    state = _state(proposal, commit, docs, origin)
    body = render_body(gw, proposal, state)
    pr = gw.open_pull(proposal.base, branch, proposal.title, body, proposal.draft)
    gw.add_labels(pr.number, [label for label in proposal.labels if label not in pr.labels])
    return Published("opened", pr.number, pr.html_url, commit)


def _close_if_open(
    gw: RepoGateway,
    pr: PullRequest | None,
    branch: str,
    proposal: Proposal,
    identity: Identity,
) -> Published:
    if pr is None:
        return Published("fresh")
    if pr.state != "open":
        _finish_close(gw, pr, branch)
        return Published("fresh")
    if not _bot_tip(gw, pr, State.from_body(pr.body), identity):
        return Published("blocked", pr.number, pr.html_url)  # a person's work: theirs to close
    # A retry after a failed close must not say it twice: the comment carries a marker.
    if not any(CLOSED_MARKER in c.body for c in gw.comments(pr.number)):
        gw.create_comment(pr.number, CLOSED_FRESH.format(base=proposal.base))
    state = State.from_body(pr.body)
    body = None
    if state is not None:  # mark it closed by the bot, in the closing request itself
        marked = replace(state, closed=True).to_comment()
        body = STATE_RE.sub(lambda _: marked, pr.body, count=1)
    gw.close_pull(pr.number, body=body)
    gw.delete_branch(branch)
    return Published("closed", pr.number, pr.html_url)


def _finish_close(gw: RepoGateway, pr: PullRequest, branch: str) -> None:
    """A close interrupted after the PR closed (a failed delete, a lost answer): the bot's
    branch may remain. Delete it when it still holds the bot's last commit, nothing else."""
    state = State.from_body(pr.body)
    if state is None or not state.closed or pr.merged or not state.head:
        return
    if gw.branch_head(branch) == state.head:
        gw.delete_branch(branch)


def _state(proposal: Proposal, commit: str, docs: str, origin: str) -> State:
    sha = proposal.head.sha
    return State(sha, sha, head=commit, docs=docs, origin=origin, since=proposal.since)


def _commit(gw: RepoGateway, proposal: Proposal, identity: Identity) -> str:
    message = COMMIT_MESSAGE.format(source=proposal.head.sha[:12])
    return gw.write_commit(proposal.head, proposal.files, message, identity)


def _bot_tip(gw: RepoGateway, pr: PullRequest, state: State | None, identity: Identity) -> bool:
    """The PR's tip is the bot's own commit (by its recorded SHA, else by its author)."""
    if state is not None and state.head == pr.head_sha:
        return True
    return _authored(gw, pr.head_sha, identity)


def _authored(gw: RepoGateway, sha: str, identity: Identity) -> bool:
    info = gw.commit(sha)
    return info.author.email == identity.email and info.committer.email == identity.email


def _leave_foreign_comment(gw: RepoGateway, pr: PullRequest, branch: str) -> None:
    if not any(FOREIGN_MARKER in c.body for c in gw.comments(pr.number)):
        gw.create_comment(pr.number, FOREIGN_COMMIT.format(branch=branch))


def render_body(gw: RepoGateway, proposal: Proposal, state: State) -> str:
    source = proposal.head.sha
    link = f"[`{source[:12]}`]({gw.commit_url(source)})"
    notes = _notes(proposal)
    ending = BODY_INTRO_REPAIRS if any(n.repairs for n in notes) else BODY_INTRO_END
    intro = BODY_INTRO.format(base=proposal.base, source_link=link) + ending
    parts = [intro, "", DOCS_HEADING, ""]
    branch = branch_for(proposal.base)
    parts += [_doc_line(gw, branch, note) for note in notes]
    head = "\n".join(parts)
    tail = "\n".join(["", BODY_FOOTER.format(base=proposal.base), "", state.to_comment()])
    facts = proposal.facts_markdown.strip()
    room = BODY_LIMIT - len(head) - len(tail) - len(FACTS_CUT) - 2
    if len(facts) > room:
        facts = facts[: max(0, room)].rsplit("\n", 1)[0] + FACTS_CUT
    return "\n".join([head, "", facts, tail] if facts else [head, tail]) + "\n"


def _notes(proposal: Proposal) -> Sequence[DocNote]:
    known = {n.path: n for n in proposal.notes}
    return [known.get(path, DocNote(path)) for path in sorted(proposal.files)]


def _doc_line(gw: RepoGateway, branch: str, note: DocNote) -> str:
    line = f"- [`{note.path}`]({gw.blob_url(branch, note.path)})"
    if note.sections:
        line += ": " + ", ".join(note.sections)
    line += HAND_EDITED if note.hand_edited else ""
    return "\n".join([line, *(REPAIRED.format(note=r) for r in note.repairs)])
