"""OAuth/OIDC providers named by their configuration: python-social-auth backends in Django
settings, next-auth (Auth.js) provider modules, passport strategies, OmniAuth providers. Each
claim carries the configuring line; a provider named in a comment or in prose claims nothing."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence, Service
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def integrations(files: dict[str, bytes]) -> dict[str, Service]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    return {s.name: s for s in facts.integrations}


def test_social_auth_backends_in_django_settings_name_each_provider() -> None:
    found = integrations(
        {
            "proj/settings.py": (
                b"AUTHENTICATION_BACKENDS = (\n"
                b'    "social_core.backends.github.GithubOAuth2",\n'
                b"    # 'social_core.backends.facebook.FacebookOAuth2',\n"
                b'    "social_core.backends.azuread_tenant.AzureADTenantOAuth2",\n'
                b'    "django.contrib.auth.backends.ModelBackend",\n'
                b")\n"
                b'HELP = "social_core.backends.discord.DiscordOAuth2 is not used"\n'
            )
        }
    )
    assert found["GitHub OAuth"].evidence == (Evidence("proj/settings.py", 2),)
    assert found["Microsoft Entra ID (Azure AD)"].evidence == (Evidence("proj/settings.py", 4),)
    assert "Facebook Login" not in found
    assert "Discord OAuth" not in found


def test_next_auth_providers_and_passport_strategies_are_named_by_their_imports() -> None:
    found = integrations(
        {
            "src/auth.ts": (
                b'import NextAuth from "next-auth";\n'
                b'import GitHub from "next-auth/providers/github";\n'
                b'// import Discord from "next-auth/providers/discord";\n'
                b'const note = "next-auth/providers/apple";\n'
                b"export const { handlers } = NextAuth({ providers: [GitHub] });\n"
            ),
            "server/passport.js": (
                b'const { Strategy: GoogleStrategy } = require("passport-google-oauth20");\n'
                b"passport.use(new GoogleStrategy({ clientID, clientSecret }, verify));\n"
            ),
        }
    )
    assert found["GitHub OAuth"].evidence == (Evidence("src/auth.ts", 2),)
    assert Evidence("server/passport.js", 1) in found["Google Sign-In"].evidence
    assert "Discord OAuth" not in found
    assert "Sign in with Apple" not in found


def test_omniauth_providers_in_an_initializer_name_each_provider() -> None:
    found = integrations(
        {
            "config/initializers/omniauth.rb": (
                b"Rails.application.config.middleware.use OmniAuth::Builder do\n"
                b"  provider :gitlab, ENV['GITLAB_KEY'], ENV['GITLAB_SECRET']\n"
                b"  # provider :facebook, ENV['FB_KEY']\n"
                b"end\n"
            )
        }
    )
    assert found["GitLab OAuth"].evidence == (Evidence("config/initializers/omniauth.rb", 2),)
    assert "Facebook Login" not in found


def test_every_next_auth_oauth_provider_module_names_a_service() -> None:
    # next-auth v4 and Auth.js ship one module per provider; the catalog lists them all, so a
    # provider file importing many of them claims each (credentials and email are local).
    oauth = (
        "42-school",
        "atlassian",
        "box",
        "coinbase",
        "dropbox",
        "faceit",
        "hubspot",
        "kakao",
        "line",
        "linkedin",
        "mailru",
        "naver",
        "osu",
        "reddit",
        "slack",
        "todoist",
        "twitch",
        "united-effects",
        "vk",
        "wikimedia",
        "wordpress",
        "zitadel",
        "zoom",
    )
    source = "".join(f'import P{i} from "next-auth/providers/{m}";\n' for i, m in enumerate(oauth))
    source += 'import Local from "next-auth/providers/credentials";\n'
    source += 'import Kinde from "@auth/core/providers/kinde";\n'
    found = integrations({"web/auth/providers.ts": source.encode()})
    auth = {name: s for name, s in found.items() if s.category == "auth"}
    assert len(auth) == len(oauth) + 1
    assert found["Kinde"].evidence == (Evidence("web/auth/providers.ts", len(oauth) + 2),)
    assert found["Zoom OAuth"].evidence == (Evidence("web/auth/providers.ts", len(oauth)),)
    for module in oauth:
        assert CATALOG.by_js_import(f"next-auth/providers/{module}"), module
        assert CATALOG.by_js_import(f"@auth/core/providers/{module}"), module


def test_a_backend_added_to_a_backends_list_in_place_names_its_provider() -> None:
    found = integrations(
        {
            "proj/settings.py": (
                b"AUTHENTICATION_BACKENDS = ['django.contrib.auth.backends.ModelBackend']\n"
                b"if DIRECTORY_URL:\n"
                b"    AUTHENTICATION_BACKENDS.insert(0, 'django_python3_ldap.auth.LDAPBackend')\n"
                b"    INSTALLED_APPS.append('django_auth_ldap.backend')\n"
            )
        }
    )
    # look-alike: an app appended to INSTALLED_APPS is no backend
    assert found["LDAP directory"].evidence == (Evidence("proj/settings.py", 3),)


def test_an_oidc_discovery_url_in_python_names_a_provider() -> None:
    found = integrations(
        {
            "trust/discovery.py": (
                b"import requests\n\n\n"
                b"def keys(issuer):\n"
                b'    """Fetches "{issuer}/.well-known/openid-configuration" first."""\n'
                b"    # f'{issuer}/.well-known/openid-configuration'\n"
                b"    return requests.get(\n"
                b"        f'{issuer}/.well-known/openid-configuration', timeout=3\n"
                b"    )\n"
            ),
            # look-alike: the path in prose, not ending a literal
            "trust/help.py": b"TEXT = 'see /.well-known/openid-configuration for more'\n",
        }
    )
    assert found["OpenID Connect provider"].evidence == (Evidence("trust/discovery.py", 8),)


def test_the_discovery_path_alone_is_a_name_of_it_unless_joined_to_an_issuer() -> None:
    found = integrations(
        {
            # look-alike: a rule table keyed by the path (this project's own tables are such)
            "rules/table.py": (b'RULES = (\n    ("/.well-known/openid-configuration",),\n)\n'),
        }
    )
    assert "OpenID Connect provider" not in found
    found = integrations(
        {
            "trust/keys.py": (
                b"import requests\n\n\n"
                b"def keys(issuer):\n"
                b'    return requests.get(issuer + "/.well-known/openid-configuration")\n'
            ),
        }
    )
    assert found["OpenID Connect provider"].evidence == (Evidence("trust/keys.py", 5),)
