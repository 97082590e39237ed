"""The settings table (app/config/table.py) is the one list of settings, and what documents them says
the same (in the manner of Datasette's settings docs test):

- README's Configuration table has one row per setting, with the same environment variable, secrets
  key and default, and no row the table does not have;
- `.streamlit/secrets.toml.example` shows every secrets section and key (commented examples count);
- no code outside app/config reads the environment or the secrets file itself, and every environment
  variable the product names is a setting of the table.

Variables only the test suite reads (SOCIALOPS_TEST_STORE, SOCIALOPS_REQUIRE_BROWSER...) are read under
tests/ and are not settings. SOCIALOPS_FAULT is read by the product (app/faults.py), so it is in the
table, marked internal, and documented as "fault tests only"."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.config import SETTINGS, Setting
from app.services.ops import JOBS

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
EXAMPLE = REPO / ".streamlit" / "secrets.toml.example"
NONE = "—"


# --- README -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    env: frozenset[str]
    secrets: frozenset[str]
    default: str


def _spans(cell: str) -> frozenset[str]:
    return frozenset(re.findall(r"`([^`]+)`", cell))


def readme_rows(text: str) -> list[Row]:
    """The rows of the first table under "## Configuration"."""
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    assert lines, "README's Configuration section has no table"
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header == ["Setting", "Environment", "secrets.toml", "Default"], header
    rows = []
    for line in lines[2:]:
        label, env, secrets, default = (c.strip() for c in line.strip("|").split("|"))
        rows.append(Row(label, _spans(env), _spans(secrets), default))
    return rows


def _expected(s: Setting) -> tuple[frozenset[str], frozenset[str]]:
    env = frozenset([s.env] if s.env else [])
    secrets = frozenset([s.secrets, *s.aliases] if s.secrets else [])
    return env, secrets


def _show(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or NONE


def disagreements(rows: list[Row], settings: Iterable[Setting]) -> list[str]:
    """What README's rows and the table disagree on, each naming the setting (or the README row)."""
    problems = []
    matched: set[int] = set()
    for s in settings:
        env, secrets = _expected(s)
        mine = [i for i, r in enumerate(rows) if (r.env & env) or (r.secrets & secrets)]
        matched.update(mine)
        if not mine:
            problems.append(
                f"setting {s.name}: README has no row for it "
                f"(environment {_show(env)}, secrets.toml {_show(secrets)}, default {s.documented_default()})"
            )
            continue
        if len(mine) > 1:
            problems.append(f"setting {s.name}: README has {len(mine)} rows for it")
            continue
        row = rows[mine[0]]
        if row.env != env:
            problems.append(
                f"setting {s.name}: README says environment {_show(row.env)}, the table {_show(env)}"
            )
        if row.secrets != secrets:
            problems.append(
                f"setting {s.name}: README says secrets.toml {_show(row.secrets)}, the table {_show(secrets)}"
            )
        if row.default != s.documented_default():
            problems.append(
                f"setting {s.name}: README says default {row.default!r}, the table {s.documented_default()!r}"
            )
    for i, row in enumerate(rows):
        if i not in matched:
            problems.append(
                f"README row {row.label!r} (environment {_show(row.env)}, secrets.toml {_show(row.secrets)}) "
                "is no setting of app/config/table.py"
            )
    return problems


def test_the_readme_lists_every_setting_as_the_table_declares_it() -> None:
    problems = disagreements(readme_rows(README.read_text(encoding="utf-8")), SETTINGS)
    assert not problems, "README.md ## Configuration and app/config/table.py disagree:\n" + "\n".join(
        problems
    )


def test_the_readme_check_names_what_is_wrong() -> None:
    """The check above fails, naming the setting, in each direction."""
    text = README.read_text(encoding="utf-8")
    drop = next(line for line in text.splitlines() if "`SOCIALOPS_SMTP_PORT`" in line)
    assert "README has no row" in " ".join(
        disagreements(readme_rows(text.replace(drop + "\n", "")), SETTINGS)
    )
    moved = text.replace("`SOCIALOPS_SMTP_PORT`", "`SOCIALOPS_MAIL_PORT`")
    assert any(
        p.startswith("setting smtp_port: README says environment SOCIALOPS_MAIL_PORT")
        for p in disagreements(readme_rows(moved), SETTINGS)
    )
    other_default = text.replace("`[smtp] port` | `587`", "`[smtp] port` | `25`")
    assert any(
        "smtp_port: README says default '`25`'" in p
        for p in disagreements(readme_rows(other_default), SETTINGS)
    )
    extra = text.replace(drop, drop + "\n| Proxy | `SOCIALOPS_PROXY` | `[net] proxy` | none |")
    assert any("README row 'Proxy'" in p for p in disagreements(readme_rows(extra), SETTINGS))
    without = [s for s in SETTINGS if s.name != "smtp_port"]
    assert any("SOCIALOPS_SMTP_PORT" in p for p in disagreements(readme_rows(text), without))


# --- the table itself --------------------------------------------------------------------------------------


def test_every_setting_has_a_name_a_help_and_somewhere_to_be_set() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names)), "setting names are unique"
    envs = [s.env for s in SETTINGS if s.env]
    assert len(envs) == len(set(envs)), "no two settings share an environment variable"
    keys = [k for s in SETTINGS for k in _expected(s)[1]]
    assert len(keys) == len(set(keys)), "no two settings share a secrets key"
    for s in SETTINGS:
        assert s.env or s.secrets, f"setting {s.name} can be set nowhere"
        assert s.help and "\n" not in s.help, f"setting {s.name} needs one line of help"
        assert s.parser.kind, f"setting {s.name} says how it is parsed"


