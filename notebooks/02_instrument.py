# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["notebook-only"]
# # Instrument: Antworten und Reliabilität
#
# Wie wurden die Aussagen des Fragebogens beantwortet, und messen die Aussagen einer Skala
# zuverlässig dasselbe? **So geht es:** *Run → Run All Cells*. In der nächsten Zelle wählen Sie den
# Datensatz (`dataset`), die Sprache (`lang = "de"` oder `"en"`) und mit `construct` eine einzelne
# Skala (z. B. `"struktur"`). Ganz unten können Sie die Skala auch per Auswahlfeld wechseln.
#
# *English:* answer distributions and reliability of each scale. Run all cells; the next cell sets the
# dataset, the language and optionally a single scale.

# %% tags=["parameters"]
dataset = None  # Ordner des Datensatzes (None: Beispieldaten bzw. $BAUSTEIN_DATASET)
lang = "de"  # Sprache der Texte: "de" oder "en"
min_n = 5  # kleinste Gruppe, die gezeigt wird (Datenschutz)
wave = None  # Welle der Querschnittsauswertungen (None: die letzte)
wave_order = None  # Reihenfolge der Wellen, z. B. ["2025", "2027"] (None: automatisch)
interactive = True  # Auswahlfelder zeigen (nur in JupyterLab)
construct = None  # z. B. "struktur"; None: alle Skalen

# %%
from reporting import figures as F
from reporting.notebook import md, setup, show, show_glossary, show_notes, show_table

ctx = setup(dataset, lang=lang, min_n=min_n, wave=wave, wave_order=wave_order)
md(F.section("02_title", lang))
show_notes(ctx, "02_instrument")
constructs = [c.id for c in ctx.instrument.constructs] if construct is None else [construct]

# %%
md(F.section("02_likert", lang))
for c in constructs:
    show(F.likert_construct(ctx.results, ctx.instrument, c, lang))

# %%
md(F.section("02_reliability", lang))
show_glossary(["alpha", "omega", "ci", "g6"], lang)
show(F.reliability_forest(ctx.results, ctx.instrument, lang))
show_table(*F.reliability_table(ctx.results, ctx.instrument, lang), lang=lang)

# %%
md(F.section("02_items", lang))
show_glossary(["r_drop"], lang)
show_table(*F.item_table(ctx.results, ctx.instrument, lang), lang=lang, max_rows=100)

# %%
if interactive:
    F.construct_widget(ctx)
