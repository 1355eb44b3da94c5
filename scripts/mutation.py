"""Mutation testing of domain modules with mutmut (`make mutation MODULES="portfolio/money.py ..."`).

A full run over every app is far too slow for this machine, so each module is mutated on its own, in a
scratch copy of the project under var/mutation/work/ (mutmut reads its settings from pyproject.toml and
writes mutants/ next to it), against the tests `_tests_for` selects (override with TESTS="path ..."), run without
migrations. The score per module (killed / all mutants, with mutmut's counts and the run time) is written to
var/mutation/<app>.<module>.txt and printed; a run whose tests fail before any mutant has no score and fails."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess  # nosec B404 - runs mutmut of this project's venv, no shell
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "mutation"
COPIED = ["config", "portfolio", "funding", "governance", "followup", "reporting", "tests", "templates", "locale",
          "static",
          "conftest.py", "manage.py", "pyproject.toml"]


def _imports_of(module: Path) -> re.Pattern[str]:
    """What a test file writes when it imports the module: `portfolio.money`, `from portfolio import money`
    (and, for a module of a package whose `__init__` re-exports it, the package: `funding.selectors`)."""
    parts = module.with_suffix("").parts
    dotted = [".".join(parts)]
    if len(parts) > 2 and (ROOT / Path(*parts[:-1]) / "__init__.py").read_text(encoding="utf-8").count(
            f".{parts[-1]} import"):
        dotted.append(".".join(parts[:-1]) + r"(?![.\w])")
    names = "|".join(d.replace(".", r"\.") for d in dotted)
    return re.compile(rf"\b(?:{names})\b|from {re.escape('.'.join(parts[:-1]))} import [^\n]*\b{parts[-1]}\b")


def _own_tests(module: Path) -> set[str]:
    own = module.parent / "tests" / f"test_{module.stem}.py"
    return {str(own)} if (ROOT / own).exists() else set()


def _tests_for(module: Path) -> list[str]:
    """The module's own test file (`<app>/tests/test_<module>.py`), the own test files of the app's modules that
    import it (the querysets are asked through the permissions: `from .querysets import …`), and every test
    file that imports the module; the app's tests when there is none. mutmut then runs, for each mutant, only
    the tests among these that reach the mutated function."""
    pattern = _imports_of(module)
    relative = re.compile(rf"^\s*from \.{module.stem} import|^\s*from \. import [^\n]*\b{module.stem}\b", re.M)
    found = _own_tests(module)
    for sibling in sorted((ROOT / module.parent).glob("*.py")):
        text = sibling.read_text(encoding="utf-8")
        if sibling.stem != module.stem and (relative.search(text) or pattern.search(text)):
            found |= _own_tests(sibling.relative_to(ROOT))
    for path in sorted(ROOT.glob("*/tests/**/test_*.py")) + sorted(ROOT.glob("tests/**/test_*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in COPIED and "browser" not in rel.parts and pattern.search(path.read_text(encoding="utf-8")):
            found.add(str(rel))
    return sorted(found) or [str(module.parent / "tests")]


def _work_copy(module: Path, tests: list[str]) -> Path:
    work = OUT / "work" / module.with_suffix("").as_posix().replace("/", ".")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif src.exists():
            shutil.copy2(src, work / name)
    apps = [d for d in COPIED if (ROOT / d).is_dir() and (ROOT / d / "__init__.py").exists()]
    others = [a for a in apps if a != module.parts[0]] + ["templates", "locale", "static", "conftest.py", "manage.py"]
    section = "\n[tool.mutmut]\n" + "\n".join([
        f"source_paths = {[module.parts[0]]!r}",
        f"only_mutate = {[str(module)]!r}",
        f"also_copy = {others!r}",
        f"pytest_add_cli_args_test_selection = {tests!r}",
        # Tables straight from the models (no migrations): each mutant's run sets up its database in half the
        # time. mutmut runs the selected tests unmutated first and stops if they fail so.
        "pytest_add_cli_args = ['-p', 'no:randomly', '-q', '-x', '-p', 'no:xdist', '--no-migrations']",
    ]) + "\n"
    with (work / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(section)
    return work


def _score(results: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in re.findall(r":\s*(\w[\w ]*)$", results, re.M):
        counts[status.strip()] = counts.get(status.strip(), 0) + 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("modules", nargs="+")
    parser.add_argument("--tests", nargs="*", default=None)
    args = parser.parse_args()
    mutmut = Path(sys.executable).with_name("mutmut")
    OUT.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in args.modules:
        module = Path(name)
        tests = args.tests or _tests_for(module)
        work = _work_copy(module, tests)
        started = time.monotonic()
        subprocess.run([str(mutmut), "run", "--max-children", "2"], cwd=work, check=False)  # nosec B603
        minutes = (time.monotonic() - started) / 60
        results = subprocess.run([str(mutmut), "results", "--all", "true"], cwd=work, check=False,  # nosec B603
                                 capture_output=True, text=True).stdout
        counts = _score(results)
        total = sum(counts.values())
        killed = counts.get("killed", 0)
        unchecked = total and counts.get("not checked", 0) == total  # the tests failed unmutated: no score
        score = "n/a (the selected tests fail without any mutant: see mutmut's output above)" if unchecked else (
            f"{100 * killed / total:.1f} %" if total else "n/a")
        survivors = [line.split(":")[0].strip() for line in results.splitlines()
                     if line.rstrip().endswith("survived")]
        report = (f"{module}: mutation score {score} ({killed} killed of {total}; {counts}; {minutes:.0f} min); "
                  f"tests: {' '.join(tests)}\n" + "".join(f"  survived: {s}\n" for s in survivors))
        (OUT / f"{module.with_suffix('').as_posix().replace('/', '.')}.txt").write_text(report, encoding="utf-8")
        print(report, end="")
        failed += not total or bool(unchecked)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
