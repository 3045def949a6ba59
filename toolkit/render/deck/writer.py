"""The deck as PowerPoint bytes: native, editable tables, text boxes and charts.

python-pptx makes the package, the slides and the charts (with the workbook that holds a
chart's data); the text, text boxes and tables are written here as DrawingML and parsed once
per slide, which is what makes a deck of a thousand slides take seconds, not minutes.

Fonts: every run names a Latin typeface (LATIN, Arial: on every Windows and Mac, and
LibreOffice substitutes its metric twin Liberation Sans) and an East Asian one (EAST_ASIAN,
Yu Gothic: the Japanese theme font of PowerPoint since Office 2016, installed with Windows
8.1 and later and with Office for Mac), in `a:latin` and `a:ea` of the run's properties
(python-pptx's font API has no `a:ea`). PowerPoint draws kana and kanji with the `ea` face
whatever the Latin one is, so without it Japanese text falls back to whatever the machine
picks. The theme's fonts get the same pair, for text a client adds.
Runs carry their language (ja-JP for text with kana or kanji), for line breaking and
proofing. Every paragraph has an exact line spacing (fit.LINE_FACTOR), so that the row
heights estimated by toolkit.render.deck.fit hold with fonts of tall metrics.

Identical input gives identical bytes: the core properties carry the deck's stamp, the
workbooks embedded in the charts (XlsxWriter dates their core properties with the clock)
get the same stamp, and every zip entry the same time (toolkit.common.spreadsheet).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

import toolkit.render.deck.fit as fit
from toolkit.common.spreadsheet import normalise_zip
from toolkit.render.deck.slides import (
    EMU_PER_INCH,
    Box,
    Chart,
    Deck,
    Page,
    Para,
    Slide,
    Span,
    Table,
)

LATIN = "Arial"
EAST_ASIAN = "Yu Gothic"
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5  # in python-pptx's default template

TEXT = "1F2328"
MUTED = "5B6472"
ALERT = "B42318"
ON_DARK = "FFFFFF"
ON_DARK_MUTED = "D5DEEF"
ACCENT = "1F4E79"
# Cell and box fills by key (toolkit.render.deck.slides.Cell.fill): the pages' colours.
FILLS = {
    "": "F4F6F9",
    "head": ACCENT,
    "lane": "E3E8F0",
    "lane-buyer": "E3E8F0",
    "lane-seller": "E6EFE6",
    "panel": "F4F6F9",
    "flag": "FBE3E1",
    "gap": "F4C7C3",
    "skipped": "E4E4E4",
    "heat-1": "DCEFE0",
    "heat-2": "B9DFC1",
    "heat-3": "8CCB9B",
    "heat-4": "5DB474",
}
DARK_FILLS = frozenset({"head"})
CURVE = ACCENT
LANG_TAG = {"ja": "ja-JP", "en": "en-US"}
NUMBER_FORMAT = '+0;"−"0;0'


def emu(inches: float) -> Emu:
    return Emu(round(inches * EMU_PER_INCH))


# --- runs and paragraphs, written as DrawingML -------------------------------------------------
# (python-pptx's proxies cost a hundred times more per run, and set no East Asian typeface)

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def colour_of(style: str, fill: str) -> str:
    """The text colour of a span style on a fill."""
    if style.startswith("key-"):
        return ALERT if style == "key-flag" else FILLS.get(style[4:], TEXT)
    if fill in DARK_FILLS:
        return ON_DARK_MUTED if style == "muted" else ON_DARK
    return {"muted": MUTED, "alert": ALERT}.get(style, TEXT)


def lang_of(text: str, lang: str) -> str:
    """The run's language: ja-JP for text with kana or kanji, else the deck's."""
    return "ja-JP" if fit.is_east_asian(text) else LANG_TAG.get(lang, "en-US")


FONTS_XML = f'<a:latin typeface="{LATIN}"/><a:ea typeface="{EAST_ASIAN}"/>'


def rpr_xml(tag: str, words: str, style: str, pt: float, fill: str, lang: str) -> str:
    """A run's properties (tag rPr) or a paragraph's end (endParaRPr)."""
    return _rpr(tag, lang_of(words, lang), style, pt, fill)


@functools.lru_cache(maxsize=4096)
def _rpr(tag: str, lang_tag: str, style: str, pt: float, fill: str) -> str:
    bold = ' b="1"' if style in ("strong", "alert") else ""
    return (
        f'<a:{tag} lang="{lang_tag}" sz="{round(pt * 100)}"{bold} dirty="0">'
        f'<a:solidFill><a:srgbClr val="{colour_of(style, fill)}"/></a:solidFill>'
        f"{FONTS_XML}</a:{tag}>"
    )


def paras_xml(paras: tuple[Para, ...], pt: float, fill: str, lang: str, align: str = "left") -> str:
    """Paragraphs as a:p elements: exact line spacing, a small gap after all but the last;
    a span's line breaks as a:br."""
    paras = paras or ((),)
    out = []
    line = f'<a:lnSpc><a:spcPts val="{round(pt * fit.LINE_FACTOR * 100)}"/></a:lnSpc>'
    after = f'<a:spcAft><a:spcPts val="{round(fit.PARA_GAP_PT * 100)}"/></a:spcAft>'
    centre = ' algn="ctr"' if align == "center" else ' algn="l"'
    for i, spans in enumerate(paras):
        parts = [f"<a:p><a:pPr{centre}>{line}{after if i < len(paras) - 1 else ''}</a:pPr>"]
        for span in spans:
            for j, words in enumerate(NOT_XML.sub("", span.text).split("\n")):
                if j:
                    parts.append(
                        f"<a:br>{rpr_xml('rPr', words, span.style, pt, fill, lang)}</a:br>"
                    )
                if words:
                    run = rpr_xml("rPr", words, span.style, pt, fill, lang)
                    parts.append(f"<a:r>{run}<a:t>{escape(words)}</a:t></a:r>")
        parts.append(rpr_xml("endParaRPr", "", "", pt, fill, lang) + "</a:p>")
        out.append("".join(parts))
    return "".join(out)