# --- secrets.toml.example -------------------------------------------------------------------------------


def example_keys(text: str) -> set[str]:
    """`[section]` and `[section] key` for every table and key the example shows, commented or not."""
    keys: set[str] = set()
    section = None
    for raw in text.splitlines():
        line = raw.strip().lstrip("#").strip()
        if match := re.match(r"^\[([A-Za-z0-9_.]+)\]\s*(#.*)?$", line):
            section = match.group(1)
            keys.add(f"[{section}]")
        elif section and (match := re.match(r"^([A-Za-z0-9_]+)\s*=", line)):
            keys.add(f"[{section}] {match.group(1)}")
    return keys


PLACEHOLDER_PATTERNS = {"<job>": "[a-z0-9_]+", "<VAR>": "[A-Za-z_][A-Za-z0-9_]*"}


def test_the_secrets_example_shows_every_secrets_key() -> None:
    shown = example_keys(EXAMPLE.read_text(encoding="utf-8"))
    missing = []
    for s in SETTINGS:
        if not s.secrets:
            continue
        pattern = re.escape(s.secrets)
        for placeholder, regex in PLACEHOLDER_PATTERNS.items():
            pattern = pattern.replace(re.escape(placeholder), regex)
        if not any(re.fullmatch(pattern, k) for k in shown):
            missing.append(f"setting {s.name}: {s.secrets}")
    # The per-job family: every job's cadence is shown with its default.
    missing += [f"job {j.name}: [jobs] {j.name}" for j in JOBS if f"[jobs] {j.name}" not in shown]
    assert not missing, ".streamlit/secrets.toml.example does not show:\n" + "\n".join(missing)


# --- nobody reads the environment or the secrets file behind the table's back --------------------------

PRODUCT = [REPO / "app", REPO / "jobs", REPO / "pages", REPO / "streamlit_app.py"]
# (file, what it touches) → why it may.
ALLOWED = {
    ("app/services/ops/backup.py", "os.environ"): (
        "hands the whole environment to pg_dump and psql, adding PGPASSWORD: it reads no setting"
    ),
    ("app/services/core/clock.py", "os.environ"): (
        "frozen(), the date tests' helper, writes SOCIALOPS_CLOCK so the jobs they start inherit it; "
        "the clock reads it through the table"
    ),
    ("app/ui/shell/auth.py", "st.secrets"): (
        "hands Streamlit's own secrets to app.config.auth_settings: st.login reads [auth] there"
    ),
}


@dataclass(frozen=True)
class Read:
    path: str
    line: int
    what: str  # "os.environ", "os.getenv", "st.secrets", "load_secrets"
    variable: str | None  # the environment variable, when the code names it


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def environment_reads(path: Path) -> list[Read]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(REPO).as_posix()
    found: list[Read] = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in ("environ", "getenv", "environb"):
                    found.append(Read(rel, node.lineno, f"os.{alias.name}", None))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            what = f"{node.value.id}.{node.attr}"
            if what not in ("os.environ", "os.getenv", "st.secrets"):
                continue
            variable = None
            parent = parents.get(node)
            if isinstance(parent, ast.Subscript):  # os.environ["X"]
                variable = _literal(parent.slice)
            elif isinstance(parent, ast.Call) and parent.args:  # os.getenv("X")
                variable = _literal(parent.args[0])
            elif isinstance(parent, ast.Attribute) and isinstance(parents.get(parent), ast.Call):
                call = parents[parent]
                assert isinstance(call, ast.Call)
                variable = _literal(call.args[0]) if call.args else None  # os.environ.get("X")
            found.append(Read(rel, node.lineno, what, variable))
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "load_secrets"
        ):
            found.append(Read(rel, node.lineno, "load_secrets", None))
    return found


def _product_files() -> list[Path]:
    files = []
    for root in PRODUCT:
        files += [root] if root.is_file() else sorted(root.rglob("*.py"))
    return [f for f in files if "migrations/versions" not in f.as_posix()]


def test_only_app_config_reads_the_environment_and_the_secrets_file() -> None:
    config = REPO / "app" / "config"
    stray = [
        f"{r.path}:{r.line}: {r.what}" + (f" ({r.variable})" if r.variable else "")
        for f in _product_files()
        if config not in f.parents
        for r in environment_reads(f)
        if (r.path, r.what) not in ALLOWED
    ]
    assert not stray, (
        "read these through the settings table (app/config/table.py, app.config.read_settings), "
        "or allow them here with the reason:\n" + "\n".join(stray)
    )


def test_every_environment_variable_the_product_names_is_a_setting() -> None:
    declared = {s.env for s in SETTINGS if s.env and not s.open_ended}
    families = [
        re.compile(re.escape(s.env).replace(re.escape("<JOB>"), "[A-Z0-9_]+"))
        for s in SETTINGS
        if s.env and "<JOB>" in s.env
    ]
    unknown = [
        f"{r.path}:{r.line}: {r.variable}"
        for f in _product_files()
        for r in environment_reads(f)
        if r.variable and r.variable not in declared and not any(p.fullmatch(r.variable) for p in families)
    ]
    assert not unknown, "environment variables that are no setting of app/config/table.py:\n" + "\n".join(
        unknown
    )


@pytest.mark.parametrize(("path", "what"), sorted(ALLOWED))
def test_the_allowed_reads_are_still_there(path: str, what: str) -> None:
    """An exception nobody needs any more is removed from ALLOWED, not left to hide a new read."""
    reads = environment_reads(REPO / path)
    assert any(r.what == what for r in reads), f"{path} no longer touches {what}: drop its exception"
