"""A one-line help for every diagnostic code: what the problem is and how to fix it.

Used where a tool wants a description per code (`journey check --format sarif`'s rules).
tests/common/test_codes.py checks that every code the toolkit emits has an entry, and no
entry names a code that nothing emits.
"""

from __future__ import annotations

from typing import NamedTuple


class CodeHelp(NamedTuple):
    summary: str  # what the problem is, one short sentence
    fix: str  # what to do about it, one sentence


HELP: dict[str, CodeHelp] = {
    # Reading files (load/)
    "bad-file-name": CodeHelp(
        "A file name is not valid UTF-8 or holds control characters.",
        "Rename the file with printable UTF-8 characters.",
    ),
    "duplicate-key": CodeHelp(
        "A key appears twice in one YAML mapping.",
        "Keep one of the two keys; each key may appear once in a mapping.",
    ),
    "file-too-large": CodeHelp(
        "A YAML file is over the toolkit's size limit.",
        "Split the file into several files.",
    ),
    "invalid-utf8": CodeHelp(
        "A file holds bytes that are not valid UTF-8.",
        "Save the file as UTF-8.",
    ),
    "symlink-outside": CodeHelp(
        "A symbolic link points to a file outside the project; it is not read.",
        "Copy the file into the project or remove the link.",
    ),
    "unreadable": CodeHelp(
        "A file could not be read.",
        "Check that the file exists and that its permissions allow reading it.",
    ),
    "unsafe-tag": CodeHelp(
        "A YAML tag (such as !!python/object) is not allowed.",
        "Remove the tag; values are plain text, lists and mappings.",
    ),
    "yaml-alias": CodeHelp(
        "A YAML alias refers to no finished anchor, or aliases expand to too many nodes.",
        "Define the anchor before using it, never inside itself, and avoid alias bombs.",
    ),
    "yaml-depth": CodeHelp(
        "A YAML document nests deeper than the toolkit's limit.",
        "Flatten the structure.",
    ),
    "yaml-syntax": CodeHelp(
        "A file is not valid YAML.",
        "Fix the syntax at the position shown (indentation, quotes, a missing colon).",
    ),
    "yaml-tab": CodeHelp(
        "A tab character stands where YAML expects indentation or a value.",
        "Indent with spaces, never tabs.",
    ),
    # Documents and the project (model/)
    "bad-id": CodeHelp(
        "An id holds characters an id may not have.",
        "Use lowercase ASCII letters, digits, '-' and '_', starting with a letter or digit.",
    ),
    "bad-future-of": CodeHelp(
        "A journey's 'future_of' does not name a current journey of its persona or segment.",
        "Name a current journey of the same persona (or segment), or drop 'future_of'.",
    ),
    "bad-transition": CodeHelp(
        "A journey transition starts or ends at a stage that is not a step of that journey.",
        "Add a step for that stage or change the transition.",
    ),
    "duplicate-id": CodeHelp(
        "Two entities of the same kind share an id.",
        "Give each one its own id.",
    ),
    "duplicate-kind": CodeHelp(
        "A second document of a kind the project may hold only once.",
        "Merge the two documents into one.",
    ),
    "invalid-value": CodeHelp(
        "A value is not one of the values the key allows.",
        "Use one of the allowed values (the hint names the closest one).",
    ),
    "missing-funnel": CodeHelp(
        "The project has no 'kind: funnel' document.",
        "Add one under journeys/ (see docs/FORMAT.md).",
    ),
    "missing-key": CodeHelp(
        "A required key is missing.",
        "Add the key named in the message.",
    ),
    "missing-kind": CodeHelp(
        "A YAML document has no 'kind:' key.",
        "Start the document with 'kind:' and one of the format's kinds.",
    ),
    "missing-qualification": CodeHelp(
        "The project has no 'kind: qualification' document, which judging leads needs.",
        "Add one (see docs/QUALIFICATION.md) or pass a rules file with --rules.",
    ),
    "missing-segment": CodeHelp(
        "A persona names no segment although the project has segments.",
        "Add 'segment:' with one of the project's segments.",
    ),
    "missing-stages": CodeHelp(
        "The project has no 'kind: stages' document.",
        "Add one under journeys/ (see docs/FORMAT.md).",
    ),
    "missing-value": CodeHelp(
        "A list that needs at least one entry is empty.",
        "Add at least one entry.",
    ),
    "not-a-project": CodeHelp(
        "The folder is not a journey project: it has no 'personas/' or 'journeys/' folder.",
        "Run 'journey init DIR' or point the command at a project folder.",
    ),
    "out-of-range": CodeHelp(
        "A number is outside the range the key allows.",
        "Use a whole number in the range named in the message.",
    ),
    "persona-or-segment": CodeHelp(
        "A journey must name exactly one of 'persona' and 'segment'.",
        "Name the persona whose journey it is, or the segment for a whole-segment journey.",
    ),
    "unknown-key": CodeHelp(
        "A key is not part of the format.",
        "Fix the spelling (the hint names the closest key) or remove the key.",
    ),
    "unknown-kind": CodeHelp(
        "A document's 'kind:' is not one of the format's kinds.",
        "Use one of the kinds the hint lists.",
    ),
    "unknown-ref": CodeHelp(
        "A reference names an id that the project does not define.",
        "Fix the id (the hint names the closest one) or define the entity it refers to.",
    ),
    "wrong-type": CodeHelp(
        "A value has the wrong type (for example a list where text is expected).",
        "Write the value in the type the message names.",
    ),
    # Sheets (sheets/): journey grids and the content inventory
    "bad-header": CodeHelp(
        "A column header of a content sheet is empty, unknown, repeated or names no language.",
        "Name each column once, as the exported sheet does (e.g. id, title:ja).",
    ),
    "bad-row": CodeHelp(
        "A row of a content sheet holds a value that cannot become a content item.",
        "Correct the cell named in the message.",
    ),
    "duplicate-lane": CodeHelp(
        "A lane of a journey grid appears in two rows.",
        "Merge the two rows.",
    ),
    "duplicate-stage": CodeHelp(
        "A customer stage has two columns in a journey grid.",
        "Merge the two columns.",
    ),
    "empty-sheet": CodeHelp(
        "Row 1 of a journey grid names no stage.",
        "Export a sheet with 'journey export sheet' to see the layout.",
    ),
    "import-mismatch": CodeHelp(
        "After a content import, an item differs from the sheet.",
        "This is a bug in 'journey content import'; please report it.",
    ),
    "sheet-control-char": CodeHelp(
        "A sheet cell holds a control character.",
        "Remove the character from the cell.",
    ),
    "sheet-short-row": CodeHelp(
        "A row of a CSV sheet has fewer cells than its header.",
        "Quote a cell that holds a comma or line break, or add the missing commas.",
    ),
    "unknown-lane": CodeHelp(
        "A row of a journey grid names no lane or an unknown one in column A.",
        "Name a lane (thinking, doing, ...) or a role in column A.",
    ),
    "unknown-stage": CodeHelp(
        "A column of a journey grid names no customer stage, or an unknown one, in row 1.",
        "Name one of the project's customer stages in row 1.",
    ),
    # Warnings
    "content-gap": CodeHelp(
        "A journey step has no published content.",
        "Publish content for the step's stage and segment (the hint names pipeline items).",
    ),
    "empty-file": CodeHelp(
        "A YAML file holds no document.",
        "Add a document or delete the file.",
    ),
    "missing-item": CodeHelp(
        "A content item of the project is not in the imported sheet; it is kept.",
        "Add the item to the sheet, or import with --delete-missing to remove it.",
    ),
    "handoff-blind": CodeHelp(
        "A handoff field of the qualification rules has no lead column that can fill it.",
        "Name the lead column that holds it under 'handoff:' (field: COLUMN).",
    ),
    "orphan-content": CodeHelp(
        "A content item serves no step of any journey and no action names it.",
        "Target a stage and segment that a journey has, name it in an action, or retire it.",
    ),
    "process-gap": CodeHelp(
        "A marketing process listed in the funnel has no seller action or no KPI.",
        "Give an action at a step of a funnel stage that lists it a 'kpi:', or add one.",
    ),
    "seller-absent": CodeHelp(
        "A journey step has no seller action.",
        "Add 'actions:' or accept that the buyer is alone there.",
    ),
    "unknown-language": CodeHelp(
        "The project's language is one the toolkit's own words are not written in.",
        "Use a language the toolkit has (ja, en) or add it (docs/TRANSLATING.md).",
    ),
    "unpersonified-role": CodeHelp(
        "A qualification rule targets a buying role that no persona has.",
        "Add a persona with that 'buying_role' so content for this contact is designed.",
    ),
    "unserved-stage": CodeHelp(
        "No funnel stage serves a customer stage.",
        "Add the stage to a funnel stage's 'serves:'.",
    ),
}


def code_help(code: str) -> CodeHelp:
    """The help of a code; a code without one (never, by test) gets the code itself."""
    return HELP.get(code, CodeHelp(code, code))