def fill_xml(fill: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{FILLS[fill]}"/></a:solidFill>'


def set_paras(tx_body: Any, xml: str) -> None:
    """Replace the paragraphs of a txBody (p:txBody or a:txBody) by these."""
    for p in tx_body.findall(qn("a:p")):
        tx_body.remove(p)
    holder = parse_xml(f'<a:txBody xmlns:a="{A}">{xml}</a:txBody>')
    for p in list(holder):
        tx_body.append(p)


def body_pr(margin: float) -> str:
    """A text frame's properties: it wraps, never resizes or shrinks its text."""
    m = emu(margin)
    return (
        f'<a:bodyPr wrap="square" lIns="{m}" tIns="{m}" rIns="{m}" bIns="{m}" anchor="t">'
        "<a:noAutofit/></a:bodyPr>"
    )


def frame(tf: Any, margin: float = 0.05) -> None:
    """body_pr() for a text frame python-pptx made (the title slide's placeholders)."""
    body = tf._txBody.bodyPr
    body.addprevious(parse_xml(body_pr(margin).replace("<a:bodyPr ", f'<a:bodyPr xmlns:a="{A}" ')))
    body.getparent().remove(body)


# --- shapes, written as PresentationML ----------------------------------------------------------
# Each slide's title, text boxes and tables are written as XML and parsed once: python-pptx's
# shape proxies cost more than the rest of a large deck together.

P = "http://schemas.openxmlformats.org/presentationml/2006/main"
TABLE_URI = "http://schemas.openxmlformats.org/drawingml/2006/table"
TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"  # Medium Style 2 - Accent 1


def xfrm(tag: str, left: float, top: float, width: float, height: float) -> str:
    return (
        f'<{tag}><a:off x="{emu(left)}" y="{emu(top)}"/>'
        f'<a:ext cx="{emu(width)}" cy="{emu(height)}"/></{tag}>'
    )


def title_xml(shape_id: int, words: str, page: Page, lang: str) -> str:
    """The slide's title placeholder (what PowerPoint's outline and screen readers name
    the slide by), placed and filled."""
    paras = paras_xml(((Span(words, "strong"),),), 24, "", lang)
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="Title {shape_id - 1}"/>'
        '<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="title"/></p:nvPr>'
        f"</p:nvSpPr><p:spPr>"
        f"{xfrm('a:xfrm', page.margin, page.title_top, page.inner_w, page.title_h)}</p:spPr>"
        f"<p:txBody>{body_pr(0.02)}<a:lstStyle/>{paras}</p:txBody></p:sp>"
    )


