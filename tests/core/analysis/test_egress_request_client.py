"""The `request` npm client and its promise wrappers: `request(url)`, `request({ uri })`,
`request.post(…)`; a `request` that is not the package names nothing."""

from __future__ import annotations

from tests.core.analysis.test_egress import calls


def test_request_package_calls_reach_the_uri_they_are_given() -> None:
    source = (
        "const rp = require('request-promise')\n"
        "const request = require('request')\n"
        "async function f (conf) {\n"
        "  await rp({ method: 'POST', uri: 'https://api.quotebank.io/graphql', json: true })\n"
        "  request.get('https://feeds.newsdrop.net/latest')\n"
        "  await rp({ url: conf.hookUrl })\n"
        "}\n"
    )
    found = {(line, client, host) for line, client, host, _, _ in calls("javascript", source)}
    assert (4, "request-promise", "api.quotebank.io") in found
    assert (5, "request", "feeds.newsdrop.net") in found
    assert any(line == 6 for line, _, _ in found)


def test_a_request_that_is_not_the_package_names_nothing() -> None:
    source = (
        "const { request } = require('./lib/http')\n"
        "// const rp = require('request-promise'); rp('https://old.quotebank.io')\n"
        "function g (ctx) {\n"
        "  ctx.request({ uri: 'https://api.elsewhere.io/x' })\n"
        "  request('https://api.internal-only.io/y')\n"
        "}\n"
    )
    hosts = {host for _, _, host, _, _ in calls("javascript", source)}
    assert not {"old.quotebank.io", "api.elsewhere.io"} & hosts
