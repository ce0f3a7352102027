"""Go library calls that name services (go_library_calls) and embedded key-value stores.

Fixtures are written for these tests: a comments server that keeps its data in bbolt,
notifies through go-pkgz/notify, logs users in with go-pkgz/auth, and a second one using
goth and nikoksr/notify. The vendored copies of the libraries must never be evidence.
"""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.go_library_calls import library_calls
from bot.core.analysis.golang import extract_go
from bot.core.analysis.scan import Lines
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

GO_MOD = """\
module example.org/talkback

go 1.22

require (
	go.etcd.io/bbolt v1.3.9
	github.com/go-pkgz/notify v1.1.0
	github.com/go-pkgz/auth/v2 v2.0.0
	github.com/go-pkgz/lcw/v2 v2.0.0
)
"""

STORE = """\
package store

import (
	"fmt"

	bbolt "go.etcd.io/bbolt"
)

type Store struct{ db *bbolt.DB }

func Open(path string) (*Store, error) {
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &Store{db: db}, nil
}
"""

ALERTS = """\
package alerts

import (
	gn "github.com/go-pkgz/notify"
)

// gn.NewSlack(token) in a comment is not a call
func Build(token, hook string) []any {
	tg := gn.NewTelegram(gn.TelegramParams{Token: token})
	wh := gn.NewWebhook(gn.WebhookParams{URL: hook})
	return []any{tg, wh}
}
"""

MAILER = """\
package alerts

import "github.com/go-pkgz/notify"

func Mailer(p notify.SMTPParams) *notify.Email { return notify.NewEmail(p) }
"""

LOGIN = """\
package main

import (
	"github.com/go-pkgz/auth/v2"
	"github.com/go-pkgz/lcw/v2/eventbus"
)

func setup(svc *auth.Service, addr string) {
	svc.AddProvider("github", "cid", "secret")
	svc.AddProvider("yandex", "cid", "secret")
	svc.AddCustomProvider("corp", auth.Client{}, nil)
	_ = auth.Opts{UseGravatar: true}
	bus, _ := eventbus.NewRedisPubSub(addr, "invalidate")
	_ = bus
}

func main() {}
"""

VENDORED = """\
package notify

func NewTelegram() {}
func call() { _ = NewSlack() }
"""


def run(files: dict[str, str]):  # type: ignore[no-untyped-def]
    snap = MemorySnapshot({p: t.encode() for p, t in files.items()})
    return analyze(snap, MemoryFactsCache(), default_catalog())


def _by_name(items) -> dict[str, tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {s.name: tuple(f"{e.path}:{e.line}" for e in s.evidence) for s in items}


def test_bbolt_is_a_datastore_used_where_imported() -> None:
    facts = run({"go.mod": GO_MOD, "store/store.go": STORE})
    found = _by_name(facts.datastores)
    assert "store/store.go:6" in found["BoltDB (bbolt)"]


def test_notify_and_auth_calls_name_their_services_from_the_product_line() -> None:
    facts = run(
        {
            "go.mod": GO_MOD,
            "alerts/build.go": ALERTS,
            "alerts/mail.go": MAILER,
            "main.go": LOGIN,
            "vendor/github.com/go-pkgz/notify/slack.go": VENDORED,
        }
    )
    integrations = _by_name(facts.integrations)
    assert integrations["Telegram"] == ("alerts/build.go:9",)
    assert integrations["Webhook (operator-configured URL)"] == ("alerts/build.go:10",)
    assert "alerts/mail.go:5" in integrations["SMTP"]
    assert "Slack" not in integrations  # only the comment and the vendored library name it
    assert integrations["GitHub OAuth"] == ("main.go:9",)
    assert integrations["Yandex OAuth"] == ("main.go:10",)
    assert integrations["OAuth2 provider (operator-configured)"] == ("main.go:11",)
    assert integrations["Gravatar"] == ("main.go:12",)
    assert "main.go:13" in _by_name(facts.datastores)["Redis"]
    for item in (*facts.integrations, *facts.datastores):
        assert all(not e.path.startswith("vendor/") for e in item.evidence)


def test_goth_and_nikoksr_providers_by_package() -> None:
    text = """\
package main

import (
	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/google"
	dc "github.com/markbates/goth/providers/discord"
	"github.com/nikoksr/notify/service/telegram"
	"github.com/nikoksr/notify/service/mail"
)

func main() {
	goth.UseProviders(google.New("k", "s", "cb"), dc.New("k", "s", "cb"))
	t, _ := telegram.New("token")
	m := mail.New("from@example.org", "smtp.example.org:25")
	_, _ = t, m
}
"""
    details = {
        (s.detail, s.line) for s in extract_go(text).signals if s.kind == "config.library_call"
    }
    assert details == {
        ("go-oauth:google", 12),
        ("go-oauth:discord", 12),
        ("go-notify:telegram", 13),
        ("go-notify:smtp", 14),
    }


def test_a_call_without_the_import_is_no_evidence() -> None:
    text = 'package x\n\nfunc f() { notify.NewTelegram(p); s.AddProvider("google", a, b) }\n'
    assert [s for s in extract_go(text).signals if s.kind == "config.library_call"] == []


def test_hostile_input_stays_linear() -> None:
    imports = [("github.com/go-pkgz/notify", "")] * 5000 + [("github.com/go-pkgz/auth", "")]
    code = (
        ("notify.NewTelegram(" * 20000) + ".AddProvider(" + " " * 50000 + ("UseGravatar:" * 20000)
    )
    start = time.perf_counter()
    out = library_calls(code, imports, Lines(code))
    assert time.perf_counter() - start < 2.0
    assert len(out) <= 200
