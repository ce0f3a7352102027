"""Rails storage services per environment and the SMTP address's env var, from config files."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis import analyze
from bot.core.analysis.extractors import extractor_for
from bot.core.analysis.framework_config import (
    parse_next_config,
    parse_rails_ruby_config,
    parse_rails_storage,
    parse_request_headers,
    without_erb,
)
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import EnvRead, Evidence, Service, Signal
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()

STORAGE_YML = b"""\
local:
  service: Disk
  root: <%= Rails.root.join("storage") %>

test:
  service: Disk
  root: <%= Rails.root.join("tmp/storage") %>

amazon:
  service: S3
  access_key_id: <%= ENV["S3_ACCESS_KEY_ID"] %>
  bucket: <%= ENV["S3_BUCKET"] %>

r2:
  service: S3
  endpoint: https://<%= ENV['CLOUDFLARE_ACCOUNT_ID'] %>.r2.cloudflarestorage.com
  access_key_id: <%= ENV['CLOUDFLARE_ACCESS_KEY_ID'] %>

spaces:
  service: S3
  endpoint: https://nyc3.digitaloceanspaces.com

minio:
  service: S3
  endpoint: http://minio:9000

# google:
#   service: GCS
"""


def test_each_storage_block_names_its_service_and_an_s3_endpoint_names_its_provider() -> None:
    facts = parse_rails_storage(STORAGE_YML)
    assert facts.signals == (
        Signal("config.rails.storage", "amazon", 10, "S3"),
        Signal("config.rails.storage", "local", 2, "Disk"),
        Signal("config.rails.storage", "minio", 24, "minio"),
        Signal("config.rails.storage", "r2", 15, "cloudflare_r2"),
        Signal("config.rails.storage", "spaces", 20, "digitalocean_spaces"),
    )
    assert EnvRead("CLOUDFLARE_ACCOUNT_ID", 16) in facts.env


def test_the_test_block_and_a_commented_out_block_claim_nothing() -> None:
    names = {s.name for s in parse_rails_storage(STORAGE_YML).signals}
    assert "test" not in names
    assert "google" not in names


def test_erb_tags_are_blanked_in_place_so_lines_and_columns_hold() -> None:
    text = 'a: <%= ENV["X"] %>\nb: <%\n  1 %>\nc: 1\n'
    blank = without_erb(text)
    assert len(blank) == len(text)
    assert blank.splitlines()[3] == "c: 1"
    assert "<%" not in blank
    assert without_erb("a: <%= unterminated\nb: 1\n") == "a: " + "x" * 16 + "\nxxxx\n"


def test_environments_choose_storage_by_name_or_through_an_env_var() -> None:
    production = (
        b"Rails.application.configure do\n"
        b"  # config.active_storage.service = :amazon\n"
        b'  config.active_storage.service = ENV.fetch("ACTIVE_STORAGE_SERVICE", "local").to_sym\n'
        b"end\n"
    )
    staging = b"  config.active_storage.service = :amazon\n"
    assert parse_rails_ruby_config("config/environments/production.rb", production).meta == (
        ("rails.storage.env", "production|local|ACTIVE_STORAGE_SERVICE|3"),
    )
    assert parse_rails_ruby_config("config/environments/staging.rb", staging).meta == (
        ("rails.storage.env", "staging|amazon||1"),
    )


def test_smtp_address_from_env_is_read_in_initializers_but_not_in_development() -> None:
    initializer = (
        b"if Rails.env.production?\n"
        b"  ActionMailer::Base.smtp_settings = {\n"
        b'    address: ENV.fetch("SMTP_HOST", "127.0.0.1"),\n'
        b"    port: 25,\n"
        b"  }\n"
        b"end\n"
    )
    assert parse_rails_ruby_config("config/initializers/email.rb", initializer).meta == (
        ("rails.smtp.env", "SMTP_HOST|3"),
    )
    development = b'config.action_mailer.smtp_settings = {\n  address: ENV["DEV_SMTP"]\n}\n'
    assert parse_rails_ruby_config("config/environments/development.rb", development).meta == ()


def test_one_extractor_reads_environment_files_with_the_adapter_settings_kept() -> None:
    extractor = extractor_for("config/environments/production.rb")
    assert extractor is not None
    facts = extractor.extract(
        "config/environments/production.rb",
        b"config.active_job.queue_adapter = :sidekiq\nconfig.active_storage.service = :amazon\n",
    )
    assert Signal("config.rails", "active_job.queue_adapter", 1, "sidekiq") in facts.signals
    assert ("rails.storage.env", "production|amazon||2") in facts.meta


def _integrations(files: dict[str, bytes]) -> dict[str, Service]:
    """Integrations and the buckets listed with the datastores (object storage)."""
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    buckets = [s for s in facts.datastores if s.category == "object-storage"]
    return {s.name: s for s in (*buckets, *facts.integrations)}


def test_storage_chosen_by_env_var_is_configured_by_it_with_the_choosing_line() -> None:
    found = _integrations(
        {
            "config/storage.yml": STORAGE_YML,
            "config/environments/production.rb": (
                b'config.active_storage.service = ENV.fetch("ACTIVE_STORAGE_SERVICE", "local")\n'
            ),
        }
    )
    r2 = found["Cloudflare R2"]
    assert r2.configured_by == ("ACTIVE_STORAGE_SERVICE",)
    assert Evidence("config/environments/production.rb", 1) in r2.evidence
    assert Evidence("config/storage.yml", 15) in r2.evidence
    assert "Cloudflare" not in found  # CLOUDFLARE_* in the R2 block configure R2, nothing else
    assert {"Amazon S3", "MinIO", "DigitalOcean Spaces"} <= set(found)


def test_a_storage_block_no_deployed_environment_chooses_is_only_declared() -> None:
    found = _integrations(
        {
            "config/storage.yml": b"local:\n  service: Disk\namazon:\n  service: S3\n",
            "config/environments/production.rb": b"config.active_storage.service = :local\n",
            "config/environments/development.rb": b"config.active_storage.service = :amazon\n",
        }
    )
    assert found["Amazon S3"].strength == "declared"
    assert found["Amazon S3"].evidence == (Evidence("config/storage.yml", 4),)


def test_a_storage_block_production_chooses_shows_the_choosing_line() -> None:
    found = _integrations(
        {
            "config/storage.yml": b"amazon:\n  service: S3\n",
            "config/environments/production.rb": b"config.active_storage.service = :amazon\n",
        }
    )
    assert found["Amazon S3"].strength == "configured"
    assert found["Amazon S3"].evidence[0] == Evidence("config/environments/production.rb", 1)


def test_a_test_apps_storage_config_makes_no_claim() -> None:
    found = _integrations(
        {
            "spec/dummy/config/storage.yml": b"amazon:\n  service: S3\n",
            "spec/dummy/config/environments/production.rb": (
                b"config.active_storage.service = :amazon\n"
            ),
        }
    )
    assert "Amazon S3" not in found


def test_smtp_gets_the_env_var_that_holds_its_address() -> None:
    found = _integrations(
        {
            "config/environments/production.rb": (
                b"config.action_mailer.delivery_method = :smtp\n"
                b"config.action_mailer.smtp_settings = {\n"
                b'  address:   ENV["SMTP_ADDRESS"],\n'
                b"}\n"
            ),
        }
    )
    assert found["SMTP"].configured_by == ("SMTP_ADDRESS",)
    assert found["SMTP"].evidence[0] == Evidence("config/environments/production.rb", 3)


def _cpu(fn: object, data: bytes) -> float:
    best = 1e9
    for _ in range(3):
        start = time.thread_time()
        fn(data)  # type: ignore[operator]
        best = min(best, time.thread_time() - start)
    return best


def test_hostile_storage_files_give_no_facts_quickly() -> None:
    hostile = [
        b"[" * 200_000,  # deep flow nesting
        b"a: " + b"x" * 5_000_000,  # a huge line
        b"<%" + b"x" * 50_000,  # an unterminated tag
        b"a: {" * 20_000,
        b"".join(b" " * i + b"k:\n" for i in range(350)),  # deep block nesting
        b"\xff\xfe\x00" * 10_000,  # not UTF-8
    ]
    for data in hostile:
        assert parse_rails_storage(data).signals == ()
        assert _cpu(parse_rails_storage, data) < 2.0


def test_hostile_ruby_config_is_read_in_one_bounded_pass() -> None:
    data = (
        b'config.active_storage.service = ENV.fetch("' + b"A" * 200_000 + b"\n"
        + b"smtp_settings\n" * 10_000
        + b"  address: ENV.fetch(" * 10_000
    )  # fmt: skip
    start = time.thread_time()
    parse_rails_ruby_config("config/environments/production.rb", data)
    assert time.thread_time() - start < 2.0


@given(st.text(max_size=400))
def test_any_text_parses_without_error_and_claims_lines_that_exist(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    lines = len(text.splitlines()) or 1
    for signal in parse_rails_storage(data).signals:
        assert signal.line is not None
        assert 1 <= signal.line <= lines
    for _, value in parse_rails_ruby_config("config/environments/production.rb", data).meta:
        assert 1 <= int(value.rsplit("|", 1)[-1]) <= lines


def test_django_smtp_is_configured_by_the_env_var_read_where_email_host_is_set() -> None:
    settings = (
        b"import os\n"
        b'EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"\n'
        b'EMAIL_HOST = os.environ.get("MAIL_SERVER", "localhost")\n'
        b'# EMAIL_HOST = os.environ["OLD_MAIL_SERVER"]\n'
    )
    found = _integrations({"app/settings.py": settings, "app/settings/local.py": settings})
    assert found["SMTP"].configured_by == ("MAIL_SERVER",)
    assert Evidence("app/settings.py", 3) in found["SMTP"].evidence


HEADERS_PY = b"""\
def country(request):
    # request.META.get("HTTP_CF_CONNECTING_IP") was the old way
    return request.META.get("HTTP_CF_IPCOUNTRY", "")


