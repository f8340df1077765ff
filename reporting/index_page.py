"""The report's front page: overview pages, downloads and a searchable, sortable list of municipalities.

A state has about 1,100 municipalities; a bare list of links is no way to find one. The index is
one offline HTML file (no library, no internet): a table with name, AGS, district, number of
respondents, type of commitment, the mean of every scale and flags (scales where the municipality
lies outside the 95 % funnel limits), a search field that filters as you type and column headers
that sort on click. The table is written out in full, so it also reads without JavaScript and
prints; the script only filters and sorts the rows that are there.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.spreadsheet_escape import escape_html

from . import labels as L  # noqa: N812
from .formatting import fill_names, fmt_number
from .notebook import notes_html
from .profile_data import suppressed_mask, table_or_none

__all__ = ["IndexEntry", "index_rows", "no_profile_reasons", "write_index_html"]


@dataclass(frozen=True)
class IndexEntry:
    """A link on the index page: its text and target (relative to the report folder)."""

    title: str
    href: str


def index_rows(results: Any, instrument: Any, lang: str = "de") -> pd.DataFrame:
    """One row per municipality with a profile: name, AGS, district, n, type, scale means, flags.

    Only municipalities with at least the minimum number of respondents appear (small-cell rule);
    scale means come from ``kommunen``, the type from ``typologie``, flags from ``funnel``.
    """
    over = table_or_none(results, "kommunen_uebersicht")
    if over is None or over.empty:
        return pd.DataFrame()
    o = over[~suppressed_mask(over)].copy()
    o["ags"] = o["ags"].astype(str)
    o = fill_names(o)
    out = o[[c for c in ("ags", "name", "district", "n") if c in o.columns]].copy()
    typ = table_or_none(results, "typologie")
    if typ is not None and "type" in typ.columns:
        col = "type" if lang == "de" or "type_en" not in typ.columns else "type_en"
        t = typ[~suppressed_mask(typ)]
        out["type"] = out["ags"].map(dict(zip(t["ags"].astype(str), t[col])))
    k = table_or_none(results, "kommunen")
    constructs = [c.id for c in instrument.constructs]
    if k is not None and len(k):
        kv = k[~suppressed_mask(k)]
        wide = kv.pivot_table(index=kv["ags"].astype(str), columns="variable", values="mean", observed=True)
        for c in constructs:
            if c in wide.columns:
                out[f"mean_{c}"] = out["ags"].map(wide[c])
    f = table_or_none(results, "funnel")
    labels = {c.id: c.label(lang) for c in instrument.constructs}
    flags: dict[str, str] = {}
    if f is not None and len(f):
        fo = f[(~suppressed_mask(f)) & f["outside_95"].astype(object).map(lambda v: v is True or v == 1)]
        for a, sub in fo.groupby(fo["ags"].astype(str)):
            up = [labels.get(c, c) for c, v, t in zip(sub["construct"], sub["value"], sub["target"]) if v >= t]
            down = [labels.get(c, c) for c, v, t in zip(sub["construct"], sub["value"], sub["target"]) if v < t]
            parts = ([f"▲ {u}" for u in up]) + ([f"▼ {d}" for d in down])
            flags[a] = "; ".join(parts)
    out["flags"] = [flags.get(a, "") for a in out["ags"]]
    return out.reset_index(drop=True)


def no_profile_reasons(results: Any, profiles: Any, lang: str = "de",
                       requested: Sequence[tuple[str, str]] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """Why municipalities have no profile: (reason, [(AGS, name), ...]) in a fixed order.

    From ``kommunen_uebersicht``: a municipality suppressed because it has fewer than ``min_n``
    respondents in the analysed wave (``suppression`` "primary", or no such column), or suppressed
    in addition to protect another small group (``suppression`` "secondary": it has enough
    respondents, but its figures would let a smaller group be worked out). ``requested`` adds
    municipalities asked for with ``--municipality`` that the table does not list. Municipalities
    with a profile, or visible ones simply not asked for, are left out.
    """
    over = table_or_none(results, "kommunen_uebersicht")
    k, wave = results.config.min_n, results.meta.get("wave")
    primary = (L.text("no_profile_primary", lang, k=k, wave=wave) if wave not in (None, "") else
               L.text("no_profile_primary_nowave", lang, k=k))
    secondary = L.text("no_profile_secondary", lang, k=k)
    groups: dict[str, list[tuple[str, str]]] = {primary: [], secondary: []}
    seen: set[str] = set()
    if over is not None and len(over) and "ags" in over.columns:
        o = fill_names(over)
        kind = o["suppression"].astype(object) if "suppression" in o else pd.Series("", index=o.index)
        for a, name, sup, how in zip(o["ags"].astype(str), o["name"], suppressed_mask(o), kind):
            if a in profiles or not sup:
                continue
            groups[secondary if str(how) == "secondary" else primary].append((a, str(name)))
            seen.add(a)
    groups[primary] += [(a, n) for a, n in requested if a not in seen and a not in profiles]
    return [(reason, sorted(munis, key=lambda x: x[1])) for reason, munis in groups.items() if munis]


_SCRIPT = """
(function () {
  var input = document.getElementById('muni-search');
  var table = document.getElementById('muni-table');
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var count = document.getElementById('muni-count');
  var tmpl = count.getAttribute('data-template');
  function norm(s) { return (s || '').toLowerCase().normalize('NFD').replace(/[\\u0300-\\u036f]/g, ''); }
  var keys = rows.map(function (r) { return norm(r.textContent); });
  function update() {
    var q = norm(input.value).trim().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (r, i) {
      var ok = q.every(function (w) { return keys[i].indexOf(w) >= 0; });
      r.hidden = !ok; if (ok) { shown++; }
    });
    count.textContent = tmpl.replace('{k}', shown).replace('{n}', rows.length);
  }
  input.addEventListener('input', update);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener('click', function () {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-type') === 'number';
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-value'), y = b.cells[col].getAttribute('data-value');
        if (numeric) {
          x = x === '' ? NaN : parseFloat(x); y = y === '' ? NaN : parseFloat(y);
          if (isNaN(x)) { return 1; } if (isNaN(y)) { return -1; }
          return dir * (x - y);
        }
        return dir * x.localeCompare(y, document.documentElement.lang);
      });
      rows.forEach(function (r) { body.appendChild(r); });
      keys = rows.map(function (r) { return norm(r.textContent); });
    });
  });
  update();
})();
"""

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;max-width:1400px;margin:1.5em auto;padding:0 1em;line-height:1.45;color:#222}
h1{font-size:1.6em} h2{font-size:1.25em;margin-top:1.4em} .note{color:#555}
ul.links{columns:2} li{margin:.2em 0}
#muni-search{font-size:1em;padding:.45em .6em;width:min(32em,100%);border:1px solid #999;border-radius:4px}
.table-wrap{overflow-x:auto}
table.muni{border-collapse:collapse;width:100%;font-size:.88em;margin-top:.6em}
table.muni th{background:#DDEBF7;cursor:pointer;text-align:left;padding:.35em .4em;position:sticky;top:0;user-select:none}
table.muni th[aria-sort=ascending]::after{content:" ▲"} table.muni th[aria-sort=descending]::after{content:" ▼"}
table.muni td{border-bottom:1px solid #e4e4e4;padding:.3em .4em;vertical-align:top}
table.muni td.num{text-align:right;white-space:nowrap} table.muni tr:hover td{background:#f6f9fc}
.flag{color:#a33}
@media print{#muni-search,#muni-count{display:none} table.muni th{position:static}}
"""


