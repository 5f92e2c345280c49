"""Access is decided in accounts/access.py only: no other module of hocvuso compares unit paths or roles.

The guard reads every module of the product (tests and migrations aside). Roles and their permissions are
defined in accounts/roles.py and read only by access.py; a unit's path is read as a prefix only by territory's
`lies_within`, `path_within` and the QuerySet method `within` (for "this unit and below", which is not an access
decision), and by access.py. Anything else that needs "may this user…" asks access.py.
"""

import ast
import re
from pathlib import Path

from django.conf import settings

PACKAGE = Path(settings.BASE_DIR) / "hocvuso"
ACCESS = "hocvuso/accounts/access.py"
ROLES = "hocvuso/accounts/roles.py"
TERRITORY = "hocvuso/territory/models.py"

# Text no module may hold, with the modules allowed to (the reviewers' grep in shared/hooks/before-stop, and more).
FORBIDDEN_TEXT = {
    re.compile(r"unit_paths_for"): {ACCESS},
    re.compile(r"ROLE_PERMISSIONS"): {ACCESS, ROLES},
    re.compile(r"role__in\b"): {ACCESS},
    re.compile(r"\.role *(==|!=|in |not in )"): {ACCESS},
    re.compile(r"path__startswith"): {ACCESS, TERRITORY},
    re.compile(r"organisation_scope"): set(),
}


def product_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.relative_to(PACKAGE).parts and "migrations" not in path.relative_to(PACKAGE).parts
    )


def name_of(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _is_a_unit_path(node: ast.expr) -> bool:
    """`x.path`, but not `request.path` (the URL)."""
    if isinstance(node, ast.Attribute) and node.attr == "path":
        return not (isinstance(node.value, ast.Name) and node.value.id == "request")
    return False


def _names_a_path(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and (node.id in {"path", "paths"} or node.id.endswith("_path"))


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.Tuple) and all(isinstance(item, ast.Constant) for item in node.elts)
    )


def path_prefix_checks(tree: ast.AST) -> list[int]:
    """Lines calling `.startswith` on a unit path: `x.path.startswith(…)`, `….startswith(x.path)`, or a variable
    named like a path compared with a prefix that is not a literal (`path.startswith(root)`)."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith"):
            continue
        receiver, arguments = node.func.value, node.args
        if (
            _is_a_unit_path(receiver)
            or any(_is_a_unit_path(argument) for argument in arguments)
            or (_names_a_path(receiver) and not all(_is_literal(argument) for argument in arguments))
        ):
            found.append(node.lineno)
    return found


def role_comparisons(tree: ast.AST) -> list[int]:
    """Lines comparing something's `.role` (==, !=, in, not in)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(isinstance(operand, ast.Attribute) and operand.attr == "role" for operand in operands):
                found.append(node.lineno)
    return found


def violations() -> list[str]:
    found = []
    for path in product_modules():
        name = name_of(path)
        source = path.read_text(encoding="utf-8")
        for pattern, allowed in FORBIDDEN_TEXT.items():
            if name in allowed:
                continue
            for number, line in enumerate(source.splitlines(), start=1):
                if pattern.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
        tree = ast.parse(source)
        if name not in {ACCESS, TERRITORY}:
            found += [f"{name}:{number}: a unit path compared as a prefix" for number in path_prefix_checks(tree)]
        if name != ACCESS:
            found += [f"{name}:{number}: a role compared" for number in role_comparisons(tree)]
    return found


def test_no_module_but_access_compares_unit_paths_or_roles():
    assert violations() == []


def test_the_guard_reads_every_product_module_and_finds_what_it_looks_for():
    names = {name_of(path) for path in product_modules()}
    assert {ACCESS, ROLES, TERRITORY, "hocvuso/people/services.py", "hocvuso/web/selectors.py"} <= names
    assert not any("/tests/" in name or "/migrations/" in name for name in names)

    caught = ast.parse(
        "if unit.path.startswith(root.path): pass\n"
        "if village_path.startswith(prefix): pass\n"
        "if assignment.role == 'x': pass\n"
        "if a.role in roles: pass\n"
        "if path.startswith(row.path): pass\n"
        "if any(path.startswith(root) for root in roots): pass\n"
    )
    assert path_prefix_checks(caught) == [1, 2, 5, 6]
    assert role_comparisons(caught) == [3, 4]
    allowed = ast.parse(
        "if request.path.startswith('/api/'): pass\n"
        "if name.startswith('x'): pass\n"
        "role == 'x'\n"
        "if path.startswith(('/', '#')): pass\n"
    )
    assert path_prefix_checks(allowed) == []
    assert role_comparisons(allowed) == []
    texts = ["Q(unit__path__startswith=p)", "ROLE_PERMISSIONS[a.role]", "filter(role__in=x)", "unit_paths_for(u)"]
    assert all(any(pattern.search(text) for pattern in FORBIDDEN_TEXT) for text in texts)
