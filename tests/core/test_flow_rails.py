"""Rails sinks (issue 18): Active Record models read and written through their constant,
a local or `@ivar` assigned from one, an association, or the model's own `save`; the
callbacks a write runs; Searchkick, `Rails.cache` and S3. Hand-written apps."""

from __future__ import annotations

from bot.core.analysis.calls import ruby_calls
from bot.core.model import RepoFacts
from tests.core.test_flow_calls import chain, facts_of

APP = {
    "Gemfile": (
        b"source 'https://rubygems.org'\ngem 'rails'\ngem 'pg'\ngem 'searchkick'\n"
        b"gem 'opensearch-ruby'\ngem 'dalli'\ngem 'aws-sdk-s3'\n"
    ),
    "config/database.yml": b"default: &default\n  adapter: postgresql\n",
    "app/models/application_record.rb": (
        b"class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n"
    ),
    "app/models/post.rb": (
        b"class Post < ApplicationRecord\n"
        b"  searchkick\n"
        b"  has_many :comments\n"
        b"  after_create :announce\n"
        b"  after_commit :refresh, on: :destroy\n"
        b"\n"
        b"  def announce\n"
        b"    AnnounceJob.perform_later(id)\n"
        b"  end\n"
        b"\n"
        b"  def refresh\n"
        b"    RefreshJob.perform_later(id)\n"
        b"  end\n"
        b"\n"
        b"  def publish\n"
        b"    self.published = true\n"
        b"    save\n"
        b"  end\n"
        b"end\n"
    ),
    "app/jobs/announce_job.rb": (
        b"class AnnounceJob < ApplicationJob\n  def perform(id)\n  end\nend\n"
    ),
    "app/jobs/refresh_job.rb": (
        b"class RefreshJob < ApplicationJob\n  def perform(id)\n  end\nend\n"
    ),
    "app/controllers/posts_controller.rb": (
        b"class PostsController < ApplicationController\n"
        b"  before_action :set_post, only: [:comment]\n"
        b"\n"
        b"  def create\n"
        b"    @post = Post.new(params[:post])\n"
        b"    @post.save\n"
        b"    redirect_to @post\n"
        b"  end\n"
        b"\n"
        b"  def comment\n"
        b"    @post.comments.create(body: params[:body])\n"
        b"  end\n"
        b"\n"
        b"  def pick\n"
        b"    @first = [3, 4].find { |x| x > 3 }\n"
        b"    render json: @first\n"
        b"  end\n"
        b"\n"
        b"  def search\n"
        b"    @posts = Post.search(params[:q])\n"
        b"  end\n"
        b"\n"
        b"  def stats\n"
        b"    @count = Rails.cache.fetch('count') { 1 }\n"
        b"  end\n"
        b"\n"
        b"  private\n"
        b"\n"
        b"  def set_post\n"
        b"    @post = Post.find(params[:id])\n"
        b"  end\n"
        b"end\n"
    ),
    "config/routes.rb": (
        b"Rails.application.routes.draw do\n"
        b"  post 'posts', to: 'posts#create'\n"
        b"  post 'posts/:id/comment', to: 'posts#comment'\n"
        b"  get 'pick', to: 'posts#pick'\n"
        b"  get 'search', to: 'posts#search'\n"
        b"  get 'stats', to: 'posts#stats'\n"
        b"end\n"
    ),
}

CTRL = "app/controllers/posts_controller.rb"


def test_the_ruby_reader_keeps_where_a_receiver_value_comes_from() -> None:
    fc = ruby_calls(APP[CTRL])
    assert fc is not None
    roots = {(c.line, c.parts[-1]): c.root for c in fc.calls}
    assert roots[(6, "save")] == "Post"  # `@post = Post.new(…)` above
    assert roots[(11, "create")] == "Post"  # `@post` set by the before_action below
    assert roots[(15, "find")] == ""  # an Array's find
    post = ruby_calls(APP["app/models/post.rb"])
    assert post is not None
    assert post.bases == (("Post", "ApplicationRecord"),)
    assert ("after_create", "Post.announce", "create") in post.registered
    assert ("after_commit", "Post.refresh", "destroy") in post.registered
    assert ("searchkick", "Post", "") in post.registered
    assert any(c.parts == ("save",) and c.root == "Post" for c in post.calls)


def _flows(facts, path: str, route: str):  # type: ignore[no-untyped-def]
    return [f for f in facts.flows if route in f.name and f.hops[0].path == path]


def test_a_model_write_is_a_sink_into_the_sql_store_and_runs_its_callbacks() -> None:
    facts = facts_of(APP)
    made = _flows(facts, CTRL, "POST /posts ")
    sql = next(f for f in made if f.name.endswith("→ PostgreSQL"))
    assert chain(sql)[-1] == (CTRL, 6, "queries the PostgreSQL database (Post.save)")
    job = next(f for f in made if "AnnounceJob" in f.name)
    assert chain(job)[-2:] == [
        (CTRL, 6, "runs post.Post.announce (after_create callback)"),
        ("app/models/post.rb", 8, "enqueues AnnounceJob (activejob)"),
    ]
    # `on: :destroy` is not a create's.
    assert not any("RefreshJob" in f.name for f in made)
    commented = _flows(facts, CTRL, "/comment")
    assert any(
        chain(f)[-1] == (CTRL, 11, "queries the PostgreSQL database (Post.create)")
        for f in commented
    )