READER = geoip2.database.Reader("/usr/share/GeoIP/GeoLite2-City.mmdb")
"""
HEADERS_TS = b"""\
export function geo(req: Request) {
  const country = req.headers.get("x-vercel-ip-country");
  const viewer = req.headers.get("CloudFront-Viewer-Country");
  return { country, viewer, ip: req.headers.get("Fastly-Client-IP") };
}
"""


def test_cdn_request_headers_read_in_code_name_the_cdn_and_comments_do_not() -> None:
    facts = parse_request_headers(HEADERS_PY)
    assert facts.signals == (
        Signal("config.header", "cf-ipcountry", 3, "cf-ipcountry"),
        Signal("config.header", "mmdb", 6, "mmdb"),
    )
    names = {s.name for s in parse_request_headers(HEADERS_TS).signals}
    assert names == {"x-vercel-ip-country", "cloudfront-viewer-country", "fastly-client-ip"}


def test_cdn_headers_and_geoip_become_integrations_but_not_from_tests() -> None:
    found = _integrations(
        {
            "app/geo.py": HEADERS_PY,
            "web/lib/geo.ts": HEADERS_TS,
            "tests/test_geo.py": b'HEADERS = {"cf-connecting-ip": "1.2.3.4"}\n',
        }
    )
    assert found["Cloudflare"].evidence == (Evidence("app/geo.py", 3),)
    assert found["MaxMind GeoIP"].evidence == (Evidence("app/geo.py", 6),)
    assert found["Vercel Edge Network"].evidence == (Evidence("web/lib/geo.ts", 2),)
    assert found["Amazon CloudFront"].category == "cdn"
    assert found["Fastly"].evidence == (Evidence("web/lib/geo.ts", 4),)


HEADERS_EDGE_JS = b"""\
const IP_HEADERS = [
  "x-nf-client-connection-ip", // Netlify
  'do-connecting-ip', // DigitalOcean
];
// "x-nf-geo" is base64 JSON; not read yet
const geo = req.headers["X-NF-Geo"];
const country = headers.get(`eo-ipcountry`);
const label = "x-nf-geoip and do-connecting-ips are not headers";
"""


def test_netlify_digitalocean_and_edgeone_headers_name_their_edge() -> None:
    names = [(s.name, s.line) for s in parse_request_headers(HEADERS_EDGE_JS).signals]
    assert names == [
        ("do-connecting-ip", 3),
        ("eo-ipcountry", 7),
        ("x-nf-client-connection-ip", 2),
        ("x-nf-geo", 6),
    ]
    found = _integrations({"src/lib/ip.js": HEADERS_EDGE_JS})
    netlify = (Evidence("src/lib/ip.js", 2), Evidence("src/lib/ip.js", 6))
    assert found["Netlify Edge"].evidence == netlify
    assert found["DigitalOcean App Platform"].category == "cdn"
    assert found["Tencent EdgeOne"].evidence == (Evidence("src/lib/ip.js", 7),)


def test_many_headers_on_one_huge_line_are_read_in_linear_time() -> None:
    small = b'x = "cf-ipcountry" ' * 2_000
    large = b'x = "cf-ipcountry" ' * 200_000
    assert _cpu(parse_request_headers, large) < 200 * max(_cpu(parse_request_headers, small), 1e-4)
    assert len(parse_request_headers(large).signals) == 1


def test_headers_named_in_prose_or_as_bare_words_are_not_read() -> None:
    prose = (
        b'"""Reads ``cf-ipcountry`` and ``GeoLite2-City.mmdb`` when behind a CDN."""\n'
        b"cf_ipcountry = 1\n"
        b"fastly-client-ip is the header\n"
    )
    assert parse_request_headers(prose).signals == ()


NEXT_CONFIG = b"""\
/** @type {import('next').NextConfig} */
module.exports = {
  images: {
    remotePatterns: [
      { protocol: "https", hostname: "avatars.githubusercontent.com" },
      { protocol: "https", hostname: "**" },
    ],
    domains: ["images.unsplash.com"],
  },
  async rewrites() {
    return [
      { source: "/ingest/:path*", destination: "https://eu.i.posthog.com/:path*" },
      { source: "/docs", destination: "/documentation" },
      // { source: "/old", destination: "https://old.example-corp.io" },
    ];
  },
  async redirects() {
    return [{ source: "/chat", destination: "https://discord.gg/abc", permanent: true }];
  },
};
"""


def test_next_config_names_external_rewrites_redirects_and_image_hosts() -> None:
    calls = {(c.line, c.client, c.host) for c in parse_next_config(NEXT_CONFIG).calls}
    assert calls == {
        (5, "next/image", "avatars.githubusercontent.com"),
        (8, "next/image", "images.unsplash.com"),
        (12, "next.config rewrites", "eu.i.posthog.com"),
        (18, "next.config redirects", "discord.gg"),
    }


def test_next_config_hosts_become_integrations_through_the_catalog() -> None:
    found = _integrations({"next.config.js": NEXT_CONFIG, "package.json": b"{}"})
    assert found["PostHog"].evidence[0] == Evidence("next.config.js", 12)
    assert "old.example-corp.io" not in found


def test_hostile_next_config_is_bounded() -> None:
    data = b"rewrites destination: 'https://" + b"a" * 3_000_000 + b"\n" + b"domains: [" * 50_000
    start = time.thread_time()
    parse_next_config(data)
    assert time.thread_time() - start < 2.0


def test_cable_yml_production_adapter_is_named_and_the_test_adapter_is_not() -> None:
    found = _integrations(
        {
            "config/cable.yml": (
                b"development:\n  adapter: async\ntest:\n  adapter: test\n"
                b"production:\n  adapter: solid_cable\n"
            )
        }
    )
    assert found["Solid Cable"].evidence == (Evidence("config/cable.yml", 6),)


def test_omniauth_providers_in_initializers_name_the_provider() -> None:
    found = _integrations(
        {
            "config/initializers/omniauth.rb": (
                b"Rails.application.config.middleware.use OmniAuth::Builder do\n"
                b'  provider :github, ENV["GITHUB_KEY"], ENV["GITHUB_SECRET"]\n'
                b"  # provider :google_oauth2, ENV['G_ID'], ENV['G_SECRET']\n"
                b"  provider :developer unless Rails.env.production?\n"
                b"end\n"
            ),
            "config/initializers/devise.rb": b"  config.omniauth :google_oauth2, 'id', 'secret'\n",
        }
    )
    assert found["GitHub OAuth"].evidence == (Evidence("config/initializers/omniauth.rb", 2),)
    assert found["Google Sign-In"].evidence == (Evidence("config/initializers/devise.rb", 1),)


def test_a_bucket_is_listed_with_the_datastores() -> None:
    facts = analyze(
        MemorySnapshot(
            {
                "config/storage.yml": STORAGE_YML,
                "config/environments/production.rb": b"config.active_storage.service = :amazon\n",
            }
        ),
        MemoryFactsCache(),
        CATALOG,
    )
    assert "Amazon S3" in {s.name for s in facts.datastores}
    assert not [s for s in facts.integrations if s.category == "object-storage"]


def test_omniauth_openid_connect_is_a_configured_oidc_provider() -> None:
    found = _integrations(
        {
            "config/initializers/devise.rb": (
                b"  opts = { name: :openid_connect, issuer: ENV['SSO_ISSUER'] }\n"
                b"  config.omniauth :openid_connect, opts\n"
            ),
        }
    )
    devise = "config/initializers/devise.rb"
    assert found["OpenID Connect provider"].evidence == (Evidence(devise, 2),)


GEOCODER_RB = b"""\
opts = { timeout: 5, units: :km }
if ENV['SELF_GEO_HOST'].present?
  opts[:lookup] = :nominatim
  opts[:nominatim] = { host: ENV['SELF_GEO_HOST'] }
