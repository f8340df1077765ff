# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["notebook-only"]
# # Formen des Engagements und Stärke der Strukturen
#
# Die Kernfrage des Bausteins: Welche Formen des Engagements gehen mit tragfähigen
# Unterstützungsstrukturen einher? **So geht es:** *Run → Run All Cells*. Im Abschnitt
# „Zusammenhänge erkunden“ wählen Sie mit den Auswahlfeldern, welche Skalen auf den Achsen stehen,
# wonach gefärbt wird (Typ aus der Befragung, Ratsbeschluss, Bürgermeister/in, Ansprechperson, Räume,
# Größenklasse, Kohorte), welche Rollen und welche Welle zählen und welche Kommune hervorgehoben wird;
# Tabelle und Modell darunter rechnen mit derselben Auswahl.
#
# *English:* the Baustein's central question. Run all cells and use the controls under "Explore" to
# choose axes, colour, roles, wave and a municipality to highlight.

# %% tags=["parameters"]
dataset = None  # Ordner des Datensatzes (None: Beispieldaten bzw. $BAUSTEIN_DATASET)
lang = "de"  # Sprache der Texte: "de" oder "en"
min_n = 5  # kleinste Gruppe, die gezeigt wird (Datenschutz)
wave = None  # Welle der Querschnittsauswertungen (None: die letzte)
wave_order = None  # Reihenfolge der Wellen, z. B. ["2025", "2027"] (None: automatisch)
interactive = True  # Auswahlfelder zeigen (nur in JupyterLab)

# %%
from reporting import explore as X
from reporting import figures as F
from reporting.notebook import md, setup, show, show_glossary, show_notes, show_table

ctx = setup(dataset, lang=lang, min_n=min_n, wave=wave, wave_order=wave_order)
md(F.section("04_title", lang))
show_notes(ctx, "04_commitment_structures")

# %%
md(F.section("04_explore", lang))
show_glossary(["multilevel", "r2"], lang)
if interactive:
    controls = X.explore_widget(ctx)
else:
    X.show_default_view(ctx)

# %%
md(F.section("04_types", lang))
show_glossary(["welch", "eta2", "p"], lang)
show(F.structure_by_type(ctx.results, ctx.instrument, lang))
show(F.structure_by_facts(ctx.results, ctx.instrument, lang))
show_table(*F.type_tests_table(ctx.results, lang), n_col=None, lang=lang)

# %%
md(F.section("04_model", lang))
show_glossary(["tau2", "sigma2", "icc1", "r2"], lang)
show(F.model_coefficients(ctx.results, ctx.instrument, lang))
md(F.model_text(ctx.results, lang))

# %%
md(F.section("04_hypotheses", lang))
md(F.hypotheses_text(ctx.results, lang))
show_table(*F.hypotheses_table(ctx.results, lang, ctx.instrument), n_col=None, lang=lang)
