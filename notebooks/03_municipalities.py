# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["notebook-only"]
# # Kommunen im Vergleich
#
# Jede Kommune im Vergleich mit dem Landesmittel – in Trichterdiagrammen statt Ranglisten –, die
# Übereinstimmung der Befragten innerhalb der Kommunen und Vergleiche nach Landkreis,
# Gemeindegrößenklasse und Förderkohorte. **So geht es:** *Run → Run All Cells*; Datensatz und Sprache
# stellen Sie in der nächsten Zelle ein. Ganz unten wählen Sie eine Skala für ihr Trichterdiagramm.
#
# *English:* municipalities compared with the state (funnel plots), agreement within municipalities and
# comparisons by district, size class and cohort. Run all cells.

# %% tags=["parameters"]
dataset = None  # Ordner des Datensatzes (None: Beispieldaten bzw. $BAUSTEIN_DATASET)
lang = "de"  # Sprache der Texte: "de" oder "en"
min_n = 5  # kleinste Gruppe, die gezeigt wird (Datenschutz)
wave = None  # Welle der Querschnittsauswertungen (None: die letzte)
wave_order = None  # Reihenfolge der Wellen, z. B. ["2025", "2027"] (None: automatisch)
interactive = True  # Auswahlfelder zeigen (nur in JupyterLab)

# %%
from reporting import figures as F
from reporting.notebook import md, setup, show, show_glossary, show_notes, show_table

ctx = setup(dataset, lang=lang, min_n=min_n, wave=wave, wave_order=wave_order)
md(F.section("03_title", lang))
show_notes(ctx, "03_municipalities")

# %%
md(F.section("03_funnels", lang))
show_glossary(["funnel", "limits", "overdispersion"], lang)
for c in ctx.instrument.constructs:
    show(F.funnel(ctx.results, ctx.instrument, c.id, lang))

# %%
md(F.section("03_agreement", lang))
show_glossary(["icc1", "icc2", "icc_reml", "design_effect", "rwg", "rwg_star"], lang)
show(F.agreement_panel(ctx.results, ctx.instrument, lang))
show_table(*F.aggregation_table(ctx.results, ctx.instrument, lang), n_col=None, lang=lang)

# %%
md(F.section("03_compare", lang))
show_glossary(["welch", "df", "eta2", "omega2", "p"], lang)
for by in ("size_class", "district", "cohort"):
    show(F.comparison(ctx.results, ctx.instrument, by, lang))
show_table(*F.comparison_tests(ctx.results, ctx.instrument, lang), n_col=None, lang=lang)

# %%
md(F.section("03_profiles", lang))
show(F.profiles_small_multiples(ctx.results, ctx.instrument, lang))

# %%
if interactive:
    F.municipality_widget(ctx)