elsif ENV['OC_KEY'].present?
  opts[:lookup] = :opencagedata
end
# opts[:lookup] = :geoapify
Geocoder.configure(opts.merge(ip_lookup: :ipinfo_io))
"""


def test_geocoder_lookups_name_the_services_it_may_query() -> None:
    found = _integrations({"config/initializers/geocoding.rb": GEOCODER_RB})
    path = "config/initializers/geocoding.rb"
    assert found["Nominatim (OpenStreetMap geocoder)"].evidence == (Evidence(path, 3),)
    assert found["OpenCage geocoder"].evidence == (Evidence(path, 6),)
    # A commented-out lookup, and the IP lookup (another key), name nothing.
    assert "Geoapify" not in found


def test_a_lookup_key_without_the_geocoder_names_nothing() -> None:
    # Another library's `lookup:` option (a DNS helper): no Geocoder.configure in the file.
    found = _integrations(
        {"config/initializers/dns.rb": b"Resolver.setup(lookup: :nominatim, cache: true)\n"}
    )
    assert "Nominatim (OpenStreetMap geocoder)" not in found


def test_geocoder_queries_in_code_are_the_geocoding_service() -> None:
    found = _integrations(
        {
            "app/services/place_namer.rb": (
                b"class PlaceNamer\n"
                b"  def call(lat, lon)\n"
                b"    # Geocoder.search is rate limited\n"
                b"    Geocoder.search([lat, lon]).first\n"
                b"  end\n"
                b"end\n"
            ),
            "app/models/geo_note.rb": b"class GeoNote\n  NOTE = 'Geocoder.search'\nend\n",
        }
    )
    assert found["Geocoding service (geocoder gem)"].evidence == (
        Evidence("app/services/place_namer.rb", 4),
    )


def test_flipper_without_its_cloud_is_no_service() -> None:
    # The OSS gems keep flags in the app's own database; only flipper-cloud calls out.
    gemfile = b"source 'https://rubygems.org'\ngem 'flipper'\ngem 'flipper-active_record'\n"
    assert not [n for n in _integrations({"Gemfile": gemfile}) if "Flipper" in n]
    cloud = gemfile + b"gem 'flipper-cloud'\n"
    assert "Flipper Cloud" in _integrations({"Gemfile": cloud})
