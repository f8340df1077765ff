# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["notebook-only"]
# # Import und Datenqualität
#
# Dieses Notebook zeigt, was beim Import eingelesen wurde, was abgelehnt wurde und wie vollständig
# die Antworten sind. **So geht es:** im Menü *Run → Run All Cells* wählen. Ohne Änderung werden die
# Beispieldaten gezeigt (oder der Datensatz in `$BAUSTEIN_DATASET`); einen eigenen Datensatz tragen
# Sie in der nächsten Zelle bei `dataset` ein, z. B. `dataset = "daten/datensatz"`. Mit `lang = "en"`
# erscheinen alle Texte auf Englisch. Nichts hier verändert Ihre Daten.
#
# *English:* shows what the import read and rejected and how complete the answers are. Run all cells;
# set `dataset` in the next cell for your own data and `lang = "en"` for English texts.

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
md(F.section("01_title", lang))
show_notes(ctx, "01_import_quality")

# %%
md(F.section("01_files", lang))
md(F.import_summary_text(ctx.dataset, lang))
show_table(*F.import_files_table(ctx.dataset, lang), n_col=None, decimals=0, lang=lang)

# %%
md(F.section("01_rejections", lang))
show_table(*F.rejection_summary(ctx.rejections, lang), n_col=None, decimals=0, lang=lang)

# %%
md(F.section("01_roles", lang))
show(F.responses_by_role(ctx.results, ctx.instrument, lang))

# %%
md(F.section("01_missing", lang))
show(F.missingness(ctx.results, ctx.instrument, lang))

# %%
md(F.section("01_straight", lang))
show_glossary(["straight", "min_n"], lang)
show(F.straightlining(ctx.results, lang))
