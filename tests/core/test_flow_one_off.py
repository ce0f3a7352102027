"""Workers that only migrations set going are ranked with the commands (`flow_one_off`)."""

from __future__ import annotations

from bot.core.flow_one_off import one_off_workers
from bot.core.model import Evidence, Handoff, Schedule
from tests.core.test_flow_calls import facts_of


def _h(name: str, producers: list[str], consumer: str) -> Handoff:
    return Handoff(
        name, "activejob", tuple(Evidence(p, 3) for p in producers), (Evidence(consumer, 2),)
    )


def test_jobs_only_migrations_enqueue_are_one_offs_and_so_are_the_jobs_they_fan_out() -> None:
    handoffs = [
        _h("BackfillJob", ["db/data/20250101_backfill.rb"], "app/jobs/backfill_job.rb"),
        _h("BackfillUserJob", ["app/jobs/backfill_job.rb"], "app/jobs/backfill_user_job.rb"),
        _h("ReindexJob", ["proj/app/migrations/0004_reindex.py"], "proj/app/tasks.py"),
        # Also enqueued by a controller: a job of the running product.
        _h("SyncJob", ["db/migrate/2024_sync.rb", "app/controllers/x.rb"], "app/jobs/sync_job.rb"),
        # Enqueued by a migration, but a clock runs it too.
        _h("NightlyJob", ["db/migrate/2024_n.rb"], "app/jobs/nightly_job.rb"),
        # Nothing enqueues it: no sign it is a one-off.
        _h("LoneJob", [], "app/jobs/lone_job.rb"),
    ]
    clock = [Schedule("nightly", "0 1 * * *", "cron", (), target="NightlyJob")]
    assert one_off_workers(handoffs, clock) == {
        "app/jobs/backfill_job.rb",
        "app/jobs/backfill_user_job.rb",
        "proj/app/tasks.py",
    }


def test_a_one_off_jobs_flow_is_ranked_with_the_commands() -> None:
    files = {
        "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\ngem 'pg'\n",
        "config/database.yml": b"default: &default\n  adapter: postgresql\n",
        "app/models/application_record.rb": (
            b"class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n"
        ),
        "app/models/widget.rb": b"class Widget < ApplicationRecord\nend\n",
        "db/migrate/20250101000000_fill_widgets.rb": (
            b"class FillWidgets < ActiveRecord::Migration[7.1]\n"
            b"  def up\n    FillWidgetsJob.perform_later\n  end\nend\n"
        ),
        "app/jobs/fill_widgets_job.rb": (
            b"class FillWidgetsJob < ApplicationJob\n"
            b"  def perform\n    Widget.where(size: nil).update_all(size: 1)\n  end\nend\n"
        ),
        "app/jobs/count_widgets_job.rb": (
            b"class CountWidgetsJob < ApplicationJob\n"
            b"  def perform\n    Widget.where(size: 1).update_all(size: 2)\n  end\nend\n"
        ),
        "app/controllers/widgets_controller.rb": (
            b"class WidgetsController < ApplicationController\n"
            b"  def create\n    CountWidgetsJob.perform_later\n  end\nend\n"
        ),
    }
    ranks = {f.hops[0].path: f.rank for f in facts_of(files).flows}
    assert ranks["app/jobs/fill_widgets_job.rb"] == "cli"
    assert ranks["app/jobs/count_widgets_job.rb"] == "deployed"
