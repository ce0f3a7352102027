"""Sibling client files named for their service, switched-off clients, settings with a
literal default behind a module method, and development-only packages. Invented apps; each
rule has a look-alike that must not match."""

from __future__ import annotations

import time

from bot.core.analysis.egress import outbound_calls
from bot.core.analysis.egress_file_families import family_members
from bot.core.analysis.egress_gates import env_defaults, switched_off
from bot.core.model import RepoFacts
from tests.core.analysis.test_egress_registry import facts_of


def _client(klass: str, extra: str = "") -> str:
    return (
        f"class {klass} < Remote\n  def initialize(box)\n    @box = box\n  end\n\n"
        '  def push(doc)\n    Faraday.new.post("#{@box.address}/api/push", doc)\n  end\n'
        f"{extra}end\n"
    )


def _names(facts: RepoFacts) -> set[str]:
    return {s.name for s in facts.integrations}


def test_a_folder_of_sibling_clients_names_each_clients_service() -> None:
    files = {
        "app/services/kiln/ember_glow_service.rb": _client("Kiln::EmberGlowService"),
        "app/services/kiln/cinder_service.rb": _client("Kiln::CinderService"),
        "app/services/kiln/ashpit_service.rb": _client("Kiln::AshpitService"),
        # a Rails services folder of unrelated service objects is no family
        "app/services/invite_service.rb": _client("InviteService"),
        "app/services/refund_service.rb": _client("RefundService"),
        "app/services/digest_service.rb": _client("DigestService"),
        # two siblings are too few; a folder of jobs shares no client role
        "app/pumps/brook_client.rb": _client("BrookClient"),
        "app/pumps/delta_client.rb": _client("DeltaClient"),
        "app/jobs/sync/alpha_job.rb": _client("AlphaJob"),
        "app/jobs/sync/beta_job.rb": _client("BetaJob"),
        "app/jobs/sync/gamma_job.rb": _client("GammaJob"),
    }
    names = _names(facts_of(files))
    assert {"Ember Glow", "Cinder", "Ashpit"} <= names
    assert not names & {"Invite", "Refund", "Digest", "Brook", "Delta", "Alpha", "Beta"}


def test_family_members_needs_three_names_and_a_folder_that_is_no_role_word() -> None:
    paths = ["x/kiln/a_service.rb", "x/kiln/b_service.rb", "x/kiln/c_service.rb"]
    assert family_members(paths, lambda f: f != "kiln") == {}
    assert family_members([*paths, "x/kiln/DAdapter.ts"], lambda f: True) == {
        "x/kiln/a_service.rb": "a",
        "x/kiln/b_service.rb": "b",
        "x/kiln/c_service.rb": "c",
    }
    assert family_members(["k/OneClient.ts", "k/TwoClient.ts", "k/ThreeClient.ts"], bool) == {
        "k/OneClient.ts": "One",
        "k/TwoClient.ts": "Two",
        "k/ThreeClient.ts": "Three",
    }


def test_a_client_whose_feature_gate_returns_false_makes_no_calls() -> None:
    off = _client("Quarry", "\n  def api_configured?\n    false\n  end\n")
    assert outbound_calls("ruby", off.encode())[0] == ()
    on = _client("Quarry", "\n  def api_configured?\n    Setting.quarry_key.present?\n  end\n")
    assert outbound_calls("ruby", on.encode())[0] != ()
    # a gate in a comment, another predicate returning false: the calls stay
    other = _client(
        "Quarry", "\n  # def api_configured?\n  #   false\n  def busy?\n    false\n  end\n"
    )
    assert outbound_calls("ruby", other.encode())[0] != ()
    assert switched_off(b"class Q < Base\n  def enabled? = false\n")
    assert switched_off(b"class Q < Base\n  def feature_enabled?; false; end\n")
    py = b"class Q(Base):\n    def is_enabled(self):\n        return False\n"
    assert switched_off(py)
    assert not switched_off(py.replace(b"return False", b"return self.flag or False"))
    # a root class's default, which its subclasses override
    assert not switched_off(py.replace(b"Q(Base)", b"Backend(ABC)"))
    assert not switched_off(b"class Gadget\n  def api_configured?\n    false\n  end\nend\n")


