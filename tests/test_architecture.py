"""The package's import structure: no loops, base modules that know no domain, the composition root in app.py.

The imports are read from the source with `ast`, so these tests see every import, also those that a given run
never executes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "stockpile"
DOMAINS = ("stockpile.auth", "stockpile.reference", "stockpile.inventory", "stockpile.requests",
           "stockpile.forecast", "stockpile.policy_log", "stockpile.audit", "stockpile.ops", "stockpile.web",
           "stockpile.alerts", "stockpile.insight")
# Modules every domain builds on: they must never import a domain back.
BASES = ("stockpile.api", "stockpile.db", "stockpile.errors", "stockpile.config", "stockpile.web.navigation")
# Imports inside functions, outside the composition root (stockpile.app): each one is a known exception.
DEFERRED_ALLOWED = {
    ("stockpile.forecast.engine.prophet_model", "prophet"),  # Prophet takes seconds to import; only fits need it
    ("stockpile.forecast.cli", "pandas"),
    # The web app starts without pandas, statsforecast, Prophet or matplotlib (issue 16): the engine is imported
    # where a run or a backtest needs it, pandas where a run reads demand as series, matplotlib where a chart is drawn.
    ("stockpile.forecast.cli", "stockpile.forecast.runner"),
    ("stockpile.forecast.cli", "stockpile.forecast.engine.forecasting"),
    ("stockpile.forecast.demand", "pandas"),
    ("stockpile.forecast.chart", "matplotlib"),
    ("stockpile.forecast.chart", "matplotlib.dates"),
    ("stockpile.forecast.chart", "matplotlib.figure"),
    ("stockpile.ops.scheduler", "stockpile.forecast.runner"),
    ("stockpile.ops.scheduler", "stockpile.inventory.services"),
    ("stockpile.requests.review_views", "stockpile.forecast.outlook"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement loads (a `from package import name` loads the submodule if it is one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def imports(module: str, *, deferred: bool) -> set[str]:
    """What a module imports at module level (deferred=False) or inside functions (deferred=True)."""
    tree = ast.parse(MODULES[module].read_text())
    found: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                continue  # names for the type checker only; nothing is imported when the code runs
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function == deferred:
                found.update(_imported(child))
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, nested)

    visit(tree, False)
    return found


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """A path start -> ... -> start through the graph, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for target in graph.get(node, ()):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_no_module_imports_itself_back_through_others() -> None:
    graph = {module: {m for m in imports(module, deferred=False) if m in MODULES} for module in MODULES}
    cycles = {module: cycle for module in MODULES if (cycle := _cycle_from(module, graph))}
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles.values())


@pytest.mark.parametrize("base", BASES)
def test_base_modules_import_no_domain(base: str) -> None:
    domain_imports = {m for m in imports(base, deferred=False) | imports(base, deferred=True) if _within(m, DOMAINS)}
    assert domain_imports <= {"stockpile.auth.models"}, f"{base} imports {sorted(domain_imports)}"


def test_only_the_command_line_entry_point_imports_the_app_factory() -> None:
    importers = {module for module in MODULES if module != "stockpile"
                 and "stockpile.app" in imports(module, deferred=False) | imports(module, deferred=True)}
    assert importers == {"stockpile.cli"}
    assert not any("stockpile.cli" in imports(m, deferred=False) | imports(m, deferred=True) for m in MODULES)


def test_imports_inside_functions_only_in_the_composition_root() -> None:
    deferred = {(module, imported) for module in MODULES if module != "stockpile.app"
                for imported in imports(module, deferred=True)}
    assert deferred - DEFERRED_ALLOWED == set()


def test_only_the_transaction_boundary_commits_or_rolls_back() -> None:
    """Services flush, views show refusals inside a savepoint helper; stockpile.db alone ends transactions."""
    calls = {
        (module, node.func.attr)
        for module, path in MODULES.items() if module != "stockpile.db"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    }
    assert calls == set()


def _all_imports(module: str) -> set[str]:
    return imports(module, deferred=False) | imports(module, deferred=True)


def test_inventory_imports_neither_requests_nor_forecast() -> None:
    """Requests use the ledger, forecasts read it; the ledger knows neither (they hook in: inventory.hooks)."""
    found = {(module, imported) for module in MODULES if _within(module, ("stockpile.inventory",))
             for imported in _all_imports(module) if _within(imported, ("stockpile.requests", "stockpile.forecast"))}
    assert found == set()


def test_only_reservations_brings_the_ledger_into_requests() -> None:
    found = {(module, imported) for module in MODULES if _within(module, ("stockpile.requests",))
             for imported in _all_imports(module) if _within(imported, ("stockpile.inventory",))}
    assert {module for module, _imported in found} == {"stockpile.requests.reservations"}


def test_only_the_request_services_change_a_request_state() -> None:
    """Assignments to `.state` and UPDATEs of SupplyRequest's state happen in requests/services.py alone."""
    writers = set()
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
                    writers.add(module)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "update" and any(
                    isinstance(arg, ast.Name) and arg.id == "SupplyRequest" for arg in node.args):
                writers.add(module)
    assert writers == {"stockpile.requests.services"}


def test_the_domains_that_alerts_tell_of_never_import_them() -> None:
    """Requests and forecasting know nothing of alerts: the alerts hook in (requests.hooks, forecast.hooks)."""
    found = {(module, imported) for module in MODULES
             if _within(module, ("stockpile.requests", "stockpile.forecast", "stockpile.inventory"))
             for imported in _all_imports(module) if _within(imported, ("stockpile.alerts",))}
    assert found == set()
