"""Ruby jobs that perform through their base class or job-iteration's methods, notifier
classes, and record streams a template subscribes to. Invented fixtures, with look-alikes."""

from __future__ import annotations

import time

from bot.core.analysis.handoffs_ruby import ruby_sites
from bot.core.analysis.handoffs_views import template_sites
from tests.core.analysis.analysed import by_name, ends, facts_of

JOBS = {
    "app/jobs/application_job.rb": b"class ApplicationJob < ActiveJob::Base\nend\n",
    "app/jobs/sweep/walk_job.rb": (
        b"class Sweep::WalkJob < ApplicationJob\n"  # 1
        b"  include JobIteration::Iteration\n"
        b"end\n"
    ),
    "app/jobs/sweep/shelf_walk_job.rb": (
        b"class Sweep::ShelfWalkJob < Sweep::WalkJob\n"  # 1
        b"  def mime_kinds\n    raise NotImplementedError\n  end\n\n"
        b"  def build_enumerator(cursor:)\n"  # 6
        b"    enumerator_builder.active_record_on_records(Shelf.all, cursor: cursor)\n"
        b"  end\n\n"
        b"  def each_iteration(shelf)\n    dust(shelf)\n  end\nend\n"
    ),
    "app/jobs/sweep/dust_base.rb": b"class Sweep::DustBase < Sweep::ShelfWalkJob\nend\n",
    "app/jobs/sweep/dust_jars.rb": (
        b"class Sweep::DustJars < Sweep::DustBase\n  queue_as :low\n"
        b"  def dust(shelf)\n    shelf.jars.each(&:wipe)\n  end\nend\n"
    ),
    # enqueued, but its base is a model, not a job that performs: no consumer
    "app/models/jar.rb": b"class Jar < ApplicationRecord\nend\n",
    # a loop of subclasses: the walk stops
    "app/jobs/loop_a.rb": b"class LoopA < LoopB\nend\n",
    "app/jobs/loop_b.rb": b"class LoopB < LoopA\nend\n",
    "app/controllers/shelves_controller.rb": (
        b"class ShelvesController < ApplicationController\n"
        b"  def dust\n"
        b"    Sweep::DustJars.perform_later\n"  # 3
        b"    Jar.perform_later\n"
        b"    LoopA.perform_later\n"
        b"    # Sweep::Phantom.perform_later\n"
        b"  end\nend\n"
    ),
}


def test_a_job_performs_through_the_nearest_base_that_defines_its_iteration() -> None:
    hs = by_name(facts_of(JOBS))
    producers, consumers = ends(hs["DustJars"])
    assert producers == {"app/controllers/shelves_controller.rb:3"}
    assert consumers == {"app/jobs/sweep/dust_jars.rb:1", "app/jobs/sweep/shelf_walk_job.rb:6"}
    # the abstract base is no hand-off of its own; the look-alikes pair with nothing
    assert "ShelfWalkJob" not in hs
    assert not hs["Jar"].consumers
    assert not hs["LoopA"].consumers
    assert "Phantom" not in hs


def test_notifier_classes_and_their_deliveries() -> None:
    files = {
        "app/notifiers/kettle_notifier.rb": (
            b"class KettleNotifier < BaseNotifier\n"
            b"  deliver_by :email do |c|\n    c.mailer = 'KettleMailer'\n  end\nend\n"
        ),
        "app/controllers/kettles_controller.rb": (
            b"class KettlesController < ApplicationController\n"
            b"  def boil\n"
            b"    KettleNotifier.with(kettle: @kettle).deliver(current_user)\n"  # 3
            b"    KettleMailer.with(kettle: @kettle).boiled.deliver_later\n"
            b"    note = 'KettleNotifier.with(x: 1).deliver(y)'\n"
            b"    options.with(a).deliver\n"
            b"  end\nend\n"
        ),
    }
    hs = by_name(facts_of(files))
    assert ends(hs["KettleNotifier"]) == (
        {"app/controllers/kettles_controller.rb:3"},
        {"app/notifiers/kettle_notifier.rb:1"},
    )
    assert hs["KettleNotifier"].mechanism == "notifier"


def test_a_record_push_pairs_with_the_templates_that_subscribe_to_it() -> None:
    files = {
        "app/jobs/bake_job.rb": (
            b"class BakeJob < ApplicationJob\n  def perform(id)\n"
            b"    @loaf = Loaf.find(id)\n"
            b"    @loaf.broadcast_refresh\n"  # 4
            b"    crumb.broadcast_replace_later_to(:crumbs)\n"
            b"    # tray.broadcast_refresh\n"
            b"  end\nend\n"
        ),
        "app/views/loaves/show.html.erb": (
            b"<h1><%= @loaf.name %></h1>\n"
            b"<%= turbo_stream_from @loaf %>\n"  # 2
            b"<%= turbo_stream_from Loaf.model_name.plural %>\n"
            b"<p>turbo_stream_from tray</p>\n"
        ),
        "app/components/loaf_card.rb": (
            b"class LoafCard < Components::Base\n  def view_template\n"
            b"    turbo_stream_from loaf\n  end\nend\n"  # 3
        ),
    }
    hs = by_name(facts_of(files))
    assert ends(hs["loaf stream"]) == (
        {"app/jobs/bake_job.rb:4"},
        {"app/views/loaves/show.html.erb:2", "app/components/loaf_card.rb:3"},
    )
    # a subscription nothing pushes to is no hand-off (the paragraph's words included)
    assert "tray stream" not in hs


def test_hostile_inputs_stay_fast() -> None:
    start = time.process_time()
    template_sites(b"<%= turbo_stream_from " * 200_000 + b"@x" * 100_000)
    template_sites(b"turbo_stream_from a\n" * 300_000)
    ruby_sites("class A < B\n" * 100_000 + "class " + "C" * 500_000 + " < D\n")
    ruby_sites("  X.with(" + "(" * 200_000 + ").deliver\n" + "x.broadcast_" * 100_000)
    ruby_sites("class N\n" + "  deliver_by :e\n" * 100_000 + "end\n")
    assert time.process_time() - start < 10
