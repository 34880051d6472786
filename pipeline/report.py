"""A run's tables -> report.html: one self-contained page that works offline.

Consumes a `RunFolder` and its `Tables`. Produces one HTML file with no scripts, fonts, images or links
to fetch: inline CSS, the prevalence chart as inline SVG (raw and adjusted bars with 95% interval
whiskers), the co-occurrence heatmap and breakdowns as coloured tables, the toxic-trio table, per theme
the flagged reviews with their evidence sentences and page numbers (collapsible), and the run's
metadata (model, versions, date, counts, failed files with reasons). Every piece of text that comes
from a PDF, a file name or run.json is escaped. The sections have fixed ids (`SECTIONS`).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline import notes
from pipeline.export import atomic_write_text
from pipeline.prevalence import describe_denominator, group_value, in_denominator
from pipeline.records import Evidence, GroupPrevalenceRow, PrevalenceRow, ReviewMeta, RunFolder, Tables

SECTIONS = ("summary", "prevalence", "toxic-trio", "cooccurrence", "breakdowns", "evidence", "run")
RAW_COLOUR = "#1f6fb2"
ADJUSTED_COLOUR = "#d9822b"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1d1d1d;background:#fafafa;line-height:1.45}
main{max-width:1080px;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0 .4rem}h2{font-size:1.25rem;margin:2.2rem 0 .5rem;border-bottom:2px solid #1f6fb2;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.4rem 1.2rem 1.2rem;margin-top:1.2rem;overflow-x:auto}
section section{border:none;padding:0;margin-top:.6rem}
nav a{margin-right:1rem}p.note{color:#444;font-size:.92rem;max-width:75ch}
table{border-collapse:collapse;font-size:.86rem;margin:.6rem 0}th,td{border:1px solid #d6d6d6;padding:.25rem .45rem;vertical-align:top}
th{background:#eef3f8;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.summary td{font-weight:600;background:#f6f6f6}.muted{color:#777}.warn{color:#a33}
table.heat td{text-align:center;min-width:2.1rem;font-variant-numeric:tabular-nums}table.heat td.diag{outline:2px solid #333;outline-offset:-2px}
table.heat thead th{text-align:center}#prevalence-table th:first-child,table.heat tbody th{min-width:12rem}tr.note-row td{color:#6b4a1f;font-size:.8rem;background:#fff8ee}
details{margin:.35rem 0}details>summary{cursor:pointer;font-weight:600}details ul{margin:.3rem 0 .6rem}
li.review{margin:.4rem 0}li.review ol{margin:.2rem 0;padding-left:1.3rem}q{quotes:"\\201C" "\\201D"}
.key{display:inline-block;width:.9rem;height:.7rem;margin:0 .3rem 0 .8rem;vertical-align:middle}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.meta dt{font-weight:600}dl.meta dd{margin:0;word-break:break-all}
svg text{font-family:inherit}
"""


