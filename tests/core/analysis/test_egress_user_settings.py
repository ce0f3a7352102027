"""A request to a URL a user's setting holds: the instance variable a Ruby client keeps it
in (`@base = "#{user.settings.x_url}/api"`, read through `attr_reader`), and the service the
setting's name says the user pointed the app at (`egress_resolve._ivar`,
`egress_services._user_setting_service`)."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.egress import outbound_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence, Service
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()

GALLERY = b"""\
class Gallery::FetchAlbums
  attr_reader :user, :base

  def initialize(user)
    @user = user
    @base = "#{user.prefs.lumen_url}/api/albums"
  end

  def call
    HTTParty.get(base, headers: { 'X-Key' => user.prefs.lumen_key })
  end
end
"""

HOOKS = b"""\
class Hooks::Deliver
  def initialize(user)
    @target = "#{user.prefs.webhook_url}"
  end

  def call(body)
    HTTParty.post(@target, body: body)
  end
end
"""

LOOPING = b"""\
class Looping
  def initialize
    @url = @url + "/x"
  end

  def call
    HTTParty.get(@url)
    HTTParty.get(@never_set)
  end
end
"""


def _integrations(files: dict[str, bytes]) -> dict[str, Service]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    return {s.name: s for s in facts.integrations}


def test_an_instance_variable_read_through_its_reader_is_the_users_setting() -> None:
    (call,) = outbound_calls("ruby", GALLERY)[0]
    assert (call.line, call.origin, call.configured_by) == (10, "user", "user.prefs.lumen_url")


def test_a_setting_named_for_a_server_names_that_service() -> None:
    found = _integrations(
        {"app/services/gallery/fetch_albums.rb": GALLERY, "app/services/hooks/deliver.rb": HOOKS}
    )
    assert found["Lumen"].evidence == (Evidence("app/services/gallery/fetch_albums.rb", 10),)
    # A setting named for a kind of address (a webhook) names no service.
    hooks = found["User-configured HTTP endpoints (outgoing webhooks)"]
    assert hooks.evidence == (Evidence("app/services/hooks/deliver.rb", 7),)


def test_an_instance_variable_that_never_resolves_stays_unknown() -> None:
    calls = outbound_calls("ruby", LOOPING)[0]
    assert [(c.line, c.origin) for c in calls] == [(7, "unknown"), (8, "unknown")]
