from __future__ import annotations

from collections.abc import Iterator

from bot.app.jobs import Action, Drop, Job, refresh_job
from bot.app.routing import Router
from bot.app.webhooks import Event
from bot.handlers import ROUTERS, router


def event(name: str, **payload: object) -> Event:
    return Event(name, "d", {"installation": {"id": 1}, **payload})


def test_handlers_for_any_action_and_for_one_action_both_run() -> None:
    r = Router()

    @r.register("issues")
    def every(e: Event) -> Iterator[Action]:
        yield Drop(1)

    @r.register("issues", "opened")
    def opened(e: Event) -> Iterator[Action]:
        yield Job("x")

    assert r.dispatch(event("issues", action="opened")) == [Drop(1), Job("x")]
    assert r.dispatch(event("issues", action="closed")) == [Drop(1)]
    assert r.dispatch(event("push")) == []
    assert r.handles("issues")
    assert not r.handles("push")


def test_composed_router_holds_every_feature() -> None:
    assert {"push", "installation", "installation_repositories"} <= set(router.events())
    assert Router(*ROUTERS).events() == router.events()


REPO = {"full_name": "o/r", "default_branch": "main"}


def test_push_to_a_branch_queues_a_refresh_from_the_first_before() -> None:
    push = event("push", ref="refs/heads/main", before="a" * 40, repository=REPO)
    assert router.dispatch(push) == [
        refresh_job(
            1, "o/r", "main", reason="push", before="a" * 40, default_branch="main", settle=True
        )
    ]


def test_new_branch_push_has_no_before() -> None:
    push = event("push", ref="refs/heads/dev", before="0" * 40, created=True, repository=REPO)
    (job,) = router.dispatch(push)
    assert isinstance(job, Job)
    assert "before" not in job.args


def test_tags_deletions_bot_branches_and_plain_hooks_are_ignored() -> None:
    assert router.dispatch(event("push", ref="refs/tags/v1", repository=REPO)) == []
    assert router.dispatch(event("push", ref="refs/heads/x", deleted=True, repository=REPO)) == []
    bot_branch = event("push", ref="refs/heads/docs-refresh/main", repository=REPO)
    assert router.dispatch(bot_branch) == []
    no_install = Event("push", "d", {"ref": "refs/heads/main", "repository": REPO})
    assert router.dispatch(no_install) == []


def test_installation_queues_one_install_job_for_its_repositories() -> None:
    repos = [{"full_name": "o/b"}, {"full_name": "o/a"}]
    (job,) = router.dispatch(event("installation", action="created", repositories=repos))
    assert isinstance(job, Job)
    assert (job.name, job.args["repos"], job.installation_id) == ("install", ["o/a", "o/b"], 1)


def test_removals_drop_pending_work() -> None:
    assert router.dispatch(event("installation", action="deleted")) == [Drop(1)]
    removed = event(
        "installation_repositories", action="removed", repositories_removed=[{"full_name": "o/a"}]
    )
    assert router.dispatch(removed) == [Drop(1, ("o/a",))]