def _e(value: object) -> str:
    """Text escaped for HTML content and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _interval(lo: float | None, hi: float | None) -> str:
    return "" if lo is None or hi is None else f"{lo:.1f}–{hi:.1f}"


def _shade(share: float) -> tuple[str, str]:
    """(background, text colour) for a share in [0, 1] on a white-to-blue scale."""
    share = max(0.0, min(1.0, share))
    r, g, b = (round(255 + (c - 255) * share) for c in (31, 111, 178))
    return f"rgb({r},{g},{b})", ("#fff" if share > 0.55 else "#1d1d1d")


# ---------------------------------------------------------------- prevalence chart and table


def prevalence_svg(rows: Sequence[PrevalenceRow]) -> str:
    """Horizontal bars per theme: raw % (blue) and adjusted % (orange), each with its 95% interval whisker."""
    left, plot, right, top, row_h = 300, 430, 190, 46, 38
    width, height = left + plot + right, top + row_h * len(rows) + 26

    def x(p: float) -> float:
        return round(left + plot * max(0.0, min(100.0, p)) / 100, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart-title" class="chart"><title id="chart-title">Share of reviews flagged for each theme, '
        f"raw and adjusted for model error, with 95% intervals</title>",
        f'<rect x="{left}" y="8" width="12" height="10" fill="{RAW_COLOUR}"/><text x="{left + 17}" y="17" font-size="12">raw % flagged (Wilson 95% interval)</text>',
        f'<rect x="{left + 250}" y="8" width="12" height="10" fill="{ADJUSTED_COLOUR}"/><text x="{left + 267}" y="17" font-size="12">adjusted for model error (bootstrap 95% interval)</text>',
    ]
    for tick in range(0, 101, 20):
        out.append(
            f'<line x1="{x(tick)}" y1="{top - 8}" x2="{x(tick)}" y2="{height - 22}" stroke="#ddd"/>'
            f'<text x="{x(tick)}" y="{height - 8}" font-size="11" text-anchor="middle" fill="#555">{tick}%</text>'
        )
    for i, r in enumerate(rows):
        y = top + i * row_h
        label = r.label + (" †" if r.reliable == "no" else "")
        out.append(f'<text x="{left - 10}" y="{y + 19}" font-size="12.5" text-anchor="end">{_e(label)}</text>')
        bars = [(r.percent, r.ci_low, r.ci_high, RAW_COLOUR, y + 5, f"{_pct(r.percent)} ({_interval(r.ci_low, r.ci_high)})", "raw")]
        if r.adjusted_percent is not None:
            text = f"adj. {_pct(r.adjusted_percent)} ({_interval(r.adjusted_ci_low, r.adjusted_ci_high)})"
            bars.append((r.adjusted_percent, r.adjusted_ci_low, r.adjusted_ci_high, ADJUSTED_COLOUR, y + 20, text, "adjusted"))
        else:
            out.append(f'<text x="{left + 4}" y="{y + 29}" font-size="10.5" fill="#888">no adjusted estimate</text>')
        for value, lo, hi, colour, by, text, kind in bars:
            opacity = "0.45" if kind == "adjusted" and r.reliable == "no" else "1"
            tip = f"{r.label}: {kind} {text} of {r.reviews} reviews"
            out.append(
                f'<g class="bar {kind}"><title>{_e(tip)}</title>'
                f'<rect x="{left}" y="{by}" width="{round(x(value) - left, 1)}" height="11" fill="{colour}" fill-opacity="{opacity}"/>'
            )
            if lo is not None and hi is not None:
                mid = by + 5.5
                out.append(
                    f'<line x1="{x(lo)}" y1="{mid}" x2="{x(hi)}" y2="{mid}" stroke="#222" stroke-width="1.3"/>'
                    f'<line x1="{x(lo)}" y1="{mid - 4}" x2="{x(lo)}" y2="{mid + 4}" stroke="#222" stroke-width="1.3"/>'
                    f'<line x1="{x(hi)}" y1="{mid - 4}" x2="{x(hi)}" y2="{mid + 4}" stroke="#222" stroke-width="1.3"/>'
                )
            out.append(f'<text x="{left + plot + 8}" y="{by + 10}" font-size="11" fill="#333">{_e(text)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def _prevalence_table(rows: Sequence[PrevalenceRow]) -> str:
    """One row per theme; a theme with a note gets a second row spanning the table beneath it."""
    head = ("Theme", "Reviews counted", "Flagged", "%", "95% CI", "Adjusted %", "Adjusted 95% CI", "Sensitivity", "Specificity", "Reliable")
    body = []
    for r in rows:
        cells = [
            f'<td class="num">{r.reviews}</td>',
            f'<td class="num">{r.flagged}</td>',
            f'<td class="num">{_pct(r.percent)}</td>',
            f'<td class="num">{_interval(r.ci_low, r.ci_high)}</td>',
            f'<td class="num">{_pct(r.adjusted_percent) if r.adjusted_percent is not None else ""}</td>',
            f'<td class="num">{_interval(r.adjusted_ci_low, r.adjusted_ci_high)}</td>',
            f'<td class="num">{_rate(r.sensitivity)}</td>',
            f'<td class="num">{_rate(r.specificity)}</td>',
            f"<td>{_e(r.reliable)}</td>",
        ]
        span = ' rowspan="2"' if r.note else ""
        body.append(f"<tr><th{span}>{_e(r.label)}</th>{''.join(cells)}</tr>")
        if r.note:
            body.append(f'<tr class="note-row"><td colspan="{len(cells)}">{_e(r.note)}</td></tr>')
    return _table(head, body, "prevalence-table")


def _table(head: Iterable[str], body: Iterable[str], table_id: str = "", cls: str = "") -> str:
    attrs = (f' id="{table_id}"' if table_id else "") + (f' class="{cls}"' if cls else "")
    return f"<table{attrs}><thead><tr>{''.join(f'<th>{_e(h)}</th>' for h in head)}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# ---------------------------------------------------------------- other tables


def _trio_table(tables: Tables) -> str:
    if not tables.toxic_trio:
        return '<p class="note">The codebook of this run lacks one of the three toxic-trio themes.</p>'

    def mark(v: int | None) -> str:
        return "" if v is None else ("✓" if v else "·")

    body = []
    for r in tables.toxic_trio:
        cls = ' class="summary"' if r.domestic_abuse is None else ""
        body.append(
            f"<tr{cls}><td>{_e(r.combination)}</td><td>{mark(r.domestic_abuse)}</td><td>{mark(r.parental_mental_health)}</td>"
            f'<td>{mark(r.parental_substance_misuse)}</td><td class="num">{r.count}</td><td class="num">{r.reviews}</td>'
            f'<td class="num">{_pct(r.percent)}</td><td class="num">{_interval(r.ci_low, r.ci_high)}</td></tr>'
        )
    head = ("Combination", "Domestic abuse", "Parental mental health", "Parental substance misuse", "Reviews", "of", "%", "95% CI")
    return _table(head, body, "toxic-trio-table")


def _heatmap(run: RunFolder, tables: Tables) -> str:
    ids = list(run.codebook.ids)
    labels = {t.id: t.label for t in run.codebook.themes}
    n = len(run.flags)
    both: dict[tuple[str, str], int] = {}
    for r in tables.cooccurrence:
        both[(r.theme_a, r.theme_b)] = both[(r.theme_b, r.theme_a)] = r.both
    for t in ids:
        both[(t, t)] = sum(f.get(t, 0) for f in run.flags.values())
    top = max([v for (a, b), v in both.items() if a != b] + [1])
    head = '<th scope="col">Theme</th>' + "".join(f'<th scope="col" title="{_e(labels[t])}">{i}</th>' for i, t in enumerate(ids, 1))
    body = []
    for i, a in enumerate(ids, 1):
        cells = []
        for b in ids:
            k = both[(a, b)]
            pct = 100 * k / n if n else 0.0
            bg, fg = _shade(k / top if a != b else 0.0)
            tip = f"{labels[a]}" + ("" if a == b else f" and {labels[b]}") + f": {k} of {n} reviews ({pct:.1f}%)"
            cls = ' class="diag"' if a == b else ""
            cells.append(f'<td{cls} style="background:{bg};color:{fg}" title="{_e(tip)}">{pct:.0f}</td>')
        body.append(f'<tr><th scope="row">{i}. {_e(labels[a])}</th>{"".join(cells)}</tr>')
    return f'<table class="heat" id="cooccurrence-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _breakdown(field: str, rows: Sequence[GroupPrevalenceRow], run: RunFolder) -> str:
    groups = list(dict.fromkeys(r.group for r in rows))
    metas = {r.review_id: r.meta for r in run.reviews}
    all_n = Counter(group_value(metas.get(rid, ReviewMeta()), field) for rid in run.flags)
    cell = {(r.group, r.theme): r for r in rows}
    head = ["Theme"] + [f"{g} (n={all_n[g]})" for g in groups]
    body = []
    for t in run.codebook.themes:
        tds = []
        for g in groups:
            r = cell[(g, t.id)]
            if r.percent is None:
                tds.append(f'<td class="num" title="{_e(f"{t.label}, {g}: no review in this group counts for this theme")}">–</td>')
                continue
            bg, fg = _shade(r.percent / 100)
            tip = f"{t.label}, {g}: {r.flagged} of {r.reviews} reviews, {r.percent:.1f}% (95% CI {_interval(r.ci_low, r.ci_high)})"
            # the interval is printed, not only in the tooltip: a printed or pasted table keeps it
            tds.append(
                f'<td class="num" style="background:{bg};color:{fg}" title="{_e(tip)}">{r.percent:.0f}% <span>({r.flagged})</span>'
                f'<br><small class="ci">{_interval(r.ci_low, r.ci_high)}</small></td>'
            )
        body.append(f"<tr><th>{_e(t.label)}</th>{''.join(tds)}</tr>")
    name = notes.FIELD_NAMES.get(field, field)
    return (
        f'<section class="breakdown" id="by-{_e(field)}"><h3>By {_e(name)}</h3>'
        f'{_table(head, body, cls="heat breakdown-table")}</section>'
    )


# ---------------------------------------------------------------- evidence and metadata


def _review_items(run: RunFolder, theme: str, review_ids: Sequence[str], sentences: dict[str, list[Evidence]]) -> str:
    items = []
    for rid in review_ids:
        score = run.scores.get(rid, {}).get(theme)
        lines = "".join(
            f"<li>p. {e.page} · {_e(str(e.section).replace('_', ' '))} · score {e.score:.2f}: <q>{_e(e.text)}</q></li>"
            for e in sentences.get(rid, [])
        ) or '<li class="muted">no evidence sentence recorded</li>'
        score_text = "" if score is None else f' <span class="muted">(review score {score:.2f})</span>'
        items.append(f'<li class="review"><strong>{_e(rid)}</strong>{score_text}<ol>{lines}</ol></li>')
    return f"<ul>{''.join(items)}</ul>"


def _evidence(run: RunFolder) -> str:
    by_theme: dict[str, dict[str, list[Evidence]]] = {}
    for e in run.evidence:
        by_theme.setdefault(e.theme, {}).setdefault(e.review_id, []).append(e)
    ages = {r.review_id: r.meta.child_age for r in run.reviews}
    parts = []
    for t in run.codebook.themes:
        flagged = sorted(rid for rid, f in run.flags.items() if f.get(t.id))
        counted = [rid for rid in flagged if in_denominator(t, ages.get(rid))]
        outside = [rid for rid in flagged if not in_denominator(t, ages.get(rid))]
        sentences = by_theme.get(t.id, {})
        inner = _review_items(run, t.id, counted, sentences) if counted else '<p class="muted">No review was flagged.</p>'
        extra = ""
        if outside:
            extra = (
                f'<p class="muted">Also flagged but not counted, because the child\'s age is outside this theme\'s '
                f"denominator ({_e(describe_denominator(t))}):</p>" + _review_items(run, t.id, outside, sentences)
            )
        parts.append(
            f'<details class="theme-evidence" id="evidence-{_e(t.id)}"><summary>{_e(t.label)}: '
            f"{len(counted)} review{'s' if len(counted) != 1 else ''} flagged"
            f"{f' (+{len(outside)} outside the denominator)' if outside else ''}</summary>{inner}{extra}</details>"
        )
    return "".join(parts)


def _file_list(title: str, column: str, items: Sequence[dict[str, str]] | None, key: str, table_id: str) -> str:
    """A heading and a table of run.json entries (`file` and `key`), or nothing when there are none."""
    if not items:
        return ""
    rows = (f"<tr><td>{_e(i.get('file'))}</td><td>{_e(i.get(key))}</td></tr>" for i in items)
    return f"<h3>{_e(title)}</h3>" + _table(("File", column), rows, table_id)


def _run_meta(run: RunFolder) -> str:
    info = run.info
    model = info.get("model") or {}
    counts = info.get("counts") or {}
    items = [
        ("Run finished", info.get("finished", "")),
        ("Model", info.get("model_id", "")),
        ("Model kind", model.get("kind", "")),
        ("Model folder", model.get("folder", "")),
        ("Error rates measured by", run.error_rates_from or "none (no adjusted estimate)"),
        ("Files", counts.get("files", "")),
        ("Reviews processed", counts.get("ok", "")),
        ("Files failed", counts.get("failed", "")),
        ("Duplicate files (counted once)", counts.get("duplicates", "")),
        ("Reviews read with a caveat", counts.get("warned", "")),
        ("Pages read", counts.get("pages", "")),
        ("PDF folder", info.get("pdf_dir", "")),
        ("Config sha256", info.get("config_sha256", "")),
        ("Codebook sha256", info.get("codebook_sha256", "")),
    ]
    meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    versions = _table(("Library", "Version"), (f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in (info.get("versions") or {}).items()), "versions-table")
    failed = info.get("failed") or []
    failed_html = (
        _table(("File", "Why it failed"), (f"<tr><td>{_e(f.get('file'))}</td><td>{_e(f.get('reason'))}</td></tr>" for f in failed), "failed-table")
        if failed
        else '<p class="muted" id="failed-table">No file failed.</p>'
    )
    duplicates_html = _file_list("Duplicate files", "Identical to (counted once, under this name)", info.get("duplicates"), "identical_to", "duplicates-table")
    warned_html = _file_list("Files read with a caveat", "Caveat (the review is counted; check it)", info.get("warnings"), "warning", "warnings-table")
    rates = ""
    if run.rates:
        rates = "<h3>Model error rates used for the adjustment</h3>" + _table(
            ("Theme", "Sensitivity", "Specificity", "Coded positives", "Coded negatives", "Reliable", "Warning"),
            (
                f"<tr><td>{_e(t.label)}</td><td class='num'>{_rate(r.sensitivity if r.support else None)}</td><td class='num'>{_rate(r.specificity if r.negatives else None)}</td>"
                f"<td class='num'>{r.support}</td><td class='num'>{r.negatives}</td><td>{'yes' if r.reliable else 'no'}</td><td>{_e(r.warning)}</td></tr>"
                for t in run.codebook.themes
                if (r := run.rates.get(t.id)) is not None
            ),
            "rates-table",
        )
    denominators = _table(("Theme", "Reviews counted"), (f"<tr><td>{_e(a)}</td><td>{_e(b)}</td></tr>" for a, b in notes.denominator_lines(run)), "denominators-table")
    return (
        f'<dl class="meta">{meta}</dl><h3>Failed files</h3>{failed_html}{duplicates_html}{warned_html}{rates}'
        f'<h3>Denominators</h3><p class="note">{_e(notes.DENOMINATORS)}</p>{denominators}'
        f"<h3>Library versions</h3>{versions}"
    )


# ---------------------------------------------------------------- page


def render_report(run: RunFolder, tables: Tables) -> str:
    """The whole report as one HTML string."""
    info = run.info
    n = len(run.flags)
    failed = len(info.get("failed") or [])
    title = f"Themes in {n} safeguarding case review{'s' if n != 1 else ''}"
    breakdowns = "".join(_breakdown(f, rows, run) for f, rows in tables.breakdowns.items()) or (
        '<p class="muted">No breakdown was requested. Run <code>review-themes export RUN_DIR --format html --by year</code> '
        "(or partnership, review_type, incident, age_band) to add one.</p>"
    )
    nav = "".join(
        f'<a href="#{s}">{label}</a>'
        for s, label in zip(SECTIONS[1:], ("Prevalence", "Toxic trio", "Co-occurrence", "Breakdowns", "Evidence", "Run details"))
    )
    any_unreliable = any(r.reliable == "no" for r in tables.prevalence)
    dagger = '<p class="note">† the adjusted figure for this theme is not reliable; see the note in the table.</p>' if any_unreliable else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} — review-themes report</title><style>{_CSS}</style></head>
<body><main>
<header id="summary"><h1>{_e(title)}</h1>
<p>Model <strong>{_e(run.model_id)}</strong> · run finished {_e(info.get("finished", "unknown"))} · review-themes {_e((info.get("versions") or {}).get("review-themes", ""))} ·
{n} review{'s' if n != 1 else ''} processed, {failed} file{'s' if failed != 1 else ''} failed.</p>
<nav>{nav}</nav></header>
<section id="prevalence"><h2>How many reviews featured each theme</h2>
{prevalence_svg(tables.prevalence)}{dagger}
<h3>How to read these figures</h3><p class="note">{_e(notes.RAW)}</p><p class="note">{_e(notes.adjusted_note(run))}</p><p class="note">{_e(notes.DENOMINATORS)}</p>
{_prevalence_table(tables.prevalence)}</section>
<section id="toxic-trio"><h2>The toxic trio</h2><p class="note">{_e(notes.TOXIC_TRIO)}</p>{_trio_table(tables)}</section>
<section id="cooccurrence"><h2>Themes that occur together</h2><p class="note">{_e(notes.COOCCURRENCE)} Cells show % of {n} reviews; columns are numbered as the rows; hover for counts.</p>{_heatmap(run, tables)}</section>
<section id="breakdowns"><h2>Breakdowns</h2><p class="note">{_e(notes.BREAKDOWNS)} Cells show % (reviews flagged); hover for the interval.</p>{breakdowns}</section>
<section id="evidence"><h2>Evidence: the reviews behind each count</h2><p class="note">{_e(notes.EVIDENCE)}</p>{_evidence(run)}</section>
<section id="run"><h2>Run details</h2>{_run_meta(run)}</section>
</main></body></html>
"""


def write_report(path: Path, run: RunFolder, tables: Tables) -> None:
    """Write report.html atomically."""
    atomic_write_text(path, render_report(run, tables))
