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
md(F.section("03_title", lang))

# %%
md(F.section("03_funnels", lang))
for c in ctx.instrument.constructs:
    show(F.funnel(ctx.results, ctx.instrument, c.id, lang))

# %%
md(F.section("03_agreement", lang))
show(F.agreement_panel(ctx.results, ctx.instrument, lang))
show_table(*F.aggregation_table(ctx.results, ctx.instrument, lang), n_col=None, lang=lang)

# %%
md(F.section("03_compare", lang))
for by in ("size_class", "district", "cohort"):
    show(F.comparison(ctx.results, ctx.instrument, by, lang))
show_table(*F.comparison_tests(ctx.results, ctx.instrument, lang), n_col=None, lang=lang)

# %%
md(F.section("03_profiles", lang))
show(F.profiles_small_multiples(ctx.results, ctx.instrument, lang))

# %%
if interactive:
    F.municipality_widget(ctx, show)
