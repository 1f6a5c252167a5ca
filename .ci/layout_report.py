#!/usr/bin/env python3
"""Print the layout figures the README's "Layout" section quotes: modules per package, cross-module imports of
private names, imports from a lower app to a higher one, import cycles and functions over a complexity limit.

    python .ci/layout_report.py [--complexity 18] [-v] [--check]

``--check`` (CI and ``make lint``) fails when a module imports another module's private name, an app imports a higher
app, or modules import each other in a cycle; the contracts in pyproject.toml hold the layering too, this adds what
import-linter does not see (names, and imports inside functions).

Reads the code's imports with ``ast`` (imports inside functions included); migrations and tests are left out.
The complexity count asks ruff (mccabe, C901) at the given limit.
"""

from __future__ import annotations

import argparse
import ast
import collections
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = ("schools", "cases", "interventions", "legal", "reporting")  # lowest first: a lower app never imports a higher
RANK = {app: i for i, app in enumerate(APPS)}


def project_modules() -> dict[str, pathlib.Path]:
    modules = {}
    for app in (*APPS, "config"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(modules: dict[str, pathlib.Path]):
    """Yield (importer, imported module, imported names) for every project import."""
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules:
                        yield name, alias.name, ()
            elif isinstance(node, ast.ImportFrom):
                target = resolve(name, path.name == "__init__.py", node)
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    if submodule in modules:
                        yield name, submodule, ()
                    elif target in modules:
                        yield name, target, (alias.name,)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def radon_over(limit: int) -> list[tuple[int, str]] | None:
    """Functions whose cyclomatic complexity radon puts over ``limit``, worst first; None without radon."""
    try:
        from radon.complexity import cc_visit
    except ImportError:
        return None
    found = []
    for path in project_modules().values():
        for block in cc_visit(path.read_text()):
            if block.complexity > limit and block.letter != "C":
                found.append((block.complexity, f"{path.relative_to(ROOT)}:{block.lineno} {block.name}"))
    return sorted(found, reverse=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complexity", type=int, default=18)
    parser.add_argument("-v", "--verbose", action="store_true", help="list each finding")
    parser.add_argument("--check", action="store_true", help="exit 1 on a private import, an upward import or a cycle")
    args = parser.parse_args()
    modules = project_modules()

    per_package = collections.Counter()
    for path in modules.values():
        if path.name != "__init__.py":
            per_package[str(path.parent.relative_to(ROOT))] += 1

    graph, private, upward = collections.defaultdict(set), [], []
    for importer, imported, names in imports_of(modules):
        if importer == imported:
            continue
        graph[importer].add(imported)
        private += [(importer, imported, n) for n in names if n.startswith("_") and not n.startswith("__")]
        low, high = importer.split(".")[0], imported.split(".")[0]
        if low in RANK and high in RANK and RANK[high] > RANK[low]:
            upward.append((importer, imported))
    found_cycles = cycles(graph)

    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *APPS, "config", "--select", "C901", "--output-format", "concise",
         "--config", f"lint.mccabe.max-complexity={args.complexity}", "--no-cache", "--isolated",
         "--exclude", "*/migrations/*"],
        cwd=ROOT, capture_output=True, text=True)
    complex_functions = [line for line in ruff.stdout.splitlines() if "C901" in line]

    print("Modules per package (files, __init__ aside):")
    for package, count in sorted(per_package.items()):
        print(f"  {package:<34} {count}")
    print(f"Cross-module imports of private names: {len(private)}")
    print(f"Imports from a lower app to a higher one ({' < '.join(APPS)}): {len(upward)}")
    print(f"Import cycles (groups of modules importing each other, imports in functions included): {len(found_cycles)}")
    print(f"Functions over complexity {args.complexity} (ruff's mccabe): {len(complex_functions)}")
    radon = radon_over(args.complexity)
    if radon is not None:
        print(f"Functions over complexity {args.complexity} (radon, which also counts boolean operators and "
              f"comprehensions): {len(radon)}")
    if args.verbose:
        for importer, imported, name in private:
            print(f"  private: {importer} -> {imported}.{name}")
        for importer, imported in sorted(set(upward)):
            print(f"  upward: {importer} -> {imported}")
        for cycle in found_cycles:
            print(f"  cycle: {' <-> '.join(cycle)}")
        for line in complex_functions:
            print(f"  {line}")
        for complexity, where in radon or []:
            print(f"  radon {complexity}: {where}")
    if args.check and (private or upward or found_cycles):
        print("Layout check failed: see the counts above (-v lists each).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
