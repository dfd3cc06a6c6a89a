"""The layering of docs/architecture.md holds: imports and templates only point down.

Capabilities are layered in the order of `forum.capabilities.ALL`: a capability may import
another only when that one comes earlier. Below them all sit the shared parts that import no
capability: `forum.core`, `forum.extensions`, `forum.config` and the API framework `forum.api`
(last in ALL only because it registers the /api/v1 blueprint after every route is attached).
Every import counts, also those inside functions, since a lazy import is a dependency too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from forum import capabilities

ROOT = Path(__file__).resolve().parent.parent
FORUM = ROOT / "forum"
TEMPLATES = ROOT / "templates"

ORDER = [module.__name__.rsplit(".", 1)[-1] for module in capabilities.ALL]
SHARED = {"core", "extensions", "config"}  # import no capability at all
FRAMEWORKS = {"api"}  # every capability may import it; it imports only the shared parts
# Seeding tools, last in ALL: they write every capability's data and own no pages.
TOOLS = {"demo", "bench"}
CAPABILITIES = [name for name in ORDER if name not in FRAMEWORKS]
# The composition root wires every capability in; nothing imports it back.
ROOT_MODULES = {"forum", "forum.capabilities"}

# Imports that break the rule on purpose, with the reason. Keep this short.
ALLOWED = {
    # An annotation only (under TYPE_CHECKING): current_api_user() returns what accounts'
    # registered authenticator returns, and says so for mypy.
    ("forum.api.blueprint", "forum.accounts.models"),
}

LAYOUT_FILES = ("models.py", "views.py", "api.py", "forms.py", "schemas.py", "cli.py", "demo.py")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every `forum.…` module the file imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "forum":
                yield from (f"forum.{alias.name}" for alias in node.names)
            else:
                yield node.module


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def _may_import(source: str, target: str) -> bool:
    if source == target or target in SHARED:
        return True
    if source in SHARED:
        return False
    if target in FRAMEWORKS:
        return source not in SHARED
    if source in FRAMEWORKS:
        return False
    return ORDER.index(target) < ORDER.index(source)


def layering_violations() -> list[str]:
    problems = []
    for path in sorted(FORUM.rglob("*.py")):
        module = _module_name(path)
        if module in ROOT_MODULES:
            continue
        for target in _imports(path):
            if not target.startswith("forum.") or (module, target) in ALLOWED:
                continue
            if not _may_import(_layer(module), _layer(target)):
                problems.append(f"{module} imports {target}")
    return problems


def test_imports_only_point_down_the_layers() -> None:
    assert layering_violations() == []


def test_the_layering_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The check itself works: boards importing escalations, or core importing accounts, is
    reported (boards come before escalations in ALL)."""
    assert not _may_import("boards", "escalations")
    assert not _may_import("core", "accounts")
    assert not _may_import("api", "accounts")
    assert _may_import("escalations", "boards")
    assert _may_import("boards", "api")
    source = tmp_path / "sample.py"
    source.write_text("def later():\n    from forum.escalations import services\n")
    assert list(_imports(source)) == ["forum.escalations"]


TEMPLATE_REFERENCE = re.compile(r"""\{%-?\s*(?:include|import|from|extends)\s+["']([^"']+)["']""")


def template_violations() -> list[str]:
    """A capability's template may use its own, `_macros/`, `base.html` and lower capabilities'
    templates; the app-wide ones (base, errors, core, _macros) use no capability's."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES)
        owner = relative.parts[0] if len(relative.parts) > 1 else ""
        for name in TEMPLATE_REFERENCE.findall(path.read_text(encoding="utf-8")):
            target = name.split("/", 1)[0] if "/" in name else ""
            if target not in ORDER or target == owner:
                continue
            if owner not in ORDER or ORDER.index(target) > ORDER.index(owner):
                problems.append(f"{relative} uses {name}")
    return problems


def test_templates_use_no_higher_capabilitys_partials() -> None:
    assert template_violations() == []


def test_every_pager_is_the_one_macro() -> None:
    """Pagination is written once, in `_macros/pagination.html`; pages import its `pager`."""
    pagers = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if 'class="pagination"' in path.read_text(encoding="utf-8")
        or re.search(r"\{%-?\s*macro\s+pager\b", path.read_text(encoding="utf-8"))
    )
    assert pagers == ["_macros/pagination.html"]


def _defines_blueprint(init: Path) -> bool:
    tree = ast.parse(init.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "bp" for t in node.targets)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "Blueprint"
        for node in tree.body
    )


@pytest.mark.parametrize("name", [n for n in CAPABILITIES if n not in TOOLS])
def test_every_capability_has_the_same_layout(name: str) -> None:
    package = FORUM / name
    missing = [f for f in LAYOUT_FILES if not (package / f).is_file()]
    if not ((package / "services.py").is_file() or (package / "services").is_dir()):
        missing.append("services.py or services/")
    if not _defines_blueprint(package / "__init__.py"):
        missing.append("bp = Blueprint(...) in __init__.py")
    assert missing == []
    if (package / "services.py").is_file() and (package / "services").is_dir():
        pytest.fail(f"{name} has both services.py and services/")


MODULE_LINES = 400
# Modules allowed past the limit, with the reason. An entry that is no longer over it fails the
# test, so the list only shrinks.
LONG_MODULES = {
    # Demo accounts: content, not logic (docs/architecture.md, "Layout of a capability").
    "forum/registry/demo_content.py": 410,
}


def test_no_module_is_over_about_400_lines() -> None:
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(FORUM.rglob("*.py"))
    }
    too_long = {
        name: lines
        for name, lines in lengths.items()
        if lines > LONG_MODULES.get(name, MODULE_LINES)
    }
    assert too_long == {}, "split these by noun (docs/architecture.md)"
    stale = [name for name in LONG_MODULES if lengths.get(name, 0) <= MODULE_LINES]
    assert stale == [], "no longer over the limit: remove them from LONG_MODULES"
