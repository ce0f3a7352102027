"""Ruby hand-off and schedule idioms (issue 18), one small app per idiom in the shape its
library's documentation shows, and lookalikes that must not count. Harness: `idiom_apps.py`."""

from __future__ import annotations

import pytest

from tests.core.analysis import idiom_apps
from tests.core.analysis.idiom_apps import Idiom, misses

IDIOMS = [
    # --- Sidekiq ----------------------------------------------------------------------
    Idiom(
        "sidekiq-job-perform-async-in-at",
        {
            "app/sidekiq/hard_job.rb": "class HardJob\n  include Sidekiq::Job\n"
            "  sidekiq_options queue: 'critical', retry: 5\n\n"
            "  def perform(name, count)\n  end\nend\n",
            "app/controllers/work_controller.rb": "class WorkController < ApplicationController\n"
            "  def create\n    HardJob.perform_async('bob', 5)\n"
            "    HardJob.perform_in(5.minutes, 'bob', 5)\n"
            "    HardJob.perform_at(1.hour.from_now, 'bob', 5)\n  end\nend\n",
        },
        handoffs=(("HardJob", "app/controllers/work_controller.rb", "app/sidekiq/hard_job.rb"),),
    ),
    Idiom(
        "sidekiq-worker-in-a-module",
        {
            "app/workers/billing/charge_worker.rb": "module Billing\n  class ChargeWorker\n"
            "    include Sidekiq::Worker\n\n    def perform(id)\n    end\n  end\nend\n",
            "app/models/order.rb": "class Order < ApplicationRecord\n"
            "  after_commit { Billing::ChargeWorker.perform_async(id) }\nend\n",
        },
        handoffs=(("ChargeWorker", "app/models/order.rb", "app/workers/billing/charge_worker.rb"),),
    ),
    Idiom(
        "sidekiq-client-push-bulk-and-a-class-in-a-local",
        {
            "app/workers/page_fetch.rb": "class PageFetch\n  include Sidekiq::Worker\n"
            "  def perform(id)\n  end\nend\n",
            "app/workers/page_fetch_urgent.rb": "class PageFetchUrgent < PageFetch\n"
            "  sidekiq_options queue: :urgent\n  def perform(id)\n  end\nend\n",
            "app/workers/sweep.rb": "class Sweep\n  include Sidekiq::Worker\n"
            "  def perform(batch = nil)\n    return sweep(batch) if batch\n"
            "    Sidekiq::Client.push_bulk(\n      'args' => batches,\n"
            "      'class' => self.class\n    )\n  end\nend\n",
            "app/workers/tally.rb": "class Tally\n  include Sidekiq::Job\n"
            "  def perform(a, b)\n  end\nend\n",
            "app/models/page.rb": "class Page < ApplicationRecord\n  def refresh(now)\n"
            '    Sidekiq::Client.push_bulk("args" => ids, "class" => PageFetch)\n'
            "    Sidekiq::Client.push('class' => 'Tally', 'args' => [1, 2])\n"
            "    worker = now ? PageFetchUrgent : PageFetch\n"
            "    worker.perform_async(id)\n  end\nend\n",
        },
        handoffs=(
            ("PageFetch", "app/models/page.rb", "app/workers/page_fetch.rb"),
            ("PageFetchUrgent", "app/models/page.rb", "app/workers/page_fetch_urgent.rb"),
            ("Tally", "app/models/page.rb", "app/workers/tally.rb"),
            ("Sweep", "app/workers/sweep.rb", "app/workers/sweep.rb"),
        ),
    ),
    Idiom(
        "redis-set-as-a-queue-through-own-helpers",
        {
            "lib/queue_helpers.rb": "module QueueHelpers\n"
            "  def stash_id(key, id)\n    Sidekiq.redis { |r| r.sadd(key, id) }\n  end\n\n"
            "  def take_all(key)\n    Sidekiq.redis do |r|\n"
            "      r.multi { |m| m.smembers(key); m.del(key) }\n    end\n  end\nend\n",
            "app/workers/digest_flush.rb": "class DigestFlush\n  include Sidekiq::Worker\n"
            "  include QueueHelpers\n  PENDING = 'digest-pending'\n\n  def perform\n"
            "    ids = take_all(PENDING)\n  end\n\n  class Retry\n"
            "    include Sidekiq::Worker\n    include QueueHelpers\n"
            "    def perform(id)\n      stash_id(PENDING, id)\n    end\n  end\nend\n",
            "app/models/note.rb": "class Note < ApplicationRecord\n  include QueueHelpers\n"
            "  def queue_digest\n    stash_id(DigestFlush::PENDING, id)\n  end\nend\n",
        },
        handoffs=(
            ("DigestFlush::PENDING", "app/models/note.rb", "app/workers/digest_flush.rb"),
            ("DigestFlush::PENDING", "app/workers/digest_flush.rb", "app/workers/digest_flush.rb"),
        ),
    ),
    # --- ActiveJob, ActionMailer --------------------------------------------------------
    Idiom(
        "activejob-perform-later-set-and-all-later",
        {
            "app/jobs/guests_cleanup_job.rb": "class GuestsCleanupJob < ApplicationJob\n"
            "  queue_as :default\n\n  def perform(*guests)\n  end\nend\n",
            "app/jobs/welcome_job.rb": "class WelcomeJob < ApplicationJob\n"
            "  def perform(user)\n  end\nend\n",
            "app/models/guest.rb": "class Guest < ApplicationRecord\n  def cleanup\n"
            "    GuestsCleanupJob.perform_later(self)\n"
            "    GuestsCleanupJob.set(wait: 1.week, queue: :low).perform_later(self)\n  end\n"
            "  def self.welcome_all(users)\n"
            "    ActiveJob.perform_all_later(users.map { |u| WelcomeJob.new(u) })\n  end\nend\n",
        },
        handoffs=(
            ("GuestsCleanupJob", "app/models/guest.rb", "app/jobs/guests_cleanup_job.rb"),
            ("WelcomeJob", "app/models/guest.rb", "app/jobs/welcome_job.rb"),
        ),
    ),
    Idiom(
        "actionmailer-deliver-later",
        {
            "app/mailers/user_mailer.rb": "class UserMailer < ApplicationMailer\n"
            "  def welcome_email\n    mail(to: params[:user].email)\n  end\nend\n",
            "app/controllers/users_controller.rb": "class UsersController < ApplicationController\n"
            "  def create\n    UserMailer.with(user: @user).welcome_email.deliver_later\n"
            "  end\nend\n",
        },
        handoffs=(
            (
                "UserMailer.welcome_email",
                "app/controllers/users_controller.rb",
                "app/mailers/user_mailer.rb",
            ),
        ),
    ),
    Idiom(
        "activejob-nested-error-class-and-subfolder",
        {
            "app/jobs/purge_job.rb": "class PurgeJob < ApplicationJob\n  queue_as :default\n\n"
            "  class BadArgs < ArgumentError\n  end\n  class Other < StandardError; end\n\n"
            "  discard_on BadArgs\n\n  def perform(path:)\n  end\nend\n",
            "app/jobs/mirror/check_job.rb": "class Mirror::CheckJob < Mirror::ApplicationJob\n"
            "  class RetryError < StandardError\n  end\n\n  def perform(id)\n  end\nend\n",
            "app/jobs/notify_job.rb": "class NotifyJob < ApplicationJob\n"
            "  def perform(hook:)\n  end\nend\n",
            "app/models/cdn.rb": "class Cdn\n  def purge(id)\n"
            "    PurgeJob.perform_later(path: id)\n"
            "    Mirror::CheckJob\n      .set(wait: 5.seconds)\n      .perform_later(id)\n"
            "    job = NotifyJob.new(hook: self)\n    job.enqueue\n  end\nend\n",
        },
        handoffs=(
            ("PurgeJob", "app/models/cdn.rb", "app/jobs/purge_job.rb"),
            ("CheckJob", "app/models/cdn.rb", "app/jobs/mirror/check_job.rb"),
            ("NotifyJob", "app/models/cdn.rb", "app/jobs/notify_job.rb"),
        ),
    ),
    Idiom(
        "actionmailer-named-mailer-per-mail-method",
        {
            "app/mailers/mailer.rb": "class Mailer < ApplicationMailer\n"
            "  def email_reset(user)\n    mail(to: user.email)\n  end\n\n"
            "  def api_key_created(id)\n    mail(to: 'x')\n  end\nend\n",
            "app/mailers/owners_mailer.rb": "class OwnersMailer < ApplicationMailer\n"
            "  def owner_added(a, b)\n    mail(to: 'x')\n  end\nend\n",
            "app/controllers/keys_controller.rb": "class KeysController < ApplicationController\n"
            "  def create\n    Mailer.api_key_created(key.id).deliver_later\n"
            "    OwnersMailer.owner_added(\n      a,\n      b\n    ).deliver_later\n  end\nend\n",
        },
        handoffs=(
            (
                "Mailer.api_key_created",
                "app/controllers/keys_controller.rb",
                "app/mailers/mailer.rb",
            ),
            (
                "OwnersMailer.owner_added",
                "app/controllers/keys_controller.rb",
                "app/mailers/owners_mailer.rb",
            ),
        ),
        absent=("Mailer.email_reset", "Mailer"),
    ),
    # --- Resque, DelayedJob -------------------------------------------------------------
    Idiom(
        "resque-enqueue",
        {
            "app/jobs/image_conversion.rb": "class ImageConversion\n  @queue = :file_serve\n\n"
            "  def self.perform(repo_id, branch)\n  end\nend\n",
            "app/controllers/images_controller.rb": "class ImagesController\n  def create\n"
            "    Resque.enqueue(ImageConversion, params[:id], 'master')\n  end\nend\n",
        },
        handoffs=(
            (
                "ImageConversion",
                "app/controllers/images_controller.rb",
                "app/jobs/image_conversion.rb",
            ),
        ),
    ),
    Idiom(
        "delayed-job-delay-and-handle-asynchronously",
        {
            "app/models/device.rb": "class Device < ApplicationRecord\n"
            "  def deliver_push\n  end\n  handle_asynchronously :deliver_push\nend\n",
            "app/jobs/newsletter_job.rb": "class NewsletterJob < Struct.new(:text, :emails)\n"
            "  def perform\n  end\nend\n",
            "app/controllers/devices_controller.rb": "class DevicesController\n  def update\n"
            "    @device.deliver_push\n    @user.delay.activate!(@device)\n"
            "    Delayed::Job.enqueue(NewsletterJob.new('hi', emails))\n  end\nend\n",
        },
        handoffs=(
            (
                "NewsletterJob",
                "app/controllers/devices_controller.rb",
                "app/jobs/newsletter_job.rb",
            ),
            ("activate!", "app/controllers/devices_controller.rb", ""),
        ),
    ),
    # --- schedules ----------------------------------------------------------------------
    Idiom(
        "good-job-cron-in-application-rb",
        {
            "config/application.rb": "module Shop\n  class Application < Rails::Application\n"
            "    config.good_job.enable_cron = true\n"
            "    config.good_job.cron = {\n"
            "      frequent_task: {\n"
            "        cron: '*/15 * * * *',\n"
            "        class: 'FrequentTaskJob',\n"
            "        args: [42],\n"
            "      },\n"
            "      nightly: { cron: 'every day at 3am', class: 'NightlyJob' },\n"
            "    }\n  end\nend\n",
        },
        schedules=(
            ("config/application.rb", "FrequentTaskJob"),
            ("config/application.rb", "NightlyJob"),
        ),
    ),
    Idiom(
        "good-job-cron-in-an-initializer",
        {
            "config/initializers/good_job.rb": "Rails.application.configure do\n"
            "  config.good_job.cron = {\n"
            "    'sync.accounts' => {\n"
            "      cron: '0 * * * *',\n      class: 'SyncAccountsJob'\n    }\n  }\nend\n",
        },
        schedules=(("config/initializers/good_job.rb", "SyncAccountsJob"),),
    ),
    Idiom(
        "solid-queue-recurring-yml",
        {
            "config/recurring.yml": "production:\n"
            "  periodic_cleanup:\n    class: CleanSoftDeletedRecordsJob\n"
            "    queue: background\n    args: [ 1000, { batch_size: 500 } ]\n"
            "    schedule: every hour\n"
            '  periodic_command:\n    command: "SoftDeletedRecord.due.delete_all"\n'
            "    priority: 2\n    schedule: at 5am every day\n",
        },
        schedules=(
            ("config/recurring.yml", "CleanSoftDeletedRecordsJob"),
            ("config/recurring.yml", "periodic_command"),
        ),
    ),
    Idiom(
        "sidekiq-cron-schedule-yml",
        {
            "config/schedule.yml": 'my_first_job:\n  cron: "*/5 * * * *"\n'
            '  class: "HardJob"\n  queue: hard_worker\n',
        },
        schedules=(("config/schedule.yml", "HardJob"),),
    ),
    Idiom(
        "sidekiq-scheduler-in-sidekiq-yml",
        {
            "config/sidekiq.yml": ":concurrency: 5\n:queues:\n  - default\n"
            ":scheduler:\n  :schedule:\n    hello_world:\n"
            "      cron: '0 * * * * *'\n      class: HelloWorld\n"
            "    refresh:\n      every: '45m'\n      class: RefreshJob\n",
        },
        schedules=(("config/sidekiq.yml", "HelloWorld"), ("config/sidekiq.yml", "RefreshJob")),
    ),
    Idiom(
        "goodjob-cron-entry-added-by-key",
        {
            "config/initializers/good_job.rb": "Rails.application.configure do\n"
            "  config.good_job.cron = {}\n  if Rails.env.production?\n"
            "    config.good_job.cron[:verify_domains] = {\n      cron: '0 12 * * *',\n"
            "      class: 'VerifyDomainsJob',\n    }\n  end\nend\n",
        },
        schedules=(("config/initializers/good_job.rb", "VerifyDomainsJob"),),
    ),
    Idiom(
        "kubernetes-cronjob-in-an-erb-template",
        {
            "config/deploy/cleanup.yaml.erb": "apiVersion: batch/v1\nkind: CronJob\n"
            'metadata:\n  name: nightly-cleanup\nspec:\n  schedule: "0 3 * * *"\n'
            "  jobTemplate:\n    spec:\n      template:\n        spec:\n"
            "          containers:\n          - name: app\n"
            "            image: app:<%= current_sha %>\n            env:\n"
            "              <% if environment == 'production' %>\n"
            '              - name: A\n                value: "<%= environment %>"\n'
            "              <% else %>\n              - name: B\n                value: b\n"
            "              <% end %>\n",
        },
        schedules=(("config/deploy/cleanup.yaml.erb", "nightly-cleanup"),),
    ),
    Idiom(
        "whenever-schedule-rb",
        {
            "config/schedule.rb": "every 1.day, at: '4:30 am' do\n"
            "  runner 'Report.generate_daily'\nend\n\n"
            "every 3.hours do\n  rake 'cache:warm'\nend\n",
        },
        schedules=(
            ("config/schedule.rb", "Report.generate_daily"),
            ("config/schedule.rb", "cache:warm"),
        ),
    ),
    Idiom(
        "clockwork-every",
        {
            "clock.rb": "require 'clockwork'\nrequire './config/environment'\n\n"
            "module Clockwork\n  handler do |job|\n    puts job\n  end\n\n"
            "  every(1.hour, 'feeds.sync') { FeedSyncJob.perform_later }\n"
            "  every(1.day, 'midnight.job', at: '00:00')\nend\n",
        },
        schedules=(("clock.rb", "feeds.sync"), ("clock.rb", "midnight.job")),
    ),
    # --- broadcasts -------------------------------------------------------------------
    Idiom(
        "actioncable-broadcast-and-stream",
        {
            "app/channels/chat_channel.rb": "class ChatChannel < ApplicationCable::Channel\n"
            '  def subscribed\n    stream_from "chat_room"\n  end\nend\n',
            "app/models/message.rb": "class Message < ApplicationRecord\n"
            '  after_create_commit { ActionCable.server.broadcast("chat_room", body) }\nend\n',
        },
        handoffs=(("chat_room", "app/models/message.rb", "app/channels/chat_channel.rb"),),
    ),
    Idiom(
        "actioncable-channel-broadcast-to-a-record",
        {
            "app/channels/scores_channel.rb": "class ScoresChannel < ApplicationCable::Channel\n"
            "  def subscribed\n    stream_for current_user\n  end\nend\n",
            "app/services/score_pusher.rb": "class ScorePusher\n  def call(player, score)\n"
            "    ScoresChannel.broadcast_to(\n      player,\n      { score: score }\n    )\n"
            "  end\n  def broadcast_to_team\n    team.notify\n  end\nend\n",
        },
        handoffs=(
            ("ScoresChannel", "app/services/score_pusher.rb", "app/channels/scores_channel.rb"),
        ),
        # Named by the channel, not by the record's variable on either side; the app's own
        # `broadcast_to_team` method is no push.
        absent=("player", "current_user", "_team"),
    ),
    Idiom(
        "turbo-streams-broadcast-later",
        {
            "app/models/comment.rb": "class Comment < ApplicationRecord\n"
            "  after_create_commit -> { broadcast_append_later_to(:comments) }\nend\n",
        },
        handoffs=(("comments", "app/models/comment.rb", ""),),
    ),
    # --- lookalikes -------------------------------------------------------------------
    Idiom(
        "not-a-delay-value-or-a-plain-every",
        {
            "app/models/retry_policy.rb": "class RetryPolicy\n  def wait\n"
            "    config.delay.to_i\n    options.delay.seconds\n  end\n"
            "  def each_page\n    items.every(10) { |x| x }\n  end\nend\n",
        },
        absent=("to_i", "seconds", "app/models/retry_policy.rb"),
    ),
    Idiom(
        "not-a-job-a-plain-perform-class",
        {
            "app/services/checkout.rb": "class Checkout\n  def perform\n  end\nend\n",
        },
        absent=("Checkout",),
    ),
]


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.id)
def test_ruby_idiom(idiom: Idiom) -> None:
    assert misses(idiom) == []