def write_index_html(
    path: Any,
    results: Any,
    instrument: Any,
    lang: str,
    dataset_name: str,
    pages: Sequence[IndexEntry],
    downloads: Sequence[IndexEntry],
    profiles: dict[str, dict[str, str]],
    suppressed: Sequence[tuple[str, str]],
    min_n: int,
) -> None:
    """Write ``index.html`` (see module docstring).

    Parameters
    ----------
    path : path
        Target file.
    results : analysis.Results
    instrument : surveys.instrument.Instrument
    lang : {"de", "en"}
    dataset_name : str
        Shown under the title.
    pages, downloads : sequence of IndexEntry
        Overview pages (and the methods page) and files to download (results workbook, ZIP, images).
    profiles : dict AGS -> {"html": href, "pdf": href, "docx": href}
        Files written per municipality (only those with a profile page are listed).
    suppressed : sequence of (AGS, name)
        Municipalities asked for but without a profile; with every municipality the analysis
        suppressed they are listed below the table with the reason (:func:`no_profile_reasons`).
    min_n : int
    """
    rows = index_rows(results, instrument, lang)
    rows = rows[rows["ags"].isin(profiles)] if len(rows) else rows
    constructs = [c for c in instrument.constructs if len(rows) and f"mean_{c.id}" in rows.columns]
    wave = results.meta.get("wave")
    n_head = L.text("n_resp_wave", lang, wave=wave) if wave not in (None, "") else L.text("n_resp", lang)
    head = [("name", L.text("municipality", lang), "text"), ("ags", "AGS", "text"),
            ("district", L.header("district", lang), "text"), ("n", n_head, "number"),
            ("type", L.text("type", lang), "text")]
    head += [(f"mean_{c.id}", c.label(lang), "number") for c in constructs]
    head += [("flags", L.text("index_flags", lang), "text")]
    head = [h for h in head if h[0] in rows.columns or h[0] == "flags"]
    th = "".join(f'<th data-type="{t}" scope="col">{escape_html(label)}</th>' for _, label, t in head)
    th += f'<th scope="col">{escape_html(L.text("pdf", lang))} / {escape_html(L.text("docx", lang))}</th>'
    body = []
    for r in rows.itertuples(index=False):
        cells = []
        for key, _, kind in head:
            v = getattr(r, key, "")
            if key == "name":
                href = profiles[r.ags]["html"]
                cells.append(f'<td data-value="{escape_html(v)}"><a href="{escape_html(href)}">{escape_html(v)}</a></td>')
            elif kind == "number":
                raw = "" if pd.isna(v) else f"{float(v):.6g}"
                shown = fmt_number(v, 0 if key == "n" else 2, lang, count=key == "n")
                cells.append(f'<td class="num" data-value="{raw}">{escape_html(shown)}</td>')
            else:
                txt = "" if pd.isna(v) else str(v)
                cls = ' class="flag"' if key == "flags" and txt else ""
                cells.append(f'<td{cls} data-value="{escape_html(txt)}">{escape_html(txt)}</td>')
        docs = profiles[r.ags]
        links = " · ".join(f'<a href="{escape_html(docs[k])}">{escape_html(L.text(k, lang))}</a>'
                           for k in ("pdf", "docx") if docs.get(k))
        cells.append(f"<td>{links}</td>")
        body.append(f'<tr data-ags="{escape_html(r.ags)}">{"".join(cells)}</tr>')
    page_links = "\n".join(f'<li><a href="{escape_html(e.href)}">{escape_html(e.title)}</a></li>' for e in pages)
    files = [e for e in downloads if not e.href.startswith("images/")]
    charts = [e for e in downloads if e.href.startswith("images/")]
    dl_links = "\n".join(f'<li><a href="{escape_html(e.href)}">{escape_html(e.title)}</a></li>' for e in files)
    if charts:
        items = " · ".join(f'<a href="{escape_html(e.href)}">{escape_html(e.href.split("/")[-1])}</a>' for e in charts)
        dl_links += f'\n<li><details><summary>{escape_html(L.text("images", lang))}</summary>{items}</details></li>'

    small = ""
    reasons = no_profile_reasons(results, profiles, lang, suppressed)
    if reasons:
        items = "".join(
            f"<li><strong>{escape_html(reason)}</strong>: "
            + ", ".join(f"{escape_html(n)} ({escape_html(a)})" if n != a else escape_html(a) for a, n in munis)
            + "</li>" for reason, munis in reasons)
        small = (f'<h3 id="ohne-profil">{escape_html(L.text("index_without_profile", lang))}</h3>'
                 f'<ul class="no-profile">{items}</ul>')
    notes = notes_html(results, "index", lang, instrument)
    total = len(rows)
    count_tmpl = L.text("index_shown", lang, k="{k}", n="{n}")
    title = L.text("index_title", lang)
    when = _dt.date.today().isoformat()
    doc = f"""<!DOCTYPE html>
<html lang="{"de" if lang == "de" else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_html(title)}</title>
<style>{_CSS}</style></head>
<body>
<h1 id="top">{escape_html(title)}</h1>
<p class="note">{escape_html(dataset_name)} · {when}</p>
{notes}
<h2>{escape_html(L.text("index_overview", lang))}</h2>
<ul class="links">
{page_links}
</ul>
<h2>{escape_html(L.text("index_downloads", lang))}</h2>
<ul class="links">
{dl_links}
</ul>
<h2>{escape_html(L.text("index_profiles", lang))}</h2>
<p><input id="muni-search" type="search" placeholder="{html.escape(L.text("index_search", lang))}"
 aria-label="{html.escape(L.text("index_search", lang))}" autocomplete="off">
 <span id="muni-count" class="note" data-template="{html.escape(count_tmpl)}">{escape_html(
        L.text("index_shown", lang, k=total, n=total))}</span></p>
<p class="note">{escape_html(L.text("index_sort_hint", lang))} {escape_html(L.text("index_flags_hint", lang))}</p>
<div class="table-wrap"><table id="muni-table" class="muni"><thead><tr>{th}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></div>
{small}
<script>{_SCRIPT}</script>
</body></html>
"""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(doc)
