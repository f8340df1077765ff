# %% tags=["parameters"]
# Bericht-Notebook von baustein-eval: Überschriften und Texte kommen in der Berichtssprache aus
# `reporting.figures.section`, alle Logik aus den Paketen `analysis` und `surveys`.
dataset = None
lang = "de"
min_n = 5
interactive = True

# %%
from reporting import figures as F
from reporting.notebook import md, setup, show, show_table

ctx = setup(dataset, lang=lang, min_n=min_n)
md(F.section("04_title", lang))

# %%
md(F.section("04_scatter", lang))
show(F.commitment_scatter(ctx.results, ctx.instrument, lang))

# %%
md(F.section("04_types", lang))
show(F.structure_by_type(ctx.results, ctx.instrument, lang))
show(F.structure_by_facts(ctx.results, ctx.instrument, lang))
show_table(*F.type_tests_table(ctx.results, lang), n_col=None, lang=lang)

# %%
md(F.section("04_model", lang))
show(F.model_coefficients(ctx.results, ctx.instrument, lang))
md(F.model_text(ctx.results, lang))

# %%
md(F.section("04_hypotheses", lang))
md(F.hypotheses_text(ctx.results, lang))
show_table(*F.hypotheses_table(ctx.results, lang), n_col=None, lang=lang)
