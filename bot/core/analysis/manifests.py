"""Every manifest, config and deployment extractor, in one tuple for the registry.

Each satisfies the `Extractor` protocol (`name`, `version`, `matches`, `extract`); names are
unique, and a file's facts depend only on its bytes once an extractor is chosen.
"""

from __future__ import annotations

from bot.core.analysis.config_files import CONFIG_EXTRACTORS
from bot.core.analysis.deploy import DEPLOY_EXTRACTORS
from bot.core.analysis.framework_config import FRAMEWORK_EXTRACTORS
from bot.core.analysis.manifest_text import FileExtractor
from bot.core.analysis.manifests_js import JS_MANIFEST_EXTRACTORS
from bot.core.analysis.manifests_other import OTHER_MANIFEST_EXTRACTORS
from bot.core.analysis.manifests_python import PYTHON_MANIFEST_EXTRACTORS
from bot.core.analysis.platforms import PLATFORM_EXTRACTORS
from bot.core.analysis.process_files import PROCESS_EXTRACTORS

MANIFEST_EXTRACTORS: tuple[FileExtractor, ...] = (
    *PYTHON_MANIFEST_EXTRACTORS,
    *JS_MANIFEST_EXTRACTORS,
    *OTHER_MANIFEST_EXTRACTORS,
    *CONFIG_EXTRACTORS,
    *FRAMEWORK_EXTRACTORS,
    *DEPLOY_EXTRACTORS,
    *PROCESS_EXTRACTORS,
    *PLATFORM_EXTRACTORS,
)


def manifest_extractors_for(path: str) -> tuple[FileExtractor, ...]:
    """The extractors of this module that claim `path` (usually one, sometimes none)."""
    return tuple(e for e in MANIFEST_EXTRACTORS if e.matches(path))
