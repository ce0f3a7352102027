"""A person's work is never lost: property tests over random documents and random edits.

A random ai-coders-context doc is refreshed once (so its owned subsections carry
checksums); then a person edits it — text outside the block, a readonly region, a
generated subsection, a subsection of their own — and the code changes (random new
generated bodies). After any refresh that is not forced, every one of those edits is
byte-identical. Forced, the hand edit is replaced (so the property can fail). And on the
publishing side: a person's commit on the bot branch survives any sequence of refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.markers import parse_document
from bot.core.refresh import refresh_doc
from bot.core.sections import OWNED_SECTIONS, OWNED_SLUGS
from bot.service.ports import Head
from bot.service.publishing import Proposal, branch_for, publish
from bot.service.refresh import BOT_IDENTITY
from tests.service.fakes import FakeGateway, FakeRepo

PATH = ".context/docs/data-flow.md"
# 3,000 examples over the module (derandomized for CI); a refresh_doc costs ~10 ms.
PROPERTY = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Prose a person might write: no markers (<), fences (` ~) or headings (#) — those are
# structure, tested by the marker engine's own properties.
_CHARS = "abcxyzABC0189 \t.,;:!?-_*+=/()[]{}|&%$@'\"\\éßЖж中文😀\u00a0"
# Each line starts with a word: never a setext underline ("---"), which would be a heading.
WORDS = st.text(_CHARS, max_size=30).map(lambda t: ("w " + t).rstrip())
LINES = st.lists(WORDS, min_size=1, max_size=4)


def text_block(lines: list[str], nl: str) -> str:
    return nl.join(lines) + nl


@dataclass
class Doc:
    text: str
    nl: str
    readonly: tuple[str, ...]  # the regions' texts, marker included
    custom: str  # a person's own subsection, heading included


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    prefix = "# Data Flow" + nl + nl + text_block(draw(LINES), nl) + nl
    owned = [f"## {heading}{nl}{nl}TODO{nl}{nl}" for _, heading in OWNED_SECTIONS]
    custom = f"## Notes {draw(WORDS)}{nl}{nl}" + text_block(draw(LINES), nl) + nl
    owned.insert(draw(st.integers(0, len(owned))), custom)
    regions = tuple(
        f"<!-- agent-readonly:{name} -->{nl}" + text_block(draw(LINES), nl)
        for name in draw(st.lists(st.sampled_from(["guide", "legal", "howto"]), max_size=2))
    )
    intro = text_block(draw(LINES), nl) + nl
    suffix = nl + text_block(draw(LINES), nl)
    body = intro + "".join(owned) + "".join(regions)
    block = f"<!-- agent-update:start:data-flow -->{nl}{body}<!-- agent-update:end -->{nl}"
    return Doc(prefix + block + suffix, nl, regions, custom)


@st.composite
def generated(draw: st.DrawFn) -> dict[str, str]:
    """New generated bodies (the code changed), one per owned subsection."""
    return {slug: "\n".join(draw(LINES)) + "\n" for slug in OWNED_SLUGS}


def outside(text: str) -> tuple[str, str]:
    block = parse_document(text, PATH).block("data-flow")
    return text[: block.start], text[block.end :]


def readonly_texts(text: str) -> tuple[str, ...]:
    return tuple(r.text for r in parse_document(text, PATH).block("data-flow").readonly)


def section_of(text: str, heading: str, nl: str) -> str:
    """A subsection's text, from its heading to the next `## ` heading or readonly marker."""
    start = text.index(f"## {heading}{nl}")
    ends = [text.find(mark, start + 1) for mark in (f"{nl}## ", "<!-- agent-")]
    end = min(e for e in ends if e != -1)
    return text[start:end]