def box_xml(shape_id: int, box: Box, lang: str) -> str:
    """A text box."""
    name = escape(box.name or f"TextBox {shape_id - 1}", {'"': "&quot;"})
    fill = fill_xml(box.fill) if box.fill else "<a:noFill/>"
    paras = paras_xml(box.paras, box.pt, box.fill, lang)
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr txBox="1"/>'
        f"<p:nvPr/></p:nvSpPr><p:spPr>{xfrm('a:xfrm', box.left, box.top, box.width, box.height)}"
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>{fill}</p:spPr>'
        f"<p:txBody>{body_pr(0.1 if box.fill else 0.05)}<a:lstStyle/>{paras}</p:txBody></p:sp>"
    )


def table_xml(shape_id: int, spec: Table, lang: str) -> str:
    """A native table: a graphic frame holding an a:tbl, every cell with its fill, margins
    and paragraphs."""
    name = escape(spec.name or f"Table {shape_id - 1}", {'"': "&quot;"})
    mx, my = emu(fit.CELL_MARGIN_X), emu(fit.CELL_MARGIN_Y)
    margins = f'marL="{mx}" marR="{mx}" marT="{my}" marB="{my}"'
    size = (spec.left, spec.top, sum(spec.widths), sum(spec.heights))
    parts = [
        f'<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{shape_id}" name="{name}"/>'
        '<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/>'
        f"</p:nvGraphicFramePr>{xfrm('p:xfrm', *size)}"
        f'<a:graphic><a:graphicData uri="{TABLE_URI}">'
        f'<a:tbl><a:tblPr firstRow="1"><a:tableStyleId>{TABLE_STYLE}</a:tableStyleId></a:tblPr>'
        "<a:tblGrid>",
        *(f'<a:gridCol w="{emu(w)}"/>' for w in spec.widths),
        "</a:tblGrid>",
    ]
    for row, height in zip(spec.rows, spec.heights, strict=True):
        parts.append(f'<a:tr h="{emu(height)}">')
        for cell in row:
            body = paras_xml(cell.paras, spec.pt, cell.fill, lang, cell.align)
            parts.append(
                f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{body}</a:txBody>"
                f'<a:tcPr {margins} anchor="t">{fill_xml(cell.fill)}</a:tcPr></a:tc>'
            )
        parts.append("</a:tr>")
    parts.append("</a:tbl></a:graphicData></a:graphic></p:graphicFrame>")
    return "".join(parts)


def append_shapes(tree: Any, shapes: list[str]) -> None:
    """Shapes written as XML, appended to a slide's shape tree (one parse)."""
    if not shapes:
        return
    holder = parse_xml(f'<p:spTree xmlns:p="{P}" xmlns:a="{A}">{"".join(shapes)}</p:spTree>')
    for shape in list(holder):
        tree.append(shape)