def test_an_arrays_find_is_no_sink_and_other_stores_are_named_by_the_facts() -> None:
    facts = facts_of(APP)
    assert not any("PostgreSQL" in f.name for f in _flows(facts, CTRL, "GET /pick"))
    searched = _flows(facts, CTRL, "GET /search")
    assert any(chain(f)[-1] == (CTRL, 20, "queries OpenSearch (Post.search)") for f in searched)
    cached = _flows(facts, CTRL, "GET /stats")
    assert any(chain(f)[-1][2] == "queries Memcached (Rails.cache.fetch)" for f in cached)


PUBLISH_JOB = {
    "app/jobs/publish_job.rb": (
        b"class PublishJob < ApplicationJob\n  def perform(id)\n    Post.new.publish\n  end\nend\n"
    ),
}


def _assert_publish_job_saves_the_post(facts: RepoFacts) -> None:
    flows = [f for f in facts.flows if f.hops[0].path == "app/jobs/publish_job.rb"]
    assert any(
        chain(f)[-1] == ("app/models/post.rb", 17, "queries the PostgreSQL database (Post.save)")
        for f in flows
    ), [chain(f) for f in flows]


def test_a_models_own_save_is_a_sink() -> None:
    facts = facts_of(
        {
            **APP,
            **PUBLISH_JOB,
        }
    )
    _assert_publish_job_saves_the_post(facts)


def test_a_route_line_is_no_call_into_the_one_helper_of_that_name() -> None:
    # `post :check, on: :member` is the routes DSL; the app's only `def self.post` is an
    # HTTP helper of another file, which a route line never calls.
    files = {
        "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
        "config/routes.rb": (
            b"Rails.application.routes.draw do\n"
            b"  resources :hooks do\n"
            b"    post :check, on: :member\n"
            b"  end\n"
            b"end\n"
        ),
        "lib/outbound/http.rb": (
            b"require 'net/http'\n\nmodule Outbound\n  module HTTP\n"
            b"    def self.post(url, body)\n"
            b"      Net::HTTP.post(URI(url), body)\n"
            b"    end\n  end\nend\n"
        ),
    }
    facts = facts_of(files)
    route_calls = [
        h for f in facts.flows for h in f.hops if h.path == "config/routes.rb" and "calls" in h.what
    ]
    assert route_calls == []


def test_a_relations_query_is_no_call_into_an_action_of_that_name() -> None:
    # `scope.update_all(…)` is Active Record's; the app's one `def update_all` (a
    # controller action that enqueues) is not what a job's query runs.
    files = {
        "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
        "app/jobs/sweep_job.rb": (
            b"class SweepJob < ApplicationJob\n"
            b"  def perform(ids)\n"
            b"    Widget.where(id: ids).update_all(stale: true)\n"
            b"    helper.rebuild_all(ids)\n"
            b"  end\nend\n"
        ),
        "app/controllers/totals_controller.rb": (
            b"class TotalsController < ApplicationController\n"
            b"  def update_all\n"
            b"    TallyJob.perform_later\n"
            b"  end\nend\n"
        ),
        "app/services/rebuilder.rb": (
            b"class Rebuilder\n"
            b"  def rebuild_all(ids)\n"
            b"    TallyJob.perform_later(ids)\n"
            b"  end\nend\n"
        ),
        "app/jobs/tally_job.rb": b"class TallyJob < ApplicationJob\n  def perform\n  end\nend\n",
    }
    facts = facts_of(files)
    swept = [f for f in facts.flows if f.hops[0].path == "app/jobs/sweep_job.rb"]
    hops = [h.what for f in swept for h in f.hops]
    assert not any("update_all" in w for w in hops)
    # A method of the app's own that only one file defines is still followed by name.
    assert any("rebuild_all" in w for w in hops)


def test_an_enqueue_names_the_active_job_backend_the_config_sets() -> None:
    config = (
        b"module Blog\n  class Application\n"
        b"    config.active_job.queue_adapter = :que\n  end\nend\n"
    )
    facts = facts_of({**APP, "config/application.rb": config})
    job = next(f for f in _flows(facts, CTRL, "POST /posts ") if "AnnounceJob" in f.name)
    assert chain(job)[-1] == ("app/models/post.rb", 8, "enqueues AnnounceJob (activejob on que)")


def test_two_backends_leave_the_enqueue_plain() -> None:
    facts = facts_of(
        {
            **APP,
            "config/application.rb": b"config.active_job.queue_adapter = :que\n",
            "config/environments/production.rb": b"config.active_job.queue_adapter = :resque\n",
        }
    )
    job = next(f for f in _flows(facts, CTRL, "POST /posts ") if "AnnounceJob" in f.name)
    assert chain(job)[-1] == ("app/models/post.rb", 8, "enqueues AnnounceJob (activejob)")


