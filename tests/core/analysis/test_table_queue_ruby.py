"""An ActiveRecord table claimed as a queue: the app creates rows (directly, through an
association, or through a method of its own), a worker's job claims them with a lock
column and processes them. One hand-off per model, across files; and scheduled tasks
written as subclasses of a task base class."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bot.core.analysis import analyze
from bot.core.analysis.ruby import extract_ruby
from bot.core.analysis.schedules_ruby import task_class_schedules
from bot.core.analysis.table_queue_ruby import claim_sites, link_ruby_tables
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence, Handoff
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

WORKER = """\
module Pipeline
  class DrainExportsJob < BaseJob

    def call
      @owner = "worker-#{rand(1000)}"
      claim_one
      process_claimed
    end

    private

    def claim_one
      ExportRequest.where(claimed_by: nil)
                   .pending
                   .limit(1)
                   .update_all(claimed_by: @owner, claimed_at: Time.now)
    end

    def process_claimed
      ExportRequest.where(claimed_by: @owner).each { |r| Exporter.new(r).run }
    end

    def forget_sessions
      Session.where(stale: true).update_all(revoked: true)
    end

  end
end
"""

FILES = {
    "Gemfile": 'source "https://rubygems.org"\ngem "rails"\n',
    "app/models/export_request.rb": (
        "class ExportRequest < ApplicationRecord\n"
        "  belongs_to :account\n\n"
        "  class << self\n\n"
        "    def request_for(account, format)\n"
        "      account.export_requests.create!(format: format)\n"
        "    end\n\n"
        "  end\nend\n"
    ),
    "app/models/report.rb": (
        "class Report < ApplicationRecord\n"
        "  def queue_for_export\n"
        "    ExportRequest.create!(report_id: id, format: :pdf)\n"
        "  end\n\n"
        "  def publish\n"
        "    update!(published: true)\n"
        "    queue_for_export if exportable?\n"
        "  end\n\n"
        "  def save_note\n"
        "    Note.create!(report_id: id)\n"
        "  end\nend\n"
    ),
    "app/controllers/exports_controller.rb": (
        "class ExportsController < ApplicationController\n"
        "  def create\n"
        "    ExportRequest.request_for(current_account, params[:format])\n"
        "    head :accepted\n"
        "  end\n\n"
        "  def retry\n"
        "    @report.queue_for_export\n"
        "  end\nend\n"
    ),
    "app/lib/pipeline/drain_exports_job.rb": WORKER,
}


def handoffs() -> dict[str, Handoff]:
    snapshot = MemorySnapshot({p: t.encode() for p, t in FILES.items()})
    facts = analyze(snapshot, MemoryFactsCache(), default_catalog())
    return {h.name: h for h in facts.handoffs}


def test_a_worker_that_claims_rows_with_a_lock_column_consumes_the_table() -> None:
    sites = claim_sites(WORKER)
    # cited at the job's entry method, which calls the claiming method; the update_all that
    # sets no lock column (`revoked: true`) claims nothing
    assert [(s.role, s.mechanism, s.name, s.line) for s in sites] == [
        ("consume", "db-table", "ExportRequest", 4)
    ]


def test_rows_made_directly_through_an_association_or_a_method_are_produced() -> None:
    found = handoffs()
    export = found["ExportRequest"]
    assert export.mechanism == "db-table"
    assert export.consumers == (Evidence("app/lib/pipeline/drain_exports_job.rb", 4),)
    assert set(export.producers) == {
        Evidence("app/models/export_request.rb", 7),  # account.export_requests.create!
        Evidence("app/models/report.rb", 3),  # ExportRequest.create!
        Evidence("app/models/report.rb", 8),  # queue_for_export, in its own class
        Evidence("app/controllers/exports_controller.rb", 3),  # ExportRequest.request_for
        Evidence("app/controllers/exports_controller.rb", 8),  # @report.queue_for_export
    }
    assert "Note" not in found  # nothing claims its rows
    assert "Session" not in found


def test_a_claim_without_a_lock_column_or_skip_locked_is_no_queue() -> None:
    plain = "class A\n  def call\n    Flag.where(x: 1).update_all(seen: true)\n  end\nend\n"
    assert claim_sites(plain) == ()
    skip_locked = (
        "class Poll\n  def perform\n"
        '    Ticket.pending.lock("FOR UPDATE SKIP LOCKED").limit(5).each { |t| t.run! }\n'
        "  end\nend\n"
    )
    assert [(s.name, s.line) for s in claim_sites(skip_locked)] == [("Ticket", 2)]


TASKS = """\
class NightlyDigestTask < BasePeriodicJob

  def call
    Digest.deliver_all
  end

  def self.next_run_at
    tomorrow_at_six
  end

end
"""


def test_subclasses_of_a_task_base_are_schedules_at_their_timing_method() -> None:
    sites = task_class_schedules(TASKS)
    assert {(s.name, s.schedule, s.line) for s in sites} == {
        ("NightlyDigestTask", "tomorrow_at_six", 1),
        ("NightlyDigestTask", "tomorrow_at_six", 7),
    }
    inherited = task_class_schedules(
        "class SweepTask < App::ApplicationScheduledTask\n  def call\n  end\nend\n"
    )
    assert [(s.name, s.schedule, s.line) for s in inherited] == [
        ("SweepTask", "as ApplicationScheduledTask", 1)
    ]


def test_a_job_or_model_named_like_a_task_is_no_schedule() -> None:
    look_alikes = (
        "class ImportTask < ApplicationJob\n  def self.schedule(x)\n    perform_later(x)\n"
        "  end\nend\n"
        "class ScheduledTaskList < ApplicationRecord\nend\n"
        "class PeriodicJobRunner\n  def self.next_run_at\n    1.hour.from_now\n  end\nend\n"
    )
    assert task_class_schedules(look_alikes) == ()


HOSTILE = [
    "class J\n"
    + "  def call\n    claim\n  end\n" * 20_000
    + "  def claim\n"
    + "    Row.where(a: 1).update_all(locked_by: 1)\n" * 60
    + "  end\nend\n",
    "Row\n" + "  .where(x: 1)\n" * 100_000 + "  .update_all(locked_at: now)\n",
    "Row.update_all(" + "(" * 200_000 + "\n",
    "Row.lock('" + "SKIP " * 50_000 + "\n",
    "class A < BaseScheduledTask\n" + "  def self.next_run_at\n" * 40_000,
    "".join(f"class T{i} < AppPeriodicJob\n  def self.interval = {i}\n" for i in range(20_000)),
    "class " + "A::" * 50_000 + "B < C\n",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:16])
def test_hostile_claims_and_task_classes(text: str) -> None:
    start = time.process_time()
    claim_sites(text)
    task_class_schedules(text)
    assert time.process_time() - start < 2.0


def test_hostile_producers_across_files() -> None:
    worker = "class W\n  def call\n    Row.where(a: 1).update_all(locked_by: 1)\n  end\nend\n"
    made = "class Row\n" + "  def make_row_now\n    Row.create!(x: 1)\n  end\n" * 5_000 + "end\n"
    calls = ("x.make_row_now\n" * 50_000) + ("y." + "make_row_now" * 30_000 + "\n")
    files = {"w.rb": worker, "row.rb": made, "calls.rb": calls}
    facts = {p: replace(extract_ruby(t), handoffs=claim_sites(t)) for p, t in files.items()}
    start = time.process_time()
    added, _ = link_ruby_tables(facts, files.get, lambda _: False)
    assert time.process_time() - start < 3.0
    assert sum(len(s) for s in added.values()) <= 60