HOSTILE = [
    "Resque.enqueue(" + "a," * 50_000,
    "x.delay(" + "(" * 50_000 + ".run\n",
    "class A\n  def async_x(a)\n    " + "B::" * 30_000 + "C.perform_later(a)\n",
    "  key: {\n" + "    cron: '" * 20_000 + "\n",
    "require 'clockwork'\n" + "every(" * 50_000 + "\n",
    "ActiveJob.perform_all_later(" + "X.new" * 20_000 + "\n",
    "class A\n" + "  def perform\n" * 20_000,
    "class A < ApplicationJob\n" + "  class B < C\n" * 20_000 + "  end\n" * 20_000,
    "class M < ApplicationMailer\n" + "  def m\n" * 20_000,
    "Mailer" + ".with(" * 20_000 + ".deliver_later\n",
    "x = Job.new\n" + "x.enqueue\n" * 20_000,
    "Sidekiq::Client.push_bulk(" + "(" * 50_000 + "\n" + "  'args' => [\n" * 20_000,
    "def put(k, v)\n  r.sadd(k, v)\nend\n" + "put(" * 50_000 + "\n" + "  X = 1\n" * 20_000,
    "k = A ? B : C\n" + "k.perform_async(1)\n" * 20_000 + "a" * 1_000 + ".perform_async\n",
    "  config.good_job.cron[" + "[" * 20_000 + "\n",
    "kind: CronJob\nschedule: x\n" + "<%" * 200_000 + "\n" + "  <% a " * 50_000,
    "class A < B\n" + "  X" * 100_000 + "Channel.broadcast_to(\n" + "Channel.broadcast" * 50_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:20])
