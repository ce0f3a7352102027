"""Ruby flow starts (issue 18 item 3): one small app per web framework, CLI and job idiom, each
a route (or task, or job) declared the framework's way whose handler calls a method that makes
an outbound HTTP call; the flow must start at the route or the handler and reach that call.
The harness is `flow_idioms.py`."""

from __future__ import annotations

import pytest

from bot.core.analysis.ruby import extract_ruby
from tests.core.flow_idioms import FlowIdiom, misses

NOTIFIER = (
    "require 'net/http'\n\nclass Notifier\n  def self.ping(data)\n"
    "    Net::HTTP.post(URI('https://api.example.com/x'), data.to_json)\n  end\nend\n"
)
SINK = ("lib/notifier.rb", "Net::HTTP.post")


def app(idiom_id: str, files: dict[str, str], *entry: tuple[str, str]) -> FlowIdiom:
    return FlowIdiom(idiom_id, {"lib/notifier.rb": NOTIFIER, **files}, entry, SINK)


IDIOMS = [
    app(
        "rails-controller",
        {
            "Gemfile": "gem 'rails'\n",
            "config/routes.rb": "Rails.application.routes.draw do\n  resources :items\nend\n",
            "app/controllers/items_controller.rb": "class ItemsController < ApplicationController\n"
            "  def create\n    Notifier.ping(params)\n    head :created\n  end\nend\n",
        },
        ("app/controllers/items_controller.rb", "def create"),
        ("config/routes.rb", "resources :items"),
    ),
    app(
        "sinatra-classic",
        {
            "Gemfile": "gem 'sinatra'\n",
            "app.rb": "require 'sinatra'\nrequire_relative 'lib/notifier'\n\n"
            "post '/items' do\n  Notifier.ping(params)\n  status 201\nend\n",
        },
        ("app.rb", "post '/items'"),
    ),
    app(
        "sinatra-modular",
        {
            "Gemfile": "gem 'sinatra'\n",
            "app/api.rb": "require 'sinatra/base'\n\nclass Api < Sinatra::Base\n"
            "  post '/items' do\n    Notifier.ping(params)\n    status 201\n  end\nend\n",
        },
        ("app/api.rb", "post '/items'"),
    ),
    FlowIdiom(
        "sinatra-route-enqueues-a-sidekiq-job",
        {
            "Gemfile": "gem 'sinatra'\ngem 'sidekiq'\n",
            "app/jobs/deliver_job.rb": "class DeliverJob\n  include Sidekiq::Job\n\n"
            "  def perform(data)\n  end\nend\n",
            "app/api.rb": "require 'sinatra/base'\n\nclass Api < Sinatra::Base\n"
            "  post '/items' do\n    DeliverJob.perform_async(params)\n    status 202\n"
            "  end\nend\n",
        },
        (("app/api.rb", "post '/items'"),),
        ("app/api.rb", "DeliverJob.perform_async"),
    ),
    app(
        "grape-resource",
        {
            "Gemfile": "gem 'grape'\n",
            "app/api/items.rb": "class ItemsAPI < Grape::API\n  resource :items do\n"
            "    post do\n      Notifier.ping(params)\n    end\n  end\nend\n",
        },
        ("app/api/items.rb", "post do"),
        ("app/api/items.rb", "resource :items"),
    ),
    app(
        "hanami-action",
        {
            "Gemfile": "gem 'hanami'\n",
            "app/actions/items/create.rb": "module Shop\n  module Actions\n    module Items\n"
            "      class Create < Shop::Action\n        def handle(request, response)\n"
            "          Notifier.ping(request.params)\n        end\n      end\n    end\n  end\n"
            "end\n",
            "config/routes.rb": "module Shop\n  class Routes < Hanami::Routes\n"
            '    post "/items", to: "items.create"\n  end\nend\n',
        },
        ("config/routes.rb", 'post "/items"'),
        ("app/actions/items/create.rb", "def handle"),
    ),
    app(
        "roda-routing-tree",
        {
            "Gemfile": "gem 'roda'\n",
            "app.rb": "require 'roda'\n\nclass App < Roda\n  route do |r|\n"
            "    r.post 'items' do\n      Notifier.ping(r.params)\n    end\n  end\nend\n",
        },
        ("app.rb", "r.post 'items'"),
        ("app.rb", "route do"),
    ),
    app(
        "sidekiq-job",
        {
            "Gemfile": "gem 'sidekiq'\n",
            "app/jobs/deliver_job.rb": "class DeliverJob\n  include Sidekiq::Job\n\n"
            "  def perform(data)\n    Notifier.ping(data)\n  end\nend\n",
        },
        ("app/jobs/deliver_job.rb", "def perform"),
        ("app/jobs/deliver_job.rb", "include Sidekiq::Job"),
        ("app/jobs/deliver_job.rb", "class DeliverJob"),
    ),
    app(
        "rake-task",
        {
            "Gemfile": "gem 'rake'\n",
            "lib/tasks/announce.rake": "namespace :shop do\n  task announce: :environment do\n"
            "    Notifier.ping({})\n  end\nend\n",
        },
        ("lib/tasks/announce.rake", "task announce"),
        ("lib/tasks/announce.rake", "namespace :shop"),
    ),
    app(
        "thor-command",
        {
            "Gemfile": "gem 'thor'\n",
            "lib/shop/cli.rb": "require 'thor'\n\nmodule Shop\n  class CLI < Thor\n"
            '    desc "announce NAME", "announce"\n    def announce(name)\n'
            "      Notifier.ping(name)\n    end\n  end\nend\n",
        },
        ("lib/shop/cli.rb", "class CLI < Thor"),
        ("lib/shop/cli.rb", "def announce"),
    ),
    app(
        "rack-middleware",
        {
            "Gemfile": "gem 'rails'\n",
            "config/application.rb": "module Shop\n  class Application < Rails::Application\n"
            "    config.middleware.use BeaconTracker\n  end\nend\n",
            "lib/beacon_tracker.rb": "class BeaconTracker\n  def initialize(app)\n    @app = app\n"
            "  end\n\n  def call(env)\n    return @app.call(env) unless env['PATH_INFO'] == '/b'\n"
            "    Notifier.ping(env['QUERY_STRING'])\n    [204, {}, []]\n  end\nend\n",
        },
        ("lib/beacon_tracker.rb", "def call(env)"),
    ),
    app(
        "library-routed-controller",
        {
            "Gemfile": "gem 'rails'\n",
            "app/controllers/members/callbacks_controller.rb": (
                "class Members::CallbacksController < Gatekeep::CallbacksController\n"
                "  def sso_login\n    Notifier.ping(request.env)\n  end\n\n  private\n\n"
                "  def helper\n  end\nend\n"
            ),
        },
        ("app/controllers/members/callbacks_controller.rb", "def sso_login"),
    ),
    app(
        "boot-hook-queueing-jobs",
        {
            "Gemfile": "gem 'rails'\n",
            "config/initializers/warmup.rb": (
                "Rails.application.config.after_initialize do\n"
                "  Notifier.ping(:boot)\n  WarmJob.perform_later\nend\n"
            ),
            "app/jobs/warm_job.rb": "class WarmJob < ApplicationJob\n  def perform\n  end\nend\n",
        },
        ("config/initializers/warmup.rb", "after_initialize do"),
    ),
]


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.id)
def test_ruby_flow_starts_at_the_route_and_reaches_the_call(idiom: FlowIdiom) -> None:
    assert misses(idiom) == []


