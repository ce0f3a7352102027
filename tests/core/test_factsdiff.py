from __future__ import annotations

from dataclasses import replace

from bot.core.factsdiff import NO_CHANGES, FactsDiff, diff_facts
from bot.core.model import Edge, Entrypoint, Evidence, RepoFacts, Service

E = Evidence

BASE = RepoFacts(
    entrypoints=(Entrypoint("web", "http", (E("app.py", 3),)),),
    edges=(Edge("api", "db", 2, (E("api/x.py", 1),)),),
    datastores=(Service("Redis", "cache", "declared", (E("requirements.txt", 2),)),),
    integrations=(Service("Stripe", "payments", "used", (E("pay.py", 1),)),),
)


def test_identical_facts_give_an_empty_diff() -> None:
    diff = diff_facts(BASE, BASE)
    assert diff.empty
    assert not diff
    assert diff.to_markdown() == NO_CHANGES + "\n"


def test_moved_evidence_is_not_a_change() -> None:
    moved = replace(BASE, integrations=(Service("Stripe", "payments", "used", (E("pay.py", 40),)),))
    assert diff_facts(BASE, moved).empty


def test_added_and_removed_items_are_reported() -> None:
    new = replace(
        BASE,
        entrypoints=(*BASE.entrypoints, Entrypoint("worker", "worker", (E("tasks.py", 1),))),
        edges=(Edge("api", "core", 1, (E("api/y.py", 4),)),),
        integrations=(Service("SendGrid", "email", "used", (E("mail.py", 2),)),),
    )
    diff = diff_facts(BASE, new)
    assert [s.name for s in diff.integrations_added] == ["SendGrid"]
    assert [s.name for s in diff.integrations_removed] == ["Stripe"]
    assert [e.name for e in diff.entrypoints_added] == ["worker"]
    assert [(e.source, e.target) for e in diff.edges_added] == [("api", "core")]
    assert [(e.source, e.target) for e in diff.edges_removed] == [("api", "db")]
    assert diff.datastores_added == diff.datastores_removed == ()


def test_strength_change_is_reported_once() -> None:
    used = replace(BASE, datastores=(Service("Redis", "cache", "used", (E("cache.py", 1),)),))
    diff = diff_facts(BASE, used)
    assert diff.datastores_added == ()
    assert [(o.strength, n.strength) for o, n in diff.strength_changed] == [("declared", "used")]


def test_markdown_lists_changes_with_evidence_and_custom_links() -> None:
    new = replace(BASE, integrations=(Service("SendGrid", "email", "used", (E("mail.py", 2),)),))
    diff = diff_facts(BASE, new)
    assert diff.to_markdown().splitlines()[2:] == [
        "- Integration added: **SendGrid** (email) — `mail.py:2`",
        "- Integration removed: **Stripe** (payments)",
    ]
    linked = diff.to_markdown(lambda ev: f"[{ev.path}](https://x/blob/abc/{ev.path}#L{ev.line})")
    assert "[mail.py](https://x/blob/abc/mail.py#L2)" in linked


def test_repository_text_is_escaped_in_markdown() -> None:
    diff = FactsDiff(integrations_added=(Service("<!-- x -->", "`y`", "used", ()),))
    assert diff.to_markdown().splitlines()[2] == "- Integration added: **&lt;!-- x --&gt;** ('y')"


def test_code_evidence_is_cited_before_manifests() -> None:
    new = replace(
        BASE,
        integrations=(
            *BASE.integrations,
            Service("SendGrid", "email", "used", (E("requirements.txt", 7), E("shop/mail.py", 5))),
        ),
    )
    (line,) = diff_facts(BASE, new).lines()
    assert line.endswith("— `shop/mail.py:5`, `requirements.txt:7`")


def test_flows_and_hand_offs_added_or_removed_are_named() -> None:
    from bot.core.model import Flow, Handoff, Hop

    flow = Flow(
        "/orders (app/web.py) → charge",
        "http",
        "public",
        (Hop("app/web.py", 3, "http entry point"),),
        (Hop("app/web.py", 7, "enqueues charge (celery)"),),
    )
    handoff = Handoff("charge", "celery", (Evidence("app/web.py", 7),), ())
    diff = diff_facts(RepoFacts(), RepoFacts(flows=(flow,), handoffs=(handoff,)))
    lines = diff.lines()
    assert "Flow added: **/orders (app/web.py) → charge** — `app/web.py:3`, `app/web.py:7`" in lines
    assert "Hand-off added: **charge** (celery) — `app/web.py:7`" in lines
    back = diff_facts(RepoFacts(flows=(flow,)), RepoFacts()).lines()
    assert back == ["Flow removed: **/orders (app/web.py) → charge**"]
    # A flow past the caps is in `facts --json`, not in the doc: no news in the pull request.
    past = replace(flow, featured=False)
    assert diff_facts(RepoFacts(), RepoFacts(flows=(past,))).empty


def test_a_newly_called_host_is_named_as_new_egress() -> None:
    mail = Service(
        "SendGrid", "email", "used", (Evidence("app/mail.py", 9),), hosts=("api.sendgrid.com",)
    )
    diff = diff_facts(RepoFacts(), RepoFacts(integrations=(mail,)))
    assert "- Adds egress to **api.sendgrid.com** (SendGrid) — `app/mail.py:9`\n" in (
        diff.to_markdown()
    )
    again = diff_facts(RepoFacts(integrations=(mail,)), RepoFacts(integrations=(mail,)))
    assert again.empty
