"""Rake tasks of a namespace named for a clock (`schedules_rake`)."""

from __future__ import annotations

import time

from bot.core.analysis.schedules import schedules_for
from bot.core.analysis.schedules_rake import EXTERNAL, rake_schedules
from bot.core.analysis.schedules_restarts import DEFAULT, restart_schedules

TASKS = """\
# namespace :cron do   (a comment: not a namespace)
namespace :nightly_cron do
  desc "Sweeps the lockers"
  task sweep_lockers: :environment do
    Locker.expired.each(&:sweep!)
  end

  task :ring_bell => [:environment] do
    next unless Date.current.friday?
    BellJob.perform_later
  end

  task "tidy-shelves", [:count] do |_t, args|
    Shelf.tidy(args[:count])
  end

  task disabled_one: :environment do
    # Shelf.burn_all
  end

  task parked: :environment do
    next
    # Shelf.park
  end

  namespace :deep do
    task dig: :environment do
      Hole.dig!
    end
  end
end

namespace :db do
  task reset_lockers: :environment do
    Locker.delete_all
  end
end

puts "namespace :schedule do"
"""


def test_the_tasks_of_a_clock_namespace_are_schedules() -> None:
    sites = {s.name: s for s in rake_schedules(TASKS)}
    assert sorted(sites) == [
        "nightly_cron:deep:dig",
        "nightly_cron:ring_bell",
        "nightly_cron:sweep_lockers",
        "nightly_cron:tidy-shelves",
    ]
    assert sites["nightly_cron:sweep_lockers"].line == 4
    assert sites["nightly_cron:sweep_lockers"].schedule == "nightly"
    assert sites["nightly_cron:ring_bell"].schedule.startswith("Fridays only")
    assert sites["nightly_cron:deep:dig"].target == "rake nightly_cron:deep:dig"


def test_a_scheduled_namespace_does_not_claim_a_cadence() -> None:
    text = "namespace :scheduled do\n  task water_plants: :environment do\n    Plant.water\n"
    text += "  end\nend\n"
    (site,) = schedules_for("ruby", text)
    assert (site.name, site.schedule, site.mechanism) == (
        "scheduled:water_plants",
        EXTERNAL,
        "rake",
    )


def test_other_namespaces_and_look_alikes_are_not_schedules() -> None:
    assert rake_schedules("namespace :assets do\n  task build: :x do\n    go\n  end\nend\n") == ()
    assert rake_schedules("task schedule: :environment do\n  go\nend\n") == ()
    # `schedules` is a model here, not a clock: the namespace's words must name one.
    text = "namespace :schedules_admin_export do\n  task x: :y do\n    go\n  end\nend\n"
    assert rake_schedules(text) == ()
    # A task after the clock namespace closed is not in it.
    text = "namespace :cron do\nend\ntask later: :environment do\n  go\nend\n"
    assert rake_schedules(text) == ()


def test_hostile_rake_files_are_bounded() -> None:
    start = time.process_time()
    rake_schedules("namespace :cron do\n" * 100_000 + "  task a: :b do\n    go\n  end\n")
    rake_schedules("namespace :cron do\n" + "  task a: :b do\n" * 100_000)
    rake_schedules("namespace :cron do\n  task " + "a" * 1_000_000 + ": :b do\n")
    rake_schedules("namespace :cron do\n  task a: :b do\n    next unless " + "x." * 500_000 + "\n")
    rake_schedules(("  " * 5_000 + "namespace :cron do\n") * 200)
    assert time.process_time() - start < 10


def test_a_rolling_restart_call_is_a_schedule_and_its_look_alikes_are_not() -> None:
    text = (
        "def enable_rolling_restart(period)\n"
        "  # Reaper.enable_rolling_restart(60)\n"
        "end\n"
        'note = "Reaper.enable_rolling_restart(5)"\n'
        "before_fork do\n"
        "  Reaper.enable_rolling_restart(4 * 3600) # a comment\n"
        "  Other.rolling_restart!\n"
        "end\n"
    )
    sites = {s.name: s for s in restart_schedules(text)}
    assert sorted(sites) == ["Other.rolling_restart!", "Reaper.enable_rolling_restart"]
    assert sites["Reaper.enable_rolling_restart"].schedule == "every 4 * 3600"
    assert sites["Reaper.enable_rolling_restart"].line == 6
    assert sites["Other.rolling_restart!"].schedule == DEFAULT


def test_hostile_restart_lines_are_bounded() -> None:
    start = time.process_time()
    restart_schedules(("a" * 100_000 + "rolling_restart") * 20)
    restart_schedules("x.rolling_restart(" + " " * 1_000_000 + "\n")
    restart_schedules("rolling_restart\n" * 200_000)
    assert time.process_time() - start < 10