def test_a_namespaced_class_of_a_models_name_does_not_hide_the_model() -> None:
    # `Remote::Post < Fetcher` is read before `Post < ApplicationRecord`: each definition
    # of the name is judged, so `Post` is still a model.
    facts = facts_of(
        {
            "app/models/fetchers/post.rb": (
                b"module Remote\n  class Post < Fetcher\n    def pull\n      get\n"
                b"    end\n  end\nend\n"
            ),
            **APP,
            **PUBLISH_JOB,
        }
    )
    _assert_publish_job_saves_the_post(facts)


def test_a_models_attachment_upload_is_a_sink_into_its_storage() -> None:
    files = {
        **APP,
        "app/models/upload.rb": (
            b"class Upload < ApplicationRecord\n  has_one_attached :document\nend\n"
        ),
        "app/jobs/ingest_job.rb": (
            b"class IngestJob < ApplicationJob\n"
            b"  def perform(path)\n"
            b"    upload = Upload.new(name: path)\n"
            b"    upload.document.attach(io: File.open(path), filename: path)\n"
            b"  end\nend\n"
        ),
        # `attach` on a model with no attachment, and on a plain object: no upload.
        "app/jobs/tag_job.rb": (
            b"class TagJob < ApplicationJob\n"
            b"  def perform(id)\n"
            b"    Post.find(id).labels.attach(:x)\n"
            b"    helper.attach(id)\n"
            b"  end\nend\n"
        ),
    }
    facts = facts_of(files)
    ingest = [f for f in facts.flows if f.hops[0].path == "app/jobs/ingest_job.rb"]
    # APP's Gemfile has aws-sdk-s3: the datastore facts name the bucket the files go to.
    stored = "stores a file in Amazon S3 (ActiveStorage Upload.document.attach)"
    assert any(s.line == 4 and s.what == stored for f in ingest for s in f.sinks)
    tagged = [
        s.what for f in facts.flows if f.hops[0].path == "app/jobs/tag_job.rb" for s in f.sinks
    ]
    assert not any("ActiveStorage" in w for w in tagged)


def test_same_named_classes_of_two_namespaces_are_told_apart_by_their_folder() -> None:
    files = {
        "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
        "app/services/alpha/fetch_items.rb": (
            b"class Alpha::FetchItems\n  def call\n    HTTParty.get('https://api.alpha-example.io/items')\n"
            b"  end\nend\n"
        ),
        "app/services/beta/fetch_items.rb": (
            b"class Beta::FetchItems\n  def call\n    HTTParty.get('https://api.beta-example.io/items')\n"
            b"  end\nend\n"
        ),
        "app/services/gamma/fetch_items.rb": (
            b"class Gamma::FetchItems\n  def call\n    HTTParty.get('https://api.gamma-example.io/items')\n"
            b"  end\nend\n"
        ),
        "app/jobs/beta_sync_job.rb": (
            b"class BetaSyncJob < ApplicationJob\n"
            b"  def perform\n"
            b"    items = gather\n"
            b"  end\n\n"
            b"  def gather\n"
            b"    fetcher = Beta::FetchItems.new\n"
            b"    fetcher.call\n"
            b"  end\nend\n"
        ),
        "app/jobs/any_sync_job.rb": (
            b"class AnySyncJob < ApplicationJob\n"
            b"  def perform(fetcher)\n    FetchItems.new.call\n  end\nend\n"
        ),
    }
    facts = facts_of(files)
    beta = [f for f in facts.flows if f.hops[0].path == "app/jobs/beta_sync_job.rb"]
    # `items = gather` calls the class's own method; `Beta::` picks `beta/fetch_items.rb`.
    assert [h.path for h in beta[0].hops][-1] == "app/jobs/beta_sync_job.rb"
    assert {s.path for f in beta for s in f.sinks} == {"app/services/beta/fetch_items.rb"}
    # A bare `FetchItems` of three namespaces: no guess.
    assert not [f for f in facts.flows if f.hops[0].path == "app/jobs/any_sync_job.rb"]


def test_a_namespaced_jobs_enqueue_says_the_constant_it_wrote() -> None:
    files = {
        **APP,
        "app/jobs/reports/monthly/build_job.rb": (
            b"class Reports::Monthly::BuildJob < ApplicationJob\n  def perform\n  end\nend\n"
        ),
        "app/controllers/reports_controller.rb": (
            b"class ReportsController < ApplicationController\n"
            b"  def create\n    Reports::Monthly::BuildJob.perform_later\n  end\nend\n"
        ),
    }
    facts = facts_of(files)
    ctrl = "app/controllers/reports_controller.rb"
    sinks = [s.what for f in facts.flows if f.hops[0].path == ctrl for s in f.sinks]
    assert "enqueues BuildJob via Reports::Monthly::BuildJob (activejob)" in sinks
