"""The kernel imports no app (architecture.md): apps register with it at ready(). This walks
the source rather than the import graph, so it also catches imports inside functions and
dotted paths or permissions of an app written as strings. import-linter (`make lint`)
checks the same direction, and the arrows between the apps, on the import graph."""

import ast
from pathlib import Path

KERNEL = Path(__file__).resolve().parents[2] / "servicedesk"
APPS = {"tickets", "complaints", "reporting", "staffing", "demo", "bench"}
SOURCES = sorted(KERNEL.rglob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                node.func, "attr", "")) in {"import_module", "__import__", "import_string"}
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_the_kernel_has_python_sources_to_check():
    assert KERNEL / "registry.py" in SOURCES and len(SOURCES) > 20


def _where(source: Path, line: int) -> str:
    return f"{source.relative_to(KERNEL.parent)}:{line}"


def test_the_kernel_imports_no_app():
    bad = []
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        bad += [(_where(source, line), name) for line, name in _imports(tree)
                if name.split(".")[0] in APPS]
    assert bad == []


def test_the_kernel_names_no_module_permission_or_url_of_an_app():
    """No "tickets.urls", "tickets.add_case" or "reporting:sla" in code (docstrings and
    INSTALLED_APPS' bare app names are fine)."""
    bad = []
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        bad += [
            (_where(source, node.lineno), node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings
            and any(node.value.startswith((f"{app}.", f"{app}:")) for app in APPS)
        ]
    assert bad == []
