"""The catalog's reader: `config/integrations.yml` into a `Catalog`, every error with its line.

Kept apart from `catalog` so that PyYAML is imported only when a catalog is read from YAML,
not when it comes from the pickled cache.
"""

from __future__ import annotations

import yaml

from bot.core.analysis.catalog import (
    BAD_CATEGORY,
    BAD_KIND,
    BAD_SECTION,
    BAD_TOP,
    CATEGORIES,
    DUPLICATE,
    DUPLICATE_KEY,
    DUPLICATE_NAME,
    ECOSYSTEMS,
    KINDS,
    MATCHERS,
    MISSING,
    NO_MATCHER,
    NOT_LIST,
    NOT_STRING,
    SECTIONS,
    UNKNOWN_KEY,
    UNKNOWN_SECTION,
    Catalog,
    Entry,
    normalize_package,
)
from bot.core.errors import ConfigError

# libyaml's composer when PyYAML has it: the catalog loads in ~30 ms instead of ~300 ms, which
# every CLI run and worker start pays (bench/analysis.py). Same nodes, same line marks.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalog(text: str, path: str = "config/integrations.yml") -> Catalog:
    """Parse and validate the catalog; `ConfigError` names the line of the first problem."""
    try:
        root = yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"invalid YAML: {err}", path=path, line=line) from err
    loader = _Loader(path)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(BAD_TOP.format(sections=", ".join(SECTIONS)), path=path, line=1)
    for key_node, value in root.value:
        key = key_node.value
        if key == "version":
            continue
        if key not in SECTIONS:
            raise loader.error(
                key_node, UNKNOWN_SECTION.format(key=key, sections=", ".join(SECTIONS))
            )
        if not isinstance(value, yaml.SequenceNode):
            raise loader.error(value, BAD_SECTION.format(section=key))
        for item in value.value:
            loader.entry(key, item)
    return Catalog(loader.entries, loader.keys)


class _Loader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.entries: list[Entry] = []
        self.keys: list[tuple[str, str, Entry]] = []
        self._names: dict[str, int] = {}
        self._seen: dict[tuple[str, str, str], tuple[Entry, int]] = {}

    def error(self, node: yaml.Node, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, line=node.start_mark.line + 1)

    def entry(self, section: str, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, BAD_SECTION.format(section=section))
        fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if key_node.value in fields:
                raise self.error(key_node, DUPLICATE_KEY.format(key=key_node.value))
            fields[key_node.value] = (key_node, value_node)
        line = node.start_mark.line + 1
        name = self._string(fields, "name", section, node)
        if name in self._names:
            raise self.error(node, DUPLICATE_NAME.format(name=name, line=self._names[name]))
        self._names[name] = line
        allowed = {"name", *MATCHERS} | (
            {"category", "observability"} if section == "services" else {"kind"}
        )
        for key, (key_node, _) in fields.items():
            if key not in allowed:
                raise self.error(key_node, UNKNOWN_KEY.format(key=key, section=section, name=name))
        if section == "services":
            category = self._string(fields, "category", section, node)
            if category not in CATEGORIES:
                allowed_text = ", ".join(sorted(CATEGORIES))
                raise self.error(
                    fields["category"][1],
                    BAD_CATEGORY.format(value=category, allowed=allowed_text),
                )
            aspect = ""
            if "observability" in fields:
                aspect = self._string(fields, "observability", section, node)
                self._check_kind("observability", aspect, fields["observability"][1])
            entry = Entry(name, section, category, "", aspect, line)
        else:
            kind = self._string(fields, "kind", section, node)
            if section in KINDS:
                self._check_kind(section, kind, fields["kind"][1])
            entry = Entry(name, section, section, kind, "", line)
        matchers = [m for m in MATCHERS if m in fields]
        if not matchers and section != "deployment":
            raise self.error(node, NO_MATCHER.format(name=name, matchers=", ".join(MATCHERS)))
        for matcher in matchers:
            for value_node in self._list(fields[matcher][1], matcher):
                self._key(section, matcher, value_node, entry)
        self.entries.append(entry)

    def _key(self, section: str, matcher: str, node: yaml.ScalarNode, entry: Entry) -> None:
        raw = node.value
        norm = normalize_package(matcher, raw) if matcher in ECOSYSTEMS else raw
        seen = self._seen.get((section, matcher, norm))
        if seen is not None:
            other, line = seen
            raise self.error(
                node,
                DUPLICATE.format(
                    key=matcher, value=raw, other=other.name, section=section, line=line
                ),
            )
        self._seen[(section, matcher, norm)] = (entry, node.start_mark.line + 1)
        self.keys.append((matcher, raw, entry))

    def _check_kind(self, section: str, kind: str, node: yaml.Node) -> None:
        if kind not in KINDS[section]:
            allowed = ", ".join(sorted(KINDS[section]))
            raise self.error(node, BAD_KIND.format(section=section, value=kind, allowed=allowed))

    def _string(
        self,
        fields: dict[str, tuple[yaml.Node, yaml.Node]],
        key: str,
        section: str,
        node: yaml.Node,
    ) -> str:
        if key not in fields:
            raise self.error(node, MISSING.format(section=section, key=key))
        value = fields[key][1]
        if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
            raise self.error(value, NOT_STRING.format(key=key))
        return str(value.value)

    def _list(self, node: yaml.Node, key: str) -> list[yaml.ScalarNode]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.error(node, NOT_LIST.format(key=key))
        items: list[yaml.ScalarNode] = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                raise self.error(item, NOT_LIST.format(key=key))
            items.append(item)
        return items