def test_a_module_setting_with_a_literal_default_names_the_host_it_defaults_to() -> None:
    files = {
        "lib/beacon.rb": (
            "module Beacon\n  def self.endpoint\n"
            '    ENV.fetch("BEACON_URL", "https://pings.beacon-svc.example.org/v1")\n  end\n\n'
            "  def self.mirror\n    ENV[\"MIRROR_URL\"] || 'https://mirror.beacon-svc.net'\n  end\n"
            '  def self.other\n    x = 1\n    ENV.fetch("OTHER_URL", "https://no.where.net")\n'
            "  end\nend\n"
        ),
        "app/jobs/beacon_job.rb": (
            "class BeaconJob < ApplicationJob\n  def perform\n"
            "    Net::HTTP.post(URI.parse(Beacon.mirror), body)\n  end\nend\n"
        ),
        "app/jobs/hook_job.rb": (
            "class HookJob < ApplicationJob\n  def perform(hook)\n"
            "    Net::HTTP.post(URI.parse(hook.target), body)\n  end\nend\n"
        ),
    }
    facts = facts_of(files)
    mirror = next(s for s in facts.integrations if s.name == "mirror.beacon-svc.net")
    assert mirror.configured_by == ("MIRROR_URL",)
    assert [(e.path, e.line) for e in mirror.evidence] == [("app/jobs/beacon_job.rb", 3)]
    assert "no.where.net" not in _names(facts)  # not the method's one statement
    assert [v for _, v in env_defaults(files["lib/beacon.rb"].encode())] == [
        "Beacon.endpoint=BEACON_URL=pings.beacon-svc.example.org",
        "Beacon.mirror=MIRROR_URL=mirror.beacon-svc.net",
    ]


def test_a_development_only_package_whose_settings_are_read_is_no_integration() -> None:
    gemfile = (
        'source "https://rubygems.org"\ngem "rails"\n'
        'group :development do\n  gem "scout_apm"\nend\n'
    )
    code = (
        "class Probe\n  def trace?\n"
        '    Rails.env.development? && ENV.fetch("SCOUT_DEV_TRACE", false) == "true"\n'
        "  end\nend\n"
    )
    names = _names(facts_of({"Gemfile": gemfile, "app/lib/probe.rb": code}))
    assert "Scout APM" not in names
    # the same package in the main group is the product's
    main = gemfile.replace('group :development do\n  gem "scout_apm"\nend\n', 'gem "scout_apm"\n')
    assert "Scout APM" in _names(facts_of({"Gemfile": main, "app/lib/probe.rb": code}))


def test_hostile_gate_and_default_texts_stay_fast() -> None:
    start = time.process_time()
    switched_off(b"def x_enabled?" + b" " * 500_000 + b"\n" + b"def configured?\n" * 100_000)
    switched_off(b"def " + b"a_" * 300_000 + b"enabled?\nfalse\n")
    env_defaults(b"module M\n" + b"  def self.u\n    ENV.fetch('X', 'https://" + b"a" * 400_000)
    env_defaults(b"module M\n" + b"  def self.u\n" * 100_000)
    family_members((f"f/{'a_' * 30}{i}_service.rb" for i in range(50_000)), bool)
    assert time.process_time() - start < 10


def test_csp_directives_name_the_hosts_pages_load_from() -> None:
    from bot.core.analysis.egress_csp import csp_hosts

    src = (
        b"class Shell < ApplicationController\n  def policy\n"
        b'    content_security_policy.font_src :self, "https://glyphs.fontfarm.io"\n'  # 3
        b"    content_security_policy.img_src(*extra)\n"
        b'    content_security_policy.script_src :self, "https://stats.tally.io"\n'
        b'    # content_security_policy.font_src "https://commented.example.net"\n'
        b"    if Rails.env.development? then\n"
        b'      content_security_policy.style_src "https://devtool.io" # development\n'
        b"    end\n"
        b'    link = "https://docs.fontfarm.io/src"\n'
        b"  end\nend\n"
    )
    assert {(c.line, c.host) for c in csp_hosts(src)} == {(3, "glyphs.fontfarm.io")}
    js = b"helmet({ directives: { styleSrc: [\"'self'\", 'https://sheets.stylebox.net'] } })\n"
    assert {c.host for c in csp_hosts(js)} == {"sheets.stylebox.net"}
    # A docstring showing the shape is no policy; the code after it still counts.
    doc = (
        b'"""Hosts a policy names.\n\n'
        b'`policy.font_src :self, "https://fonts.sample.org"` in Rails.\n"""\n'
        b'p.style_src :self, "https://after.stylebox.net"\n'
    )
    assert {c.host for c in csp_hosts(doc)} == {"after.stylebox.net"}


