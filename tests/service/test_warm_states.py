"""WarmStates: one job at a time per branch, a bounded number kept."""

from __future__ import annotations

from bot.service.warm_states import WarmStates


def test_a_state_is_given_back_and_found_again() -> None:
    states = WarmStates()
    with states.use(("1", "o/r", "main")) as warm:
        warm.generation = 7
    with states.use(("1", "o/r", "main")) as again:
        assert again is warm


def test_a_second_job_on_the_same_branch_starts_cold_instead_of_sharing() -> None:
    states = WarmStates()
    with states.use("k") as first, states.use("k") as second:
        assert second is not first


def test_only_the_most_recently_used_are_kept() -> None:
    states = WarmStates(kept=2)
    for key in ("a", "b", "c"):
        with states.use(key):
            pass
    assert len(states) == 2
    with states.use("a") as warm:
        assert warm.generation == 0  # "a" was dropped: a fresh state


def test_a_failing_job_still_gives_its_state_back() -> None:
    states = WarmStates()
    try:
        with states.use("k") as warm:
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with states.use("k") as again:
        assert again is warm