def test_a_call_method_without_a_kept_app_is_no_middleware() -> None:
    # a service object's `call(env)` and a middleware-looking class without `initialize(app)`
    service = "class Importer\n  def initialize(feed)\n  end\n\n  def call(env)\n  end\nend\n"
    plain = "class Checker\n  def call(env)\n    env\n  end\nend\n"
    for text in (service, plain):
        assert not any(s.name == "Rack middleware" for s in extract_ruby(text).signals)


def test_own_namespace_and_framework_bases_are_routed_as_usual() -> None:
    own = "class Admin::UsersController < Admin::BaseController\n  def index\n  end\nend\n"
    rails = "class Api::PingController < ActionController::Base\n  def show\n  end\nend\n"
    plain = "class ItemsController < ApplicationController\n  def show\n  end\nend\n"
    hook = "Rails.application.config.after_initialize do\n  Setting.load!\nend\n"
    for text in (own, rails, plain, hook):
        found = extract_ruby(text).signals
        assert not any(s.name.endswith(" action") or s.name == "Boot hook" for s in found)
    lib = (
        "class Members::SessionsController < Gatekeep::SessionsController\n"
        "  def create\n  end\nend\n"
    )
    found = extract_ruby(lib).signals
    assert [s.detail for s in found if s.name.endswith(" action")] == ["create"]
