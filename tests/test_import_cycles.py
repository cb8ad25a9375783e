"""No import cycle between the modules of a package, at module level or inside a function.

A function-level import hides a cycle from Python at start-up, not from a reader (or grimp): the two
modules still depend on each other. A service that must start a task names it instead
(`gongzufang.jobs.enqueue_on_commit`); see the rooms of applications/ in the README.
"""

import grimp
import pytest

CHECKED = ["applications", "housing", "notifications"]
# Packages with cycles left to break (their owners are on it): only these modules may still be in a
# cycle; a new cycle fails like anywhere else. Once a package is clean, move it to CHECKED.
KNOWN_CYCLES = {
    "complaints": {"complaints.services", "complaints.tasks"},
    "gongzufang": {"gongzufang.fields", "gongzufang.models", "gongzufang.models.api_clients",
                   "gongzufang.models.articles", "gongzufang.models.audit", "gongzufang.models.guide",
                   "gongzufang.models.users", "gongzufang.parameters", "gongzufang.pii"},
}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*CHECKED, *KNOWN_CYCLES, cache_dir=None)


def cycles_within(graph, package) -> list[list[str]]:
    """Each strongly connected group of more than one module inside `package`, as one cycle through
    it (a → b → … → a), found with Tarjan's algorithm over the direct imports."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    inside = set(modules)
    edges = {m: sorted(t for t in graph.find_modules_directly_imported_by(m) if t in inside and t != m)
             for m in modules}
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(start):
        # Iterative, so a deep package cannot hit the recursion limit.
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    cycles = []
    for group in groups:
        # A shortest cycle through the group's first module: out to a module that imports it, back.
        first, members, best = group[0], set(group), None
        for other in group[1:]:
            if first not in edges[other]:
                continue
            chain = graph.find_shortest_chain(importer=first, imported=other)
            if chain and set(chain) <= members and (best is None or len(chain) < len(best)):
                best = list(chain)
        cycles.append([*(best or group), first])
    return cycles


def describe(graph, cycle) -> str:
    lines = [" → ".join(cycle)]
    for importer, imported in zip(cycle, cycle[1:], strict=False):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = ", ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details[:2])
        lines.append(f"  {importer} imports {imported} ({where})")
    return "\n".join(lines)


@pytest.mark.parametrize("package", CHECKED)
def test_no_import_cycle_inside(graph, package):
    cycles = cycles_within(graph, package)
    assert not cycles, f"import cycles inside {package}:\n" + "\n".join(describe(graph, c) for c in cycles)


@pytest.mark.parametrize("package", sorted(KNOWN_CYCLES))
def test_no_new_import_cycle_inside(graph, package):
    allowed = KNOWN_CYCLES[package]
    new = [c for c in cycles_within(graph, package) if not set(c) <= allowed]
    assert not new, f"new import cycles inside {package}:\n" + "\n".join(describe(graph, c) for c in new)


def test_the_checker_finds_a_function_level_cycle(tmp_path, monkeypatch):
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cyclic import b\n")
    (package / "b.py").write_text("def later():\n    from cyclic import a\n    return a\n")
    (package / "c.py").write_text("from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = cycles_within(grimp.build_graph("cyclic", cache_dir=None), "cyclic")
    assert found == [["cyclic.a", "cyclic.b", "cyclic.a"]]