def test_a_page_pointing_a_loader_at_another_host_is_egress() -> None:
    page = (
        "export async function show(loader) {\n"
        "  loader.setDecoderPath('https://decoders.meshbox.io/v1/')\n"  # 2
        "  await loader.preloadParts('https://parts.brickhub.net/lib/all.ldr')\n"  # 3
        "  loader.setHelpText('https://help.meshbox.io/why')\n"
        "  track('https://stats.meshbox.io/x')\n"
        "}\n"
    )
    names = _names(facts_of({"app/frontend/viewer.ts": page}))
    assert {"decoders.meshbox.io", "parts.brickhub.net"} <= names
    assert not names & {"help.meshbox.io", "stats.meshbox.io"}
    # the same calls in server code: a candidate no wrapper keeps
    assert not _names(facts_of({"server/viewer.ts": page})) & {"decoders.meshbox.io"}


def test_a_ruby_client_class_built_on_a_written_url_talks_to_that_host() -> None:
    src = (
        b"class Catalogue\n  def client\n"
        b'    @client ||= Gql::Client.new(\n      "https://api.printbarn.io/graphql",\n'
        b"      headers: {}\n    )\n  end\n\n"
        b'  def link\n    Link.new("https://printbarn.io/about")\n  end\nend\n'
    )
    calls, _, _ = outbound_calls("ruby", src)
    assert {(c.kind, c.host) for c in calls} == {("http", "api.printbarn.io")}


def test_hostile_csp_lines_stay_fast() -> None:
    from bot.core.analysis.egress_csp import csp_hosts

    start = time.process_time()
    csp_hosts(b"font_src " + b"'https://a.b.c' " * 200_000 + b"\n")
    csp_hosts(b"font_src 'https://" + b"a." * 500_000 + b"\n")
    csp_hosts(b"x_src://\n" * 300_000)
    assert time.process_time() - start < 10


def _ts_member(klass: str) -> str:
    return (
        f"export class {klass} extends SharedChannel {{\n"
        "  async send(instance: string, body: string) {\n"
        "    return fetch(`${instance}/api/v1/notes`, { method: 'POST', body });\n"
        "  }\n}\n"
    )


def test_dotted_role_suffix_members_under_a_category_folder_name_each_service() -> None:
    base = (
        "export abstract class SharedChannel {\n"
        "  async probe(link: string) {\n    return fetch(link, { method: 'HEAD' });\n  }\n}\n"
    )
    files = {
        # `integrations/chatter/`: a category folder under a service folder, not a service
        "lib/integrations/chatter/pebble.provider.ts": _ts_member("PebbleProvider"),
        "lib/integrations/chatter/quill.provider.ts": _ts_member("QuillProvider"),
        "lib/integrations/chatter/marsh.custom.provider.ts": _ts_member("MarshProvider"),
        # the family's abstract base names no service, nor does a same-folder helper's word
        "lib/integrations/chatter.abstract.ts": base,
        "lib/integrations/relay.base.ts": base,
    }
    names = _names(facts_of(files))
    assert {"Pebble", "Quill"} <= names
    assert not {n for n in names if "abstract" in n.lower() or "base" in n.lower()}
    assert "Chatter" not in names
    # dotted names whose last word is no role word are no members
    paths = ["k/a.helper.ts", "k/b.helper.ts", "k/c.helper.ts"]
    assert family_members(paths, bool) == {}
    assert family_members(["k/a.client.ts", "k/b.client.ts", "k/c.client.ts"], bool) == {
        "k/a.client.ts": "a",
        "k/b.client.ts": "b",
        "k/c.client.ts": "c",
    }


def test_hostile_dotted_member_names_stay_fast() -> None:
    paths = [f"f/{'a.' * 5000}{i}.provider.ts" for i in range(200)]
    paths += [f"g/{'x' * 20000}.client.ts", "g/..client.ts", "g/.provider.ts"]
    start = time.perf_counter()
    family_members(paths, bool)
    assert time.perf_counter() - start < 1.0
