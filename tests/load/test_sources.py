"""The YAML loader: text as typed, locations, and every guard (tags, aliases, depth, size)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toolkit.common.diagnostics import Location
from toolkit.load import sources
from toolkit.load.sources import SourceFile, find_sources, parse_documents, read_source

LOADERS = [pytest.param(yaml.SafeLoader, id="pure-python")]
if sources.has_libyaml():
    LOADERS.insert(0, pytest.param(yaml.CSafeLoader, id="libyaml"))


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    """Run a test with libyaml's parser and with PyYAML's pure-Python one."""
    monkeypatch.setattr(sources, "yaml_loader", lambda: request.param)
    return request.param


def parse(text: str) -> tuple[list, list[tuple[str, int, int]]]:
    docs, diags = parse_documents(text, "f.yaml")
    return [d.data for d in docs], [(d.code, d.line, d.column) for d in diags]


def read(path: Path) -> tuple[list, list]:
    return read_source(SourceFile(path, path.name))


# --- plain data, text as typed -----------------------------------------------------------


def test_scalars_stay_the_text_as_typed(loader: type) -> None:
    text = (
        "name: No\nlabel: 1.10\ntext: 12:30\nquote: 2024-01-01\nsw: on\nok: yes\n"
        "octal: 0o17\nhex: 0x1F\ninf: .inf\nsci: 1e3\nunder: 1_000\nquoted: 'yes'\n"
    )
    assert parse(text) == (
        [
            {
                "name": "No",
                "label": "1.10",
                "text": "12:30",
                "quote": "2024-01-01",
                "sw": "on",
                "ok": "yes",
                "octal": "0o17",
                "hex": "0x1F",
                "inf": ".inf",
                "sci": "1e3",
                "under": "1_000",
                "quoted": "yes",
            }
        ],
        [],
    )


def test_nulls_only_when_plain(loader: type) -> None:
    text = "a: ~\nb: null\nc:\nd: ''\ne: 'null'\nf: \"~\"\ng: !!null x\nh: NULL\n"
    assert parse(text) == (
        [{"a": None, "b": None, "c": None, "d": "", "e": "null", "f": "~", "g": None, "h": None}],
        [],
    )


def test_yaml11_boolean_and_number_keys_are_different_keys(loader: type) -> None:
    assert parse("1: one\ntrue: truth\nyes: agreement\non: switch\n1.0: float\n") == (
        [{"1": "one", "true": "truth", "yes": "agreement", "on": "switch", "1.0": "float"}],
        [],
    )


def test_documents_and_their_locations(loader: type) -> None:
    text = "kind: persona\nid: ann\ngoals:\n  - a\n  - b\nmeta: {x: 1}\n---\nkind: other\n"
    docs, diags = parse_documents(text, "f.yaml")
    assert diags == []
    assert [(d.index, d.data) for d in docs] == [
        (0, {"kind": "persona", "id": "ann", "goals": ["a", "b"], "meta": {"x": "1"}}),
        (1, {"kind": "other"}),
    ]
    first = docs[0]
    assert {p: sources.unpack(v) for p, v in first.values.items()} == {
        (): (1, 1),
        ("kind",): (1, 7),
        ("id",): (2, 5),
        ("goals",): (4, 3),
        ("goals", 0): (4, 5),
        ("goals", 1): (5, 5),
        ("meta",): (6, 7),
        ("meta", "x"): (6, 11),
    }
    assert {p: sources.unpack(v) for p, v in first.keys.items()} == {
        ("kind",): (1, 1),
        ("id",): (2, 1),
        ("goals",): (3, 1),
        ("meta",): (6, 1),
        ("meta", "x"): (6, 8),
    }
    assert first.loc(("goals", 1)) == Location("f.yaml", 5, 5)
    assert first.loc(("meta", "x"), key=True) == Location("f.yaml", 6, 8)
    # an absent path falls back to its nearest present parent
    assert first.loc(("meta", "y", 3)) == Location("f.yaml", 6, 7)
    # a key location that is not recorded (list items) falls back to the value
    assert first.loc(("goals", 0), key=True) == Location("f.yaml", 4, 5)
    assert docs[1].loc(("kind",)) == Location("f.yaml", 8, 7)
    assert first.placed(("goals", 1)) == (5, 5)
    assert first.placed(("meta", "y")) is None


@pytest.mark.parametrize(
    "pos", [(1, 1), (5000, 3), (4_194_303, 1), (1, 4_194_304), (2_200_000, 70_000), (4_194_304, 2)]
)
def test_positions_are_stored_packed_and_come_back_exact(pos: tuple[int, int]) -> None:
    packed = sources.pack(pos)
    assert sources.unpack(packed) == pos
    # one int per position, save for a line number beyond any file the loader accepts
    assert isinstance(packed, int) == (pos[0] < 2**sources.LINE_BITS)
    assert sources.MAX_FILE_BYTES < 2**sources.LINE_BITS  # so every real line fits


def test_aliases_and_merge_keys(loader: type) -> None:
    text = "base: &b {x: 1, y: 2}\nlist: &l [a, b]\nother:\n  <<: *b\n  y: 3\ncopy: *l\n"
    assert parse(text) == (
        [
            {
                "base": {"x": "1", "y": "2"},
                "list": ["a", "b"],
                "other": {"y": "3", "x": "1"},
                "copy": ["a", "b"],
            }
        ],
        [],
    )


def test_merge_of_a_scalar_is_wrong_type(loader: type) -> None:
    assert parse("b:\n  <<: 1\n") == ([{"b": {}}], [("wrong-type", 2, 7)])


def test_complex_key_is_wrong_type(loader: type) -> None:
    assert parse("? [a, b]\n: 1\n") == ([{"": "1"}], [("wrong-type", 1, 3)])


# --- syntax, duplicate keys, tabs --------------------------------------------------------


def test_yaml_syntax_error_at_the_problem(loader: type) -> None:
    docs, diags = parse_documents("kind: persona\ngoals: [a, b\nname: Ann\n", "f.yaml")
    assert docs == []
    assert [(d.severity, d.code, d.file, d.line, d.column) for d in diags] == [
        ("error", "yaml-syntax", "f.yaml", 3, 5)
    ]
    assert diags[0].hint == "check indentation and quoting"
    assert "\n" not in diags[0].message


def test_unclosed_quote(loader: type) -> None:
    assert parse("kind: persona\nname: 'Ann\n") == ([], [("yaml-syntax", 3, 1)])


def test_duplicate_key_is_reported_at_the_second_key(loader: type) -> None:
    docs, diags = parse_documents("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n", "f.yaml")
    assert [(d.code, d.line, d.column) for d in diags] == [("duplicate-key", 5, 3)]
    assert diags[0].message == "duplicate key 'c' (first at line 3)"
    assert docs[0].data == {"a": "1", "b": {"c": "1", "d": "2"}}  # no silent last-one-wins


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a:\n\tb: 1\n", (2, 1)),
        ("kind: persona\ngoals:\n\t- x\n", (3, 1)),
        ("a: 1\n\tb: 2\n", (2, 1)),
    ],
)
def test_tab_indentation(loader: type, text: str, where: tuple[int, int]) -> None:
    docs, diags = parse_documents(text, "f.yaml")
    assert [(d.code, d.line, d.column) for d in diags] == [("yaml-tab", *where)]
    assert diags[0].hint == "indent with spaces, never tabs"


def test_tab_as_a_separator_is_fine(loader: type) -> None:
    if loader is yaml.SafeLoader:
        pytest.skip("PyYAML's pure-Python scanner rejects a tab after ':' (libyaml does not)")
    assert parse("a:\t1\nb: x\ty\n") == ([{"a": "1", "b": "x\ty"}], [])


@pytest.mark.parametrize(
    ("text", "where", "char"),
    [
        ("a: \x07\n", (1, 4), "U+0007"),
        ("a: b\nc: 佐藤佐藤\x00\n", (2, 8), "U+0000"),
        ("a: \ufffe\n", (1, 4), "U+FFFE"),
    ],
)
def test_characters_yaml_forbids(
    loader: type, text: str, where: tuple[int, int], char: str
) -> None:
    docs, diags = parse_documents(text, "f.yaml")
    assert [(d.code, d.line, d.column) for d in diags] == [("yaml-syntax", *where)]
    assert diags[0].message == f"character {char} is not allowed in YAML"


# --- tags --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "shown"),
    [
        ("x: !!python/object:os.system ls\n", (1, 4), "!!python/object:os.system"),
        ("x: !!python/object/apply:os.system [ls]\n", (1, 4), "!!python/object/apply:os.system"),
        ("a: 1\nx: !!python/name:os.system\n", (2, 4), "!!python/name:os.system"),
        ("x: !!binary aGVsbG8=\n", (1, 4), "!!binary"),
        ("x: !!set {a, b}\n", (1, 4), "!!set"),
        ("x: !foo bar\n", (1, 4), "!foo"),
        ("%TAG !e! tag:example.com,2000:\n---\nx: !e!foo 1\n", (3, 4), "tag:example.com,2000:foo"),
    ],
)
def test_unsafe_tags(loader: type, text: str, where: tuple[int, int], shown: str) -> None:
    docs, diags = parse_documents(text, "f.yaml")
    assert [(d.code, d.line, d.column) for d in diags] == [("unsafe-tag", *where)]
    assert diags[0].message == f"tag '{shown}' is not allowed"


def test_core_tags_are_allowed_and_keep_the_text(loader: type) -> None:
    assert parse("a: !!str 1\nb: !!int 2\nc: !!bool yes\nd: !!seq [x]\n") == (
        [{"a": "1", "b": "2", "c": "yes", "d": ["x"]}],
        [],
    )


# --- alias bombs and depth ---------------------------------------------------------------


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_stopped(loader: type) -> None:
    docs, diags = parse_documents(billion_laughs(), "f.yaml")
    assert docs == []
    # b..e expand to 74,718 nodes; the first '*e' of line 6 crosses 100,000
    assert [(d.code, d.line, d.column) for d in diags] == [("yaml-alias", 6, 8)]
    assert diags[0].message == "aliases expand to more than 100,000 nodes"


def test_aliases_of_long_texts_are_stopped(loader: type) -> None:
    # 9,000 references to one 200 KB string stay far under the node limit but would
    # expand to 1.8 GB: the 11th crosses the 2 MiB the aliases of one file may add.
    text = 'a: &s "' + "x" * 200_000 + '"\nb: [' + ", ".join(["*s"] * 9_000) + "]\n"
    docs, diags = parse_documents(text, "f.yaml")
    assert docs == []
    assert [(d.code, d.line, d.column) for d in diags] == [("yaml-alias", 2, 45)]
    assert diags[0].message == "aliases expand to more than 2,097,152 characters"


def test_aliases_of_short_texts_are_fine(loader: type) -> None:
    text = "a: &s [x, y]\nb: [" + ", ".join(["*s"] * 1_000) + "]\n"
    docs, diags = parse_documents(text, "f.yaml")
    assert diags == []
    assert docs[0].data["b"][999] == ["x", "y"]


def test_recursive_alias(loader: type) -> None:
    docs, diags = parse_documents("a: &x [1, *x]\n", "f.yaml")
    assert [(d.code, d.line, d.column) for d in diags] == [("yaml-alias", 1, 11)]
    assert diags[0].message == "alias '*x' refers to no finished anchor"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[" * 100_000, (1, 65)),
        ("{a: " * 100_000, (1, 257)),
        ("".join(" " * i + "a:\n" for i in range(200)), (65, 65)),
        ("- " * 70 + "a\n", (1, 129)),
        ("a:\n  b: " + "[" * 70 + "]" * 70 + "\n", (2, 68)),
        ("[" * 2_000 + "]" * 2_000, (1, 65)),
        ("{a: " * 2_000 + "}" * 2_000, (1, 257)),
    ],
    ids=[
        "flow-sequences",
        "flow-mappings",
        "block-mappings",
        "block-sequences",
        "flow-in-block",
        "closed-flow-sequences",
        "closed-flow-mappings",
    ],
)
def test_deep_nesting_is_stopped(loader: type, text: str, where: tuple[int, int]) -> None:
    docs, diags = parse_documents(text, "f.yaml")
    assert docs == []
    assert [(d.code, d.line, d.column) for d in diags] == [("yaml-depth", *where)]


class _StopsEarly(yaml.SafeLoader):
    """A parser with a nesting limit of its own that fires while reading ahead, before it
    hands over the events ours counts (as libyaml 0.2.6 does at 1,000 flow levels)."""

    def get_event(self) -> object:
        if "[" * 40 in self.buffer:
            mark = yaml.Mark("f.yaml", 48, 1, 43, None, None)
            raise yaml.scanner.ScannerError(
                "while increasing flow level", mark, "exceeded maximum nesting depth", mark
            )
        return super().get_event()


def test_our_depth_limit_wins_over_the_parsers_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "yaml_loader", lambda: _StopsEarly)
    assert parse("a: 1\nb: " + "[" * 100 + "\n") == ([], [("yaml-depth", 2, 67)])
    # Where ours is not reached, that parser's error is reported as it says.
    assert parse("a: 1\nb: " + "[" * 50 + "]" * 50 + "\n") == ([], [("yaml-syntax", 2, 44)])


def test_depth_limit_is_exact(loader: type) -> None:
    ok = "[" * sources.MAX_DEPTH + "]" * sources.MAX_DEPTH
    too_deep = "[" * (sources.MAX_DEPTH + 1) + "]" * (sources.MAX_DEPTH + 1)
    assert parse(ok)[1] == []
    assert parse(too_deep)[1] == [("yaml-depth", 1, sources.MAX_DEPTH + 1)]


# --- files: encoding, emptiness, size ----------------------------------------------------


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "ann.yaml"
    path.write_bytes(b"\xef\xbb\xbfkind: persona\nid: ann\nname: \xe4\xbd\x90\xe8\x97\xa4\n")
    docs, diags = read(path)
    assert diags == []
    assert docs[0].data == {"kind": "persona", "id": "ann", "name": "佐藤"}
    assert docs[0].loc(("kind",)) == Location("ann.yaml", 1, 7)
    assert docs[0].loc(("name",)) == Location("ann.yaml", 3, 7)


@pytest.mark.parametrize(
    ("raw", "where", "byte"),
    [
        (b"kind: persona\nid: ann\nname: Ann \xff\n", (3, 11), "0xff"),
        (b"\xef\xbb\xbfa: 1\nname: \xe4\xbd\x90\xe8\x97\xa4 \xc3(\n", (2, 10), "0xc3"),
        (b"\xef\xbb\xbfa: \xff\n", (1, 4), "0xff"),  # the BOM takes no column
        (b"\x80", (1, 1), "0x80"),
        (b"a: \xed\xa0\x80\n", (1, 4), "0xed"),  # an encoded surrogate
    ],
)
def test_invalid_utf8_names_the_bad_byte(
    tmp_path: Path, raw: bytes, where: tuple[int, int], byte: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(raw)
    docs, diags = read(path)
    assert docs == []
    assert [(d.code, d.file, d.line, d.column) for d in diags] == [
        ("invalid-utf8", "bad.yaml", *where)
    ]
    assert diags[0].message == f"byte {byte} is not valid UTF-8"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"# only a comment\n\n# and another\n",
        b"---\n",
        b"---\n...\n---\n# nothing\n",
        b"\xef\xbb\xbf",
    ],
    ids=["empty", "comments", "empty-document", "empty-documents", "bom-only"],
)
def test_empty_file_is_a_warning(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(raw)
    docs, diags = read(path)
    assert docs == []
    assert [(d.severity, d.code, d.file, d.line, d.column) for d in diags] == [
        ("warning", "empty-file", "empty.yaml", 1, 1)
    ]


def test_file_over_the_limit_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:  # a sparse 50 MB file: cheap to create
        fh.seek(50 * 1024 * 1024 - 1)
        fh.write(b"\n")

    def no_reading(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    docs, diags = read(path)
    assert docs == []
    assert [(d.severity, d.code, d.file, d.line, d.column) for d in diags] == [
        ("error", "file-too-large", "huge.yaml", 1, 1)
    ]
    assert diags[0].message == "file is 52,428,800 bytes; the limit is 2,097,152"


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * (sources.MAX_FILE_BYTES - 6) + b"\n")
    assert path.stat().st_size == sources.MAX_FILE_BYTES
    docs, diags = read(path)
    assert (diags, [d.data for d in docs]) == ([], [{"a": "1"}])


def test_unreadable_file(tmp_path: Path) -> None:
    docs, diags = read(tmp_path / "gone.yaml")
    assert docs == []
    assert [(d.code, d.file, d.message) for d in diags] == [
        ("unreadable", "gone.yaml", "cannot read file: No such file or directory")
    ]


# --- finding the files -------------------------------------------------------------------


def test_find_sources(tmp_path: Path) -> None:
    for rel in (
        "journeys/b.yaml",
        "journeys/a.YML",
        "journeys/sub/deeper/c.yml",
        "journeys/notes.txt",
        "journeys/.hidden.yaml",
        "journeys/.drafts/d.yaml",
        "personas/z.yaml",
        "other/x.yaml",
        "top.yaml",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("kind: x\n")
    (tmp_path / "personas" / "dir.yaml").mkdir()
    found = find_sources(tmp_path, "")
    assert [s.display for s in found] == [
        "journeys/a.YML",
        "journeys/b.yaml",
        "journeys/sub/deeper/c.yml",
        "personas/z.yaml",
    ]
    assert found[0].path == tmp_path / "journeys" / "a.YML"
    assert [s.display for s in find_sources(tmp_path, "proj")][:1] == ["proj/journeys/a.YML"]


def test_display_root() -> None:
    assert sources.display_root(".") == ""
    assert sources.display_root("./proj/") == "proj"
    assert sources.display_root("a/../b") == "b"