@PROPERTY
@given(documents(), generated(), generated(), st.data())
def test_edits_outside_the_block_and_in_readonly_regions_survive(
    doc: Doc, first: dict[str, str], second: dict[str, str], data: st.DataObject
) -> None:
    base = refresh_doc(PATH, doc.text, first).new
    before, after = outside(base)
    block = base[len(before) : len(base) - len(after)]
    # A person edits the text around the block, and the readonly regions.
    before = before + text_block(data.draw(LINES), doc.nl)
    after = text_block(data.draw(LINES), doc.nl) + after
    edited = before + block + after
    for region in readonly_texts(edited):
        replacement = region + text_block(data.draw(LINES), doc.nl)
        edited = edited.replace(region, replacement, 1)
    new = refresh_doc(PATH, edited, second).new
    assert outside(new) == outside(edited)
    assert readonly_texts(new) == readonly_texts(edited)
    assert refresh_doc(PATH, new, second).new == new, "idempotent"


@PROPERTY
@given(documents(), generated(), generated(), st.sampled_from(OWNED_SECTIONS), LINES)
def test_a_hand_edited_subsection_is_kept_unless_forced(
    doc: Doc,
    first: dict[str, str],
    second: dict[str, str],
    section: tuple[str, str],
    words: list[str],
) -> None:
    slug, heading = section
    base = refresh_doc(PATH, doc.text, first).new
    old = section_of(base, heading, doc.nl)
    hand = old + text_block(["Edited by hand: " + w for w in words], doc.nl)
    edited = base.replace(old, hand, 1)
    change = refresh_doc(PATH, edited, second)
    assert change.hand_edited == (slug,)
    assert section_of(change.new, heading, doc.nl) == hand
    assert outside(change.new) == outside(edited)
    assert readonly_texts(change.new) == readonly_texts(edited)
    assert doc.custom.rstrip(doc.nl) in change.new, "a person's own subsection is kept"
    forced = refresh_doc(PATH, edited, second, force=True)
    assert "Edited by hand: " not in section_of(forced.new, heading, doc.nl)
    assert outside(forced.new) == outside(edited), "force touches only the owned text"


@settings(PROPERTY, max_examples=250)
@given(documents(), generated(), generated(), LINES)
def test_a_persons_own_subsection_is_kept_whatever_they_write(
    doc: Doc, first: dict[str, str], second: dict[str, str], words: list[str]
) -> None:
    base = refresh_doc(PATH, doc.text, first).new
    custom = doc.custom.rstrip(doc.nl)
    assert custom in base
    mine = custom + doc.nl + text_block(words, doc.nl).rstrip(doc.nl)
    edited = base.replace(custom, mine, 1)
    new = refresh_doc(PATH, edited, second).new
    assert mine in new
    assert outside(new) == outside(edited)


@settings(max_examples=1750, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.sampled_from(["push", "person", "refresh"]), st.binary(max_size=20)),
        min_size=1,
        max_size=8,
    )
)
def test_a_persons_commit_on_the_bot_branch_survives_any_refreshes(
    steps: list[tuple[str, bytes]],
) -> None:
    repo = FakeRepo()
    doc = "docs/data-flow.md"
    repo.commit_files("main", {doc: b"old\n", "app.py": b"import os\n"})
    person_tip: str | None = None
    person_files: dict[str, bytes] | None = None
    for n, (step, content) in enumerate(steps):
        branch = branch_for("main")
        if step == "push":
            repo.commit_files("main", {"app.py": b"import os\n# " + str(n).encode() + b"\n"})
        elif step == "person" and branch in repo.branches:
            person_tip = repo.commit_files(branch, {doc: b"by hand " + content + b"\n"})
            person_files = dict(repo.commits[person_tip].files)
        sha = repo.branches["main"]
        new = b"generated " + content + b"\n"
        proposal = Proposal(
            base="main",
            head=Head(sha, "tree-" + sha),
            files={doc: new},
            origin={doc: repo.commits[sha].files[doc]},
            title="docs: refresh",
            labels=("documentation",),
        )
        done = publish(FakeGateway(repo), proposal, BOT_IDENTITY)
        if person_tip is not None:
            assert done.action == "blocked"
            assert repo.branches[branch] == person_tip
            assert repo.commits[person_tip].files == person_files
    open_pulls = [p for p in repo.pulls if p.state == "open"]
    assert len(open_pulls) <= 1
