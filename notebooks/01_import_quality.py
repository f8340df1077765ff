# %% tags=["parameters"]
# Bericht-Notebook von baustein-eval: Überschriften und Texte kommen in der Berichtssprache aus
# `reporting.figures.section`, alle Logik aus den Paketen `analysis` und `surveys`.
dataset = None  # Datensatz-Ordner (None: Beispieldatensatz bzw. $BAUSTEIN_DATASET)
lang = "de"
min_n = 5
interactive = True

# %%
from reporting import figures as F
from reporting.notebook import md, setup, show, show_table

ctx = setup(dataset, lang=lang, min_n=min_n)
md(F.section("01_title", lang))
T = F.texts(lang)

# %%
md(F.import_summary_text(ctx.dataset, lang))
show_table(F.import_files_table(ctx.dataset, lang), n_col=None, decimals=0, lang=lang)

# %%
md(F.section("01_rejections", lang))
show_table(F.rejection_summary(ctx.rejections, lang), n_col=None, decimals=0, lang=lang)

# %%
md(F.section("01_roles", lang))
show(F.responses_by_role(ctx.results, lang))

# %%
md(F.section("01_missing", lang))
show(F.missingness(ctx.results, ctx.instrument, lang))

# %%
md(F.section("01_straight", lang))
show(F.straightlining(ctx.results, lang))
