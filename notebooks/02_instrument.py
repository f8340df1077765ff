# %% tags=["parameters"]
# Bericht-Notebook von baustein-eval: Überschriften und Texte kommen in der Berichtssprache aus
# `reporting.figures.section`, alle Logik aus den Paketen `analysis` und `surveys`.
dataset = None
lang = "de"
min_n = 5
interactive = True
construct = None  # z. B. "struktur"; None: alle Konstrukte

# %%
from reporting import figures as F
from reporting.notebook import md, setup, show, show_table

ctx = setup(dataset, lang=lang, min_n=min_n)
md(F.section("02_title", lang))
constructs = [c.id for c in ctx.instrument.constructs] if construct is None else [construct]

# %%
md(F.section("02_likert", lang))
for c in constructs:
    show(F.likert_construct(ctx.results, ctx.instrument, c, lang))

# %%
md(F.section("02_reliability", lang))
show(F.reliability_forest(ctx.results, ctx.instrument, lang))
show_table(*F.reliability_table(ctx.results, ctx.instrument, lang), lang=lang)

# %%
md(F.section("02_items", lang))
show_table(*F.item_table(ctx.results, ctx.instrument, lang), lang=lang, max_rows=100)

# %%
if interactive:
    F.construct_widget(ctx, show)
