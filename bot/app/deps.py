"""The composition root: the worker's service dependencies from `Settings` and the queue
storage. The one place that names the adapters (PyGithub, the facts cache, the catalog file),
so the service layer needs only its ports.
"""

from __future__ import annotations

from bot.app.storage import Storage
from bot.service.refresh import ServiceDeps
from bot.settings import Settings


def build_deps(settings: Settings, storage: Storage | None) -> ServiceDeps:
    """The worker's dependencies, built once per process (`WorkerContext.deps`)."""
    from bot.github.factory import gateway_factory
    from bot.local.facts_cache import facts_cache_for

    cache = facts_cache_for(storage.raw() if storage is not None else None, settings.data_dir)
    from bot.local.catalog_file import default_catalog

    catalog = default_catalog()
    return ServiceDeps(
        gateways=gateway_factory(settings, cache), facts_cache=cache, catalog=catalog
    )
