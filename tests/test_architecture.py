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
BASES = ("stockpile.api", "stockpile.db", "stockpile.errors", "stockpile.config", "stockpile.formats",
         "stockpile.web.navigation")
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


def _packages_run_by(importer: str, imported: str) -> set[str]:
    """The packages whose `__init__` an import runs besides the module itself: `stockpile.requests.models` runs
    `stockpile/requests/__init__.py` too, unless the importer lives in that package (then it already ran). The root
    package is left out: Python runs it before any of its modules."""
    parts = imported.split(".")
    parents = {".".join(parts[:n]) for n in range(2, len(parts))}
    return {p for p in parents if p in MODULES and not _within(importer, (p,))}


def import_graph() -> dict[str, set[str]]:
    """Module -> the stockpile modules its module-level imports run (package `__init__`s included)."""
    graph = {}
    for module in MODULES:
        targets = {m for m in imports(module, deferred=False) if m in MODULES}
        graph[module] = targets.union(*(_packages_run_by(module, m) for m in targets))
    return graph


def test_no_module_imports_itself_back_through_others() -> None:
    graph = import_graph()
    cycles = {module: cycle for module in MODULES if (cycle := _cycle_from(module, graph))}
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles.values())


def test_the_loop_check_sees_a_loop_through_a_package_init() -> None:
    """A module importing `stockpile.requests.models` runs `stockpile.requests`' `__init__`, and what that imports."""
    graph = import_graph()
    assert "stockpile.requests" in graph["stockpile.forecast.demand"]
    planted = {**graph, "stockpile.inventory.balances": graph["stockpile.inventory.balances"] | {"stockpile.requests"}}
    assert _cycle_from("stockpile.inventory.balances", planted) is not None
    assert _cycle_from("stockpile.inventory.balances", graph) is None


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


def transaction_enders(source: str) -> set[str]:
    """The calls in a source that end a transaction: `.commit()` and `.rollback()`."""
    return {node.func.attr for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")}


def own_transactions(source: str) -> bool:
    """Whether a source opens a transaction of its own (`with transaction():`), as jobs and commands do."""
    return any(isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "transaction")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "transaction"))
        for node in ast.walk(ast.parse(source)))


def _is_web_module(module: str) -> bool:
    """Pages and API endpoints: they run inside the request boundary."""
    last = module.rsplit(".", 1)[-1]
    return last in ("views", "pages", "api", "home") or last.endswith("_views")


def test_only_the_transaction_boundary_commits_or_rolls_back() -> None:
    """Services flush, views show refusals inside a savepoint helper; stockpile.db alone ends transactions."""
    calls = {(module, call) for module, path in MODULES.items() if module != "stockpile.db"
             for call in transaction_enders(path.read_text())}
    assert calls == set()


def test_no_page_or_endpoint_opens_a_transaction_of_its_own() -> None:
    """`with transaction()` commits on leaving; inside a request it would commit half the request."""
    found = {module for module, path in MODULES.items()
             if _is_web_module(module) and own_transactions(path.read_text())}
    assert found == set()


@pytest.mark.parametrize("source", [
    "session().commit()", "db.session.rollback()", "def f(s):\n    s.commit()",
])
def test_the_commit_scan_sees_a_commit_or_rollback(source: str) -> None:
    assert transaction_enders(source)


def test_the_transaction_scan_sees_a_view_committing() -> None:
    assert own_transactions("def view():\n    with transaction():\n        pass")
    assert own_transactions("with db.transaction() as s:\n    pass")
    assert not own_transactions("with session().begin_nested():\n    pass")


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


REQUEST_TABLES = ("SupplyRequest", "RequestTransition")


def _names_request_table(node: ast.AST) -> bool:
    """`SupplyRequest`, `models.SupplyRequest`, `SupplyRequest.__table__` (and the same for its history rows)."""
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        node = node.value
    return ((isinstance(node, ast.Name) and node.id in REQUEST_TABLES)
            or (isinstance(node, ast.Attribute) and node.attr in REQUEST_TABLES))


def _writes_state(node: ast.AST) -> bool:
    targets = (node.targets if isinstance(node, ast.Assign)
               else [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
    if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.lower()
        return any(f"{verb} {table}" in text for verb in ("update", "insert into")
                   for table in ("requests ", "request_transitions"))
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if called == "setattr":
        return len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "state"
    if called == "set_committed_value":  # sets any attribute, the state included, without the ORM noticing
        return True
    if called in ("update", "insert"):
        on_table = isinstance(func, ast.Attribute) and _names_request_table(func.value)
        return on_table or any(_names_request_table(arg) for arg in node.args)
    return _names_request_table(func) and (
        called == "RequestTransition" or any(keyword.arg == "state" for keyword in node.keywords))


def request_state_writes(source: str) -> list[str]:
    """Each way a source could change a request's state, as the unparsed statement.

    An assignment to `.state` (also by `setattr(..., "state", ...)` or `set_committed_value`), an UPDATE or INSERT
    of the requests or their history (`update(SupplyRequest)`, `SupplyRequest.__table__.update()`,
    `insert(RequestTransition)`), a new history row (`RequestTransition(...)`), a request built with a state, and SQL
    text updating either table.
    """
    return [ast.unparse(node) for node in ast.walk(ast.parse(source)) if _writes_state(node)]


def test_only_the_request_services_change_a_request_state() -> None:
    """Every way of writing a request's state, or a row of its history, appears in requests/services.py alone."""
    writers = {module for module, path in MODULES.items() if request_state_writes(path.read_text())}
    assert writers == {"stockpile.requests.services"}


@pytest.mark.parametrize("source", [
    "request.state = RequestState.APPROVED",
    "r.state: RequestState = S.DRAFT",
    "setattr(request, 'state', 'approved')",
    "set_committed_value(request, name, value)",
    "session().execute(update(SupplyRequest).values(state='approved'))",
    "session().execute(sa.update(models.SupplyRequest))",
    "session().execute(SupplyRequest.__table__.update().values(state='x'))",
    "session().execute(insert(RequestTransition).values(to_state='x'))",
    "session().add(RequestTransition(request_id=1, from_state=a, to_state=b))",
    "SupplyRequest(region_id=1, state=RequestState.APPROVED)",
    "session().execute(text('UPDATE requests SET state = :s'))",
])
def test_the_state_scan_sees_each_way_of_writing_a_state(source: str) -> None:
    assert request_state_writes(source), source


def test_the_state_scan_leaves_reading_alone() -> None:
    source = ("select(SupplyRequest).where(SupplyRequest.state == S.DRAFT)\n"
              "label = STATE_LABELS[request.state]\nupdate(Allocation).values(used=1)")
    assert request_state_writes(source) == []


def test_the_domains_that_alerts_tell_of_never_import_them() -> None:
    """Requests and forecasting know nothing of alerts: the alerts hook in (requests.hooks, forecast.hooks)."""
    found = {(module, imported) for module in MODULES
             if _within(module, ("stockpile.requests", "stockpile.forecast", "stockpile.inventory"))
             for imported in _all_imports(module) if _within(imported, ("stockpile.alerts",))}
    assert found == set()
