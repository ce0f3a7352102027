"""The WSGI object for platforms that want `module:object` (CleverCloud's CC_PYTHON_MODULE).

Settings are read here, at import, because this module is the process's entry point.
"""

from __future__ import annotations

from bot.app.web import create_app

app = create_app()
