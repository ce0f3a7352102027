"""The setup page's three pages (`bot.cli.app_setup`): start, confirm, done.

Jinja templates, rendered with autoescaping (Flask's `render_template_string`), so what
GitHub sends back (the app's name) is text, never markup.
"""

PAGE_STYLE = """
body{font:15px/1.55 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;
color:#1f2328} h1{font-size:1.6rem;margin-bottom:.3rem} .lead{color:#57606a;margin-top:0}
table{border-collapse:collapse;margin:1.2rem 0;width:100%} th,td{text-align:left;
padding:.35rem .6rem;border-bottom:1px solid #d0d7de;vertical-align:top} th{width:9rem;
color:#57606a;font-weight:500} code{font-size:.9em;background:#f6f8fa;padding:.1rem .3rem;
border-radius:4px} button{font-size:1rem;border-radius:6px;padding:.6rem 1.2rem;
cursor:pointer;border:1px solid #1f883d;background:#1f883d;color:#fff}
button.secondary{background:#f6f8fa;color:#1f2328;border-color:#d0d7de}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.6rem .9rem}
.ok{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:.6rem .9rem}
"""
START_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Create the docs-refresh GitHub App</title>
<style>{{ style }}</style></head><body>
<h1>Create the docs-refresh GitHub App</h1>
<p class="lead">One click registers the App on GitHub from <code>{{ manifest_path }}</code>,
then brings its id, private key and webhook secret back here.</p>
<table>
<tr><th>On</th><td><code>{{ create_url }}</code></td></tr>
<tr><th>Name</th><td>{{ manifest.name }}
<small>(GitHub lets you change it on the next page)</small></td></tr>
<tr><th>Webhook</th><td>{% if webhook %}<code>{{ webhook }}</code>{% else %}none yet: set
it later in the App's settings (Webhook URL), where the bot's <code>/webhook</code>
answers{% endif %}</td></tr>
<tr><th>Permissions</th><td>{{ permissions }}</td></tr>
<tr><th>Events</th><td>{{ events }}</td></tr>
<tr><th>Writes</th><td><code>{{ env_path }}</code>: APP_ID, PRIVATE_KEY_PATH, WEBHOOK_SECRET
{%- if api_url %}, GITHUB_API_URL{% endif %}<br>the private key to
<code>{{ key_dir }}/</code></td></tr>
</table>
{% if existing %}<p class="warn" id="existing">Your <code>.env</code> already sets
{{ existing|join(", ") }}. You will be asked before any of them is replaced.</p>{% endif %}
<form method="post" action="{{ create_url }}?state={{ state }}">
<input type="hidden" name="manifest" value="{{ manifest_json }}">
<button id="create" type="submit">Create GitHub App on {{ github_host }}</button>
</form></body></html>
"""
CONFIRM_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Replace the values in .env?</title>
<style>{{ style }}</style></head><body>
<h1>Replace the values in <code>.env</code>?</h1>
<p>GitHub created <strong>{{ app_name }}</strong> (App ID {{ app_id }}). Your
<code>{{ env_path }}</code> already sets:</p>
<ul id="conflicts">{% for key in conflicts %}<li><code>{{ key }}</code></li>{% endfor %}</ul>
<form method="post" action="/confirm">
<input type="hidden" name="state" value="{{ state }}">
<button id="replace" name="choice" value="replace" type="submit">Replace them</button>
<button id="keep" class="secondary" name="choice" value="keep" type="submit">Keep mine
(write the new values to <code>.env.new</code>)</button>
</form></body></html>
"""
DONE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>docs-refresh App created</title>
<style>{{ style }}</style></head><body>
<h1>The App is ready</h1>
<p class="ok" id="done">Created <strong>{{ app_name }}</strong> (App ID {{ app_id }}) and
wrote {{ written|join(", ") }} to <code>{{ target }}</code>; the private key is
<code>{{ key_path }}</code>.</p>
<p>Next: <a id="install" href="{{ install_url }}">install it on your repositories</a>, then
start the bot with <code>docs-refresh run</code>{% if not webhook %} and set the App's
webhook URL to where its <code>/webhook</code> answers{% endif %}.</p>
<p>You can close this page; the setup command has finished.</p>
</body></html>
"""