def add_chart(shapes: Any, spec: Chart, lang: str) -> int:
    """A line chart whose data (stages, emotions) sits in its embedded workbook, editable
    from PowerPoint's "Edit Data"; its shape id."""
    data = CategoryChartData(number_format=NUMBER_FORMAT)
    data.categories = spec.categories
    data.add_series(spec.series, spec.values)
    gf = shapes.add_chart(
        XL_CHART_TYPE.LINE_MARKERS,
        emu(spec.left),
        emu(spec.top),
        emu(spec.width),
        emu(spec.height),
        data,
    )
    if spec.name:
        gf.name = spec.name
    chart = gf.chart
    chart.has_legend = False
    chart.has_title = False
    chart.font.size = Pt(fit.BODY_PT)
    chart.font.color.rgb = RGBColor.from_string(MUTED)
    values = chart.value_axis
    values.minimum_scale, values.maximum_scale = spec.minimum, spec.maximum
    values.major_unit = 1
    values.has_major_gridlines = True
    values.major_gridlines.format.line.color.rgb = RGBColor.from_string("D0D7E2")
    values.tick_labels.number_format = NUMBER_FORMAT
    values.tick_labels.number_format_is_linked = False
    values.format.line.fill.background()
    between = etree.Element(qn("c:crossBetween"))
    between.set("val", "between")  # points at the middle of their category, over the columns
    values._element.find(qn("c:crosses")).addnext(between)
    stages = chart.category_axis
    stages.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    stages.format.line.color.rgb = RGBColor.from_string("D0D7E2")
    plot = chart.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = NUMBER_FORMAT
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.ABOVE
    labels.font.size = Pt(fit.BODY_PT)
    labels.font.bold = True
    series = plot.series[0]
    series.smooth = False
    series.format.line.color.rgb = RGBColor.from_string(CURVE)
    series.format.line.width = Pt(2.25)
    series.marker.style = XL_MARKER_STYLE.CIRCLE
    series.marker.size = 7
    series.marker.format.fill.solid()
    series.marker.format.fill.fore_color.rgb = RGBColor.from_string(CURVE)
    plot_area = chart._chartSpace.chart.plotArea
    plot_area.insert(0, manual_layout(spec.plot_left, 0.12, spec.plot_width, 0.8))
    for rpr in chart._chartSpace.iter(qn("a:defRPr")):
        rpr.set("lang", LANG_TAG.get(lang, "en-US"))
        rpr.append(parse_xml(f'<a:latin xmlns:a="{A}" typeface="{LATIN}"/>'))
        rpr.append(parse_xml(f'<a:ea xmlns:a="{A}" typeface="{EAST_ASIAN}"/>'))
    return int(gf.shape_id)


def manual_layout(x: float, y: float, w: float, h: float) -> Any:
    """c:layout placing the plot area's inner rectangle at fractions of the chart."""
    layout = etree.Element(qn("c:layout"))
    manual = etree.SubElement(layout, qn("c:manualLayout"))
    for tag, val in (("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge")):
        etree.SubElement(manual, qn(f"c:{tag}")).set("val", val)
    for tag, val in (("x", x), ("y", y), ("w", w), ("h", h)):
        etree.SubElement(manual, qn(f"c:{tag}")).set("val", f"{val:.4f}")
    return layout


def place(shape: Any, left: float, top: float, width: float, height: float) -> None:
    shape.left, shape.top, shape.width, shape.height = emu(left), emu(top), emu(width), emu(height)


class Slides:
    """Adds slides in linear time. python-pptx's `slides.add_slide` looks through every
    relationship of the presentation for one to the new slide and through every slide id
    for the next one, which costs the square of a large deck's slides; a new slide has no
    relationship yet, and its id is one more than the last one given."""

    def __init__(self, prs: Any) -> None:
        self.part = prs.part
        self.layouts = list(prs.slide_layouts)
        self.ids = prs.part._element.get_or_add_sldIdLst()
        self.next_id = 256 + len(self.ids)  # the first id PowerPoint gives a slide is 256
        rels = prs.part.rels
        matching = rels.get_or_add

        def get_or_add(reltype: str, target: Any) -> str:
            if reltype == RT.SLIDE:
                return str(rels._add_relationship(reltype, target))
            return str(matching(reltype, target))

        rels.get_or_add = get_or_add

    def add(self, layout: int, placeholders: bool = True) -> Any:
        """A new slide of the template's layout number `layout`, with its placeholders
        (without: the caller writes them)."""
        rid, slide = self.part.add_slide(self.layouts[layout])
        if placeholders:
            slide.shapes.clone_layout_placeholders(self.layouts[layout])
        etree.SubElement(self.ids, qn("p:sldId"), {"id": str(self.next_id), qn("r:id"): rid})
        self.next_id += 1
        return slide


