"""Integrations a Ruby app reaches through clients it wrote itself: a raw `TCPSocket` or a
`Net::HTTP` to an address it reads, in a file named for a catalogued service (a scanner's
client); an HTTP helper module called with a user's URL (`Outbound::HTTP.post(hook.url)`);
and the GELF and DNS libraries the catalog names. With the lookalikes that claim nothing."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.egress import outbound_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()

SCANNER = """\
module Inbox
  module Scanners
    class Clamav
      def scan(blob)
        sock = TCPSocket.new(@settings.host, @settings.port)
        sock.write("zINSTREAM\\0")
        sock.read
      end
    end
  end
end
"""
RSPAMD = """\
require "net/http"

class Rspamd
  def check(raw)
    http = Net::HTTP.new(@options.host, @options.port)
    http.request(Net::HTTP::Post.new("/checkv2"))
  end
end
"""
HELPER = """\
module Outbound
  module HTTP
    def self.post(url, options = {})
      uri = URI.parse(url)
      Net::HTTP.new(uri.host, uri.port).request(Net::HTTP::Post.new(uri.path))
    end
  end
end
"""


def integrations(files: dict[str, str]) -> dict[str, object]:
    facts = analyze(
        MemorySnapshot({p: t.encode() for p, t in files.items()}), MemoryFactsCache(), CATALOG
    )
    return {s.name: s for s in facts.integrations}


def test_ruby_raw_sockets_are_calls() -> None:
    found, _, _ = outbound_calls("ruby", SCANNER.encode())
    assert [(c.kind, c.line, c.client) for c in found] == [("socket", 5, "TCPSocket")]


def test_a_client_file_named_for_a_catalogued_service_names_it() -> None:
    found = integrations(
        {"lib/inbox/scanners/clamav.rb": SCANNER, "lib/inbox/scanners/rspamd.rb": RSPAMD}
    )
    assert found["ClamAV"].category == "security"  # type: ignore[attr-defined]
    assert found["Rspamd"].evidence[0].line == 5  # type: ignore[attr-defined]


def test_a_file_named_for_nothing_catalogued_claims_nothing() -> None:
    # the same clients in files no catalogued service is named for, and a wrapper whose
    # address is its caller's
    found = integrations(
        {
            "lib/inbox/scanners/virus_check.rb": SCANNER,
            "lib/inbox/poller.rb": RSPAMD,
            "lib/clamav.rb": HELPER.replace("Outbound", "Clamav"),
        }
    )
    assert found == {}


def test_a_helper_module_called_with_a_users_url_is_a_user_configured_endpoint() -> None:
    files = {
        "lib/outbound/http.rb": HELPER,
        "app/services/hook_delivery.rb": (
            "class HookDelivery\n  def deliver\n"
            "    Outbound::HTTP.post(@hook.url, json: @payload)\n  end\nend\n"
        ),
        # a transport's file in a folder of senders is named for no service
        "app/senders/http_sender.rb": (
            "class HttpSender\n  def send_message(m)\n"
            "    Outbound::HTTP.post(@endpoint.url, json: m)\n  end\nend\n"
        ),
    }
    found = integrations(files)
    user = found["User-configured HTTP endpoints (outgoing webhooks)"]
    assert [(e.path, e.line) for e in user.evidence] == [  # type: ignore[attr-defined]
        ("app/senders/http_sender.rb", 3),
        ("app/services/hook_delivery.rb", 3),
    ]
    assert not any("Sender" in name for name in found)


def test_a_cache_or_an_object_called_with_a_url_is_no_endpoint() -> None:
    files = {
        "lib/outbound/http.rb": HELPER,
        "app/models/story.rb": (
            "class Story\n  def preview\n    Rails.cache.fetch(link.url) { 1 }\n"
            "    client.post(link.url)\n  end\nend\n"
        ),
    }
    assert "User-configured HTTP endpoints (outgoing webhooks)" not in integrations(files)


def test_gelf_and_dns_libraries() -> None:
    lookup = (
        'require "resolv"\n\nclass MxLookup\n  def hosts(domain)\n'
        "    Resolv::DNS.open { |dns| dns.getresources(domain, Resolv::DNS::Resource::IN::MX) }\n"
        "  end\n\n  def valid_ip?(text)\n    text.match?(Resolv::IPv4::Regex)\n  end\nend\n"
    )
    found = integrations(
        {
            "Gemfile": 'source "https://rubygems.org"\ngem "gelf"\ngem "resolv"\n',
            "app/lib/mx_lookup.rb": lookup,
            "app/lib/ip_check.rb": 'require "resolv"\n\nRE = Resolv::IPv4::Regex\n',
        }
    )
    assert found["Graylog (GELF)"].category == "monitoring"  # type: ignore[attr-defined]
    # the query, not the `require` nor the address pattern
    dns = found["DNS"]
    assert [(e.path, e.line) for e in dns.evidence] == [("app/lib/mx_lookup.rb", 5)]  # type: ignore[attr-defined]
