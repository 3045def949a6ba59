"""Every diagnostic code the toolkit emits has a one-line help (toolkit/common/codes.py)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from toolkit.common.codes import HELP, code_help
from toolkit.common.diagnostics import WARNING_CODES
from toolkit.model.kinds import REQUIRED_KINDS

TOOLKIT = Path(__file__).resolve().parents[2] / "toolkit"
DOCS = Path(__file__).resolve().parents[2] / "docs"
CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Calls that create a diagnostic with the code as first argument: error(...), warning(...),
# and the sheet grid reader's rd.err(...). Diagnostic(...) itself takes it second.
MAKERS = {"error", "warning", "rd.err"}
# The one maker whose code is not a literal: project.py's f"missing-{kind}" per required kind.
COMPUTED = {"f'missing-{kind}'"}


def emitted_codes() -> tuple[set[str], set[str]]:
    """(literal codes passed to a diagnostic maker, source of every non-literal code)."""
    codes: set[str] = set()
    computed: set[str] = set()
    for path in sorted(TOOLKIT.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if not any(f"{maker}(" in source for maker in (*MAKERS, "Diagnostic")):
            continue  # parse only the modules that can make a diagnostic (fast)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name in MAKERS and node.args:
                arg = node.args[0]
            elif name == "Diagnostic" and len(node.args) > 1:
                arg = node.args[1]
            else:
                continue
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes.add(arg.value)
            elif name != "Diagnostic" or isinstance(arg, ast.JoinedStr):
                computed.add(ast.unparse(arg))
    return codes, computed


def test_every_emitted_code_has_help() -> None:
    codes, computed = emitted_codes()
    assert computed == COMPUTED  # a new computed code must be added to the expansion below
    codes |= {f"missing-{kind}" for kind in REQUIRED_KINDS}
    assert len(codes) >= 48  # the scan found the makers (48 codes when written)
    assert all(CODE.match(c) for c in codes), sorted(c for c in codes if not CODE.match(c))
    assert sorted(codes - HELP.keys()) == []
    assert sorted(WARNING_CODES - HELP.keys()) == []
    # and no help for a code that nothing emits any more
    assert sorted(HELP.keys() - codes - WARNING_CODES) == []


def test_every_documented_code_has_help() -> None:
    section = (DOCS / "FORMAT.md").read_text(encoding="utf-8").split("## Diagnostics", 1)[1]
    section = section.split("\n## ", 1)[0]
    listed = section.split("Errors:", 1)[1].split("`--ignore` takes", 1)[0]
    documented = {c for c in re.findall(r"`([a-z0-9-]+)`", listed) if CODE.match(c)}
    assert {"yaml-syntax", "missing-funnel", "seller-absent", "missing-item"} <= documented
    assert sorted(documented - HELP.keys()) == []


def test_help_texts_are_one_line_sentences() -> None:
    for code, help_ in HELP.items():
        for text in help_:
            assert "\n" not in text and text.strip() == text, code
            assert text[0].isupper() and text.endswith("."), (code, text)
            assert len(text) <= 100, (code, text)


def test_unknown_code_falls_back_to_itself() -> None:
    assert code_help("no-such-code") == ("no-such-code", "no-such-code")
    assert code_help("yaml-tab").fix == "Indent with spaces, never tabs."