def test_hostile_ruby_gives_sites_or_nothing_quickly(text: str) -> None:
    import time

    from bot.core.analysis.handoff_wrappers_ruby import wrapper_sites
    from bot.core.analysis.handoffs_ruby import ruby_sites
    from bot.core.analysis.schedules import file_schedules
    from bot.core.analysis.schedules_ruby import ruby_schedules

    start = time.process_time()
    ruby_sites(text)
    wrapper_sites(text)
    ruby_schedules(text)
    file_schedules(text.encode())
    assert time.process_time() - start < 2.0


# --- a thin class-method wrapper of one job class -------------------------------------------

_REFRESH_JOB = "class RefreshJob < ApplicationJob\n  def perform(id)\n  end\nend\n"


def _feed(body: str) -> str:
    return f"class Feed < ApplicationRecord\n  class << self\n{body}  end\nend\n"


def _producers(files: dict[str, str], name: str) -> set[str]:
    facts = idiom_apps.facts_of(files)
    return {e.path for h in facts.handoffs if h.name == name for e in h.producers}


def test_a_thin_wrapper_of_one_job_makes_its_callers_producers() -> None:
    files = {
        "app/jobs/refresh_job.rb": _REFRESH_JOB,
        "app/models/feed.rb": _feed(
            "    def async_refresh(id)\n      RefreshJob.perform_later(id)\n    end\n"
        ),
        "app/controllers/feeds_controller.rb": "class FeedsController < ApplicationController\n"
        "  def refresh\n    Feed.async_refresh(params[:id])\n  end\nend\n",
    }
    assert "app/controllers/feeds_controller.rb" in _producers(files, "RefreshJob")


def test_a_method_that_enqueues_after_other_work_is_no_wrapper() -> None:
    files = {
        "app/jobs/refresh_job.rb": _REFRESH_JOB,
        "app/models/feed.rb": _feed(
            "    def async_refresh(id)\n      return unless id\n"
            "      RefreshJob.perform_later(id)\n    end\n"
        ),
        "app/controllers/feeds_controller.rb": "class FeedsController < ApplicationController\n"
        "  def refresh\n    Feed.async_refresh(params[:id])\n  end\nend\n",
    }
    assert "app/controllers/feeds_controller.rb" not in _producers(files, "RefreshJob")


def test_a_same_named_method_of_another_class_is_no_producer() -> None:
    files = {
        "app/jobs/refresh_job.rb": _REFRESH_JOB,
        "app/models/feed.rb": _feed(
            "    def async_refresh(id)\n      RefreshJob.perform_later(id)\n    end\n"
        ),
        "app/controllers/feeds_controller.rb": "class FeedsController < ApplicationController\n"
        "  def refresh\n    Mirror.async_refresh(params[:id])\n  end\nend\n",
    }
    assert "app/controllers/feeds_controller.rb" not in _producers(files, "RefreshJob")