def add_slide(slides: Slides, spec: Slide, deck: Deck) -> None:
    page, lang = deck.page, deck.lang
    if spec.kind == "title":
        slide = slides.add(LAYOUT_TITLE)
        top, width = page.height * 0.28, page.width - page.margin * 4
        title, sub = slide.shapes.title, slide.placeholders[1]
        place(title, page.margin * 2, top, width, 1.7)
        place(sub, page.margin * 2, top + 2.0, width, 1.6)
        for shape, paras, pt in (
            (title, ((Span(spec.title, "strong"),),), 36),
            (sub, spec.lines, 18),
        ):
            frame(shape.text_frame, 0.02)
            set_paras(shape.text_frame._txBody, paras_xml(paras, pt, "", lang, "center"))
        return
    slide = slides.add(LAYOUT_TITLE_ONLY, placeholders=False)
    tree = slide.shapes._spTree
    shapes = [title_xml(2, spec.title, page, lang)]
    shapes += [box_xml(3 + i, box, lang) for i, box in enumerate(spec.boxes)]
    append_shapes(tree, shapes)
    next_id = 2 + len(shapes)
    for chart in spec.charts:
        next_id = add_chart(slide.shapes, chart, lang) + 1
    append_shapes(tree, [table_xml(next_id + i, t, lang) for i, t in enumerate(spec.tables)])


# --- the package --------------------------------------------------------------------------------


def set_theme_fonts(prs: Any) -> None:
    """The theme's heading and body fonts: LATIN and EAST_ASIAN (for text a client adds)."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    for font in ("a:majorFont", "a:minorFont"):
        for node in root.iter(qn(font)):
            node.find(qn("a:latin")).set("typeface", LATIN)
            node.find(qn("a:ea")).set("typeface", EAST_ASIAN)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def growing_partnames(package: Any) -> None:
    """Give the package's new part names by counting: python-pptx's next_partname walks
    every part of the package for each new chart and workbook, which costs the square of a
    large deck's charts. A deck only ever adds parts, so the next free number of a name
    template is one more than the last one given."""
    first = package.next_partname
    given: dict[str, int] = {}

    def next_partname(tmpl: str) -> PackURI:
        if tmpl in given:
            given[tmpl] += 1
            return PackURI(tmpl % given[tmpl])
        name = first(tmpl)
        found = re.fullmatch(re.escape(tmpl).replace("%d", r"(\d+)"), str(name))
        if found is not None:
            given[tmpl] = int(found.group(1))
        return name

    package.next_partname = next_partname


def deck_bytes(deck: Deck) -> bytes:
    """The deck as a .pptx file, identical for identical decks."""
    prs = Presentation()
    growing_partnames(prs.part.package)
    prs.slide_width, prs.slide_height = Emu(deck.page.width_emu), Emu(deck.page.height_emu)
    set_theme_fonts(prs)
    slides = Slides(prs)
    for spec in deck.slides:
        add_slide(slides, spec, deck)
    props = prs.core_properties
    props.title = deck.title
    props.author = props.last_modified_by = "journey"
    props.comments = "journey-toolkit"
    props.language = LANG_TAG.get(deck.lang, "en-US")
    props.revision = 1
    props.created = props.modified = deck.stamp
    props.last_printed = deck.stamp
    raw = io.BytesIO()
    prs.save(raw)
    return fixed_package(raw.getvalue(), deck.stamp)


CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def fixed_workbook(data: bytes, stamp: dt.datetime) -> bytes:
    """An embedded chart workbook with its core dates set to the stamp and fixed zip entries."""
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = CORE_DATES.sub(lambda m: m.group(1) + when + m.group(3), body)
            dst.writestr(info.filename, body)
    return normalise_zip(out.getvalue(), stamp)


def fixed_package(data: bytes, stamp: dt.datetime) -> bytes:
    """The saved deck with fixed embedded workbooks, and every entry with the stamp's time
    and fixed attributes, compressed as toolkit.common.spreadsheet.normalise_zip does."""
    out = io.BytesIO()
    when = stamp.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.endswith(".xlsx"):
                body = fixed_workbook(body, stamp)
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            dst.writestr(fixed, body, compresslevel=6)
    return out.getvalue()
