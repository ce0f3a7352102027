"""Go SDK clients of self-hosted forges and container engines name their service where the
code imports them (a product dependency); a transitive `// indirect` requirement does not."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()

GO_MOD = (
    b"module example.org/runner\n\ngo 1.22\n\nrequire (\n"
    b"\tcode.gitea.io/sdk/gitea v0.20.0\n"
    b"\tgithub.com/moby/moby/client v0.5.0\n"
    b"\tk8s.io/client-go v0.30.0\n"
    b")\n"
)
FORGE = (
    b'package hub\n\nimport "code.gitea.io/sdk/gitea"\n\n'
    b"func Mark(c *gitea.Client, o, n, sha string) error {\n"
    b"\t_, _, err := c.CreateStatus(o, n, sha, gitea.CreateStatusOption{})\n\treturn err\n}\n"
)
ENGINE = (
    b'package box\n\nimport (\n\t"context"\n\n\t"github.com/moby/moby/client"\n)\n\n'
    b"func Start(ctx context.Context, c *client.Client, id string) error {\n"
    b"\t_, err := c.ContainerStart(ctx, id, client.ContainerStartOptions{})\n\treturn err\n}\n"
)
CLUSTER = (
    b'package pods\n\nimport "k8s.io/client-go/kubernetes"\n\n'
    b"func New(c kubernetes.Interface) { _ = c.CoreV1() }\n"
)


def names(files: dict[str, bytes]) -> dict[str, tuple[tuple[str, int | None], ...]]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    return {s.name: tuple((e.path, e.line) for e in s.evidence) for s in facts.integrations}


def test_imported_sdks_name_forge_engine_and_cluster() -> None:
    found = names(
        {"go.mod": GO_MOD, "hub/hub.go": FORGE, "box/box.go": ENGINE, "pods/pods.go": CLUSTER}
    )
    assert ("hub/hub.go", 3) in found["Gitea"]
    assert ("box/box.go", 6) in found["Docker Engine API"]
    assert ("pods/pods.go", 3) in found["Kubernetes API"]


def test_indirect_requirements_and_lookalike_paths_name_nothing() -> None:
    go_mod = (
        b"module example.org/app\n\ngo 1.22\n\nrequire (\n"
        b"\tgithub.com/moby/moby/client v0.5.0 // indirect\n"
        b"\tk8s.io/apimachinery v0.30.0\n)\n"
    )
    # apimachinery types only (no client), a path that merely starts like the SDK's
    types = b'package t\n\nimport "k8s.io/apimachinery/pkg/types"\n\nvar U types.UID\n'
    other = b'package o\n\nimport "code.gitea.io/sdkx/tool"\n\nvar _ = tool.X\n'
    found = names({"go.mod": go_mod, "t/t.go": types, "o/o.go": other})
    assert "Docker Engine API" not in found
    assert "Kubernetes API" not in found
    assert "Gitea" not in found


def test_avatar_base_hashed_in_a_sibling_file() -> None:
    base = b'package forge\n\nconst avatarBase = "https://www.gravatar.com/avatar"\n'
    assert names({"forge/helper.go": base})["Gravatar"] == (("forge/helper.go", 3),)
    # without a hash in the file, a path after the host (a settings link) is not a base
    link = b'package help\n\nconst Help = "see https://www.gravatar.com/avatar/ for the format"\n'
    assert "Gravatar" not in names({"help/help.go": link})


def test_hostile_avatar_and_import_input_stays_bounded() -> None:
    junk = b'package x\n\nconst a = "' + b"https://www.gravatar.com/avatar" * 20_000 + b"\n"
    imports = b'package y\n\nimport "' + b"k8s.io/" * 50_000 + b"\n"
    found = names({"x/x.go": junk, "y/y.go": imports})
    assert "Kubernetes API" not in found
